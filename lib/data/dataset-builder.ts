/**
 * A labelled dataset built one CSV record at a time, so that a reader can stream the file and
 * keep only what training uses: the cleaned numbers in a few large chunks (each row's `numeric`
 * is a view into one), every category, label and group as one shared string per distinct value,
 * and the class of each row in a typed array. The records themselves (one string per field) are
 * dropped as soon as they are cleaned: on a 1M-row, 26-column table they were ~1.3 GB next to a
 * 200 MB matrix (issue 29).
 *
 * Errors are the ones the whole-file reader gave, with the same precedence whatever row they are
 * on: a column the spec refuses (strict), a missing target column, the first bad label, a missing
 * feature column, the first value that cannot be cleaned, a class with no rows, a missing sensitive
 * column. So a problem is remembered and the rest of the file still read (a later row may hold one
 * that comes first, or a CSV syntax error, which comes before all of them).
 */
import { cleanRecord, ColumnValueError, type CleanRow } from './clean-record.ts';
import { DataError } from './errors.ts';
import { groupOf } from './sensitive-groups.ts';
import { featureColumns, type DatasetSpec } from './spec.ts';
import { checkUnlisted, columnIndex, type ReadOptions } from './csv-header.ts';

export interface Dataset {
  source: string;
  spec: DatasetSpec;
  rows: CleanRow[];
  /** Class index (into spec.target.classes) of each row. */
  y: Int32Array;
  /** Columns of the file the spec does not name, so not used (see unlistedColumns). */
  unlistedColumns: string[];
  /** Per sensitive column of the spec, each row's group (sensitive-groups.ts). */
  groups: Record<string, (string | null)[]>;
  /** Hex SHA-256 of the file's bytes (the artifact's data fingerprint), taken as they were read. */
  sha256: string;
}

/** The kinds of problem a dataset can have, in the order they are reported. */
type Problem = 'strict' | 'target' | 'label' | 'columns' | 'value' | 'sensitive';

/** Rows per chunk of cleaned numbers: 64k rows x 25 columns is 13 MB, the most a half-full last chunk wastes. */
const CHUNK_ROWS = 65_536;

/** Shared by every row of a spec without categorical or multi-label columns; frozen so no reader can write into it. */
const NONE: never[] = [];
Object.freeze(NONE);

/** One string per distinct value of a column: a million rows of "Good" hold one "Good". */
class Interned {
  private readonly seen = new Map<string, string>();
  of(value: string): string {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    this.seen.set(value, value);
    return value;
  }
}

export class DatasetBuilder {
  private header: string[] | null = null;
  private unlisted: string[] = [];
  private featureIndex: Map<string, number> | null = null;
  private targetAt = -1;
  private sensitiveAt: number[] | null = null;
  /** The first problem of each kind, thrown in the whole-file reader's order by finish(). */
  private readonly problems: Partial<Record<Problem, DataError>> = {};
  private records = 0;
  private readonly rows: CleanRow[] = [];
  private y: Int32Array = new Int32Array(1024);
  private readonly groups: (string | null)[][];
  private chunk = new Float64Array(0);
  private chunkRow = CHUNK_ROWS;
  private readonly width: number;
  private readonly classIndex: Map<string, number>;
  private readonly categories: Interned[];
  private readonly labels: Interned[];
  private readonly groupNames: Interned[];

  constructor(
    readonly spec: DatasetSpec,
    readonly source: string,
    private readonly options: ReadOptions = {},
  ) {
    this.width = spec.numeric.length + spec.duration.length;
    this.classIndex = new Map(spec.target.classes.map((c, i) => [c, i]));
    this.categories = spec.categorical.map(() => new Interned());
    this.labels = spec.multiLabel.map(() => new Interned());
    this.groupNames = spec.sensitive.map(() => new Interned());
    this.groups = spec.sensitive.map(() => []);
  }

  /** The first record of the file. */
  setHeader(fields: string[]): void {
    const header = fields.map((h) => h.trim());
    this.header = header;
    const { spec, source } = this;
    const attempt = <T>(kind: Problem, read: () => T): T | null => {
      try {
        return read();
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        this.problems[kind] = err;
        return null;
      }
    };
    this.unlisted = attempt('strict', () => checkUnlisted(header, spec, source, this.options)) ?? [];
    this.targetAt =
      attempt('target', () => columnIndex(header, [spec.target.column], source).get(spec.target.column)!) ?? -1;
    this.featureIndex = attempt('columns', () => columnIndex(header, featureColumns(spec), source));
    const sensitive = attempt('sensitive', () =>
      columnIndex(
        header,
        spec.sensitive.map((c) => c.column),
        source,
      ),
    );
    this.sensitiveAt = sensitive && spec.sensitive.map((c) => sensitive.get(c.column)!);
  }

  /**
   * One record after the header; `line` is its line in the file, for error messages. After the
   * first problem nothing more is kept, and only what could still be reported before it is checked.
   */
  add(record: string[], line: number): void {
    this.records++;
    const p = this.problems;
    if (p.strict || p.target || p.label) return;
    const k = this.labelOf(record, line);
    if (k < 0 || p.columns || p.value) return;
    const row = this.cleaned(record, line);
    if (!row) return;
    const r = this.rows.length;
    if (r === this.y.length) this.y = grow(this.y);
    this.y[r] = k;
    this.rows.push(row);
    // A missing sensitive column is reported after the classes are counted, so rows are still kept without it.
    this.sensitiveAt?.forEach((at, s) =>
      this.groups[s].push(intern(this.groupNames[s], groupOf(this.spec.sensitive[s], record[at]))),
    );
  }

  /** The class index of the record, or -1 after remembering why it has none. */
  private labelOf(record: string[], line: number): number {
    const column = this.spec.target.column;
    const label = record[this.targetAt].trim();
    const location = { file: this.source, row: line, column };
    if (label === '') {
      this.problems.label = new DataError('missing target value', location);
      return -1;
    }
    const k = this.classIndex.get(label);
    if (k === undefined) {
      this.problems.label = new DataError(
        `class "${label}" is not in the spec (${this.spec.target.classes.join(', ')})`,
        location,
      );
      return -1;
    }
    return k;
  }

  private cleaned(record: string[], line: number): CleanRow | null {
    const index = this.featureIndex!;
    if (this.chunkRow === CHUNK_ROWS) {
      this.chunk = new Float64Array(CHUNK_ROWS * this.width);
      this.chunkRow = 0;
    }
    const at = this.chunkRow * this.width;
    let row: CleanRow;
    try {
      row = cleanRecord(this.spec, (column) => record[index.get(column)!], this.chunk.subarray(at, at + this.width));
    } catch (err) {
      if (!(err instanceof ColumnValueError)) throw err;
      this.problems.value = new DataError(err.message, { file: this.source, row: line, column: err.column });
      return null;
    }
    this.chunkRow++;
    return {
      numeric: row.numeric,
      categorical: row.categorical.length ? row.categorical.map((c, j) => intern(this.categories[j], c)) : NONE,
      multiLabel: row.multiLabel.length
        ? row.multiLabel.map((labels, j) => labels.map((l) => this.labels[j].of(l)))
        : NONE,
    };
  }

  /** The dataset, or the first problem in the whole-file reader's order. */
  finish(sha256: string): Dataset {
    const { spec, source: file, problems } = this;
    if (!this.header) throw new DataError('the file is empty', { file });
    if (this.records === 0) throw new DataError('the file has a header but no rows', { file });
    for (const kind of ['strict', 'target', 'label', 'columns', 'value'] as const)
      if (problems[kind]) throw problems[kind];
    const y = this.y.slice(0, this.rows.length);
    for (let k = 0; k < spec.target.classes.length; k++) {
      if (!y.includes(k))
        throw new DataError(`class "${spec.target.classes[k]}" has no rows`, { file, column: spec.target.column });
    }
    if (problems.sensitive) throw problems.sensitive;
    const groups = Object.fromEntries(spec.sensitive.map((c, s) => [c.column, this.groups[s]]));
    return { source: file, spec, rows: this.rows, y, unlistedColumns: this.unlisted, groups, sha256 };
  }
}

function intern(names: Interned, value: string | null): string | null {
  return value === null ? null : names.of(value);
}

function grow(y: Int32Array): Int32Array {
  const bigger = new Int32Array(y.length * 2);
  bigger.set(y);
  return bigger;
}
