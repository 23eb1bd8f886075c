/**
 * Just enough of a shell to run the README's ```bash examples as a reader would: words with
 * single and double quotes, `$VAR`, `$(...)`, `VAR=value` (several on a line, `;` between),
 * pipelines of curl, jq (a path filter), tee and cat, and `> FILE`. curl runs as node's fetch
 * against the test's service; files are kept in memory. Anything else throws, naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Part = { lit: string } | { variable: string } | { command: string };
type Token = { word: Part[] } | { op: '|' | '>' | ';' };

/** A line's words and operators, and its trailing comment (without the `#`). */
export function tokenize(line: string): { tokens: Token[]; comment: string | null } {
  const tokens: Token[] = [];
  let word: Part[] | null = null;
  const push = (part: Part): void => {
    word ??= [];
    const last = word[word.length - 1];
    // Adjacent literal text is one part: `KEY=` reads as an assignment however it was quoted.
    if (last && 'lit' in last && 'lit' in part) last.lit += part.lit;
    else word.push(part);
  };
  const end = (): void => {
    if (word) tokens.push({ word });
    word = null;
  };
  let i = 0;
  const substitution = (): string => {
    // From just after "$(" to its matching ")", quotes honoured.
    let depth = 1;
    let quote: string | null = null;
    const start = i;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        if (ch === quote) quote = null;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return line.slice(start, i++);
    }
    throw new Error('unclosed $(');
  };
  const dollar = (): void => {
    // At "$": a substitution or a variable.
    if (line[i + 1] === '(') {
      i += 2;
      push({ command: substitution() });
      return;
    }
    const name = /^\$\{?([A-Za-z_]\w*)\}?/.exec(line.slice(i));
    if (!name) throw new Error(`unsupported $ at ${line.slice(i, i + 10)}`);
    push({ variable: name[1] });
    i += name[0].length;
  };
  while (i < line.length) {
    const ch = line[i];
    if (/\s/.test(ch)) {
      end();
      i++;
    } else if (ch === '#' && word === null) {
      return { tokens: (end(), tokens), comment: line.slice(i + 1).trim() };
    } else if (ch === '|' || ch === '>' || ch === ';') {
      end();
      tokens.push({ op: ch });
      i++;
    } else if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error('unclosed single quote');
      push({ lit: line.slice(i + 1, close) });
      i = close + 1;
    } else if (ch === '"') {
      i++;
      push({ lit: '' });
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '')) {
          push({ lit: line[i + 1] });
          i += 2;
        } else if (line[i] === '$') dollar();
        else push({ lit: line[i++] });
      }
      if (line[i] !== '"') throw new Error('unclosed double quote');
      i++;
    } else if (ch === '$') dollar();
    else if (ch === '\\') {
      push({ lit: line[i + 1] ?? '' });
      i += 2;
    } else push({ lit: line[i++] });
  }
  end();
  return { tokens, comment: null };
}

export interface Statement {
  /** Its first line in the README. */
  line: number;
  text: string;
  /** From a `# → 404` comment; 200 when absent. */
  expectedStatus?: number;
  /** Example answers from `# {...}` comments (alternatives). */
  examples: string[];
}

export interface ExampleBlock {
  statements: Statement[];
  /** A ```json block right after this one: the answer of its last statement. */
  answer?: string;
}

/** Every ```bash block of a Markdown text, as statements with their expectations (a ```json block right after one is its answer). */
export function exampleBlocks(markdown: string): ExampleBlock[] {
  const lines = markdown.split('\n');
  const blocks: ExampleBlock[] = [];
  let lastBashEnd = -2;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const body = lines.slice(start, end);
    if (fence[1] === 'bash') {
      blocks.push({ statements: statements(body, start + 1) });
      lastBashEnd = end;
    } else if (
      fence[1] === 'json' &&
      blocks.length > 0 &&
      lines.slice(lastBashEnd + 1, i).every((l) => l.trim() === '')
    ) {
      blocks[blocks.length - 1].answer = body.join('\n');
    }
    i = end;
  }
  return blocks;
}

/** The statements of a block's lines (`firstLine`: the first one's line in the README), each with the status and answers its comments give. */
export function statements(body: string[], firstLine: number): Statement[] {
  const found: Statement[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = firstLine + i;
    let text = body[i];
    // A line goes on after a trailing backslash, or while a single quote is open (a JSON body).
    while (
      i + 1 < body.length &&
      (/\\$/.test(text) || (text.replace(/"[^"]*"/g, '').split("'").length - 1) % 2 === 1)
    ) {
      text = /\\$/.test(text) ? `${text.slice(0, -1)} ${body[++i].trim()}` : `${text}\n${body[++i]}`;
    }
    if (text.trim() === '') continue;
    const { tokens, comment } = tokenize(text);
    if (tokens.length === 0) {
      const previous = found[found.length - 1];
      if (!previous) throw new Error(`README line ${line}: a comment before any command`);
      expect(previous, comment ?? '');
    } else {
      const statement: Statement = { line, text, examples: [] };
      if (comment) expect(statement, comment);
      found.push(statement);
    }
  }
  return found;
}

/** `→ 202 {...}`: the status and an example answer; any other comment is prose. */
function expect(statement: Statement, comment: string): void {
  const status = /^→\s*(\d{3})\b\s*(.*)$/s.exec(comment);
  if (status) statement.expectedStatus = Number(status[1]);
  const rest = status ? status[2] : comment;
  if (/^[[{]/.test(rest)) statement.examples.push(rest);
}

export interface CurlRun {
  status: number;
  body: string;
}

export class ShellSession {
  private readonly vars = new Map<string, string>();
  private readonly files = new Map<string, string>();

  constructor(private readonly service: { url: string; adminKey: string; cwd: string }) {}

  /** Runs one statement; answers the curls it ran, in order. */
  async run(text: string): Promise<CurlRun[]> {
    const { tokens } = tokenize(text);
    const runs: CurlRun[] = [];
    for (const command of split(tokens, ';')) {
      if (command.length === 0) continue;
      const assignments = command.every(
        (t) => 'word' in t && 'lit' in t.word[0] && /^[A-Za-z_]\w*=/.test(t.word[0].lit),
      );
      if (assignments) {
        for (const t of command) {
          const [first, ...rest] = (t as { word: Part[] }).word as [{ lit: string }, ...Part[]];
          const eq = first.lit.indexOf('=');
          this.vars.set(first.lit.slice(0, eq), await this.expand([{ lit: first.lit.slice(eq + 1) }, ...rest], runs));
        }
      } else await this.pipeline(command, runs);
    }
    return runs;
  }

  private async expand(parts: Part[], runs: CurlRun[]): Promise<string> {
    let out = '';
    for (const part of parts) {
      if ('lit' in part) out += part.lit;
      else if ('variable' in part) {
        const value = this.vars.get(part.variable);
        if (value === undefined) throw new Error(`$${part.variable} is not set by an earlier example`);
        out += value;
      } else out += (await this.pipeline(tokenize(part.command).tokens, runs)).replace(/\n+$/, '');
    }
    return out;
  }

  private async pipeline(tokens: Token[], runs: CurlRun[]): Promise<string> {
    let redirect: string | null = null;
    const arrow = tokens.findIndex((t) => 'op' in t && t.op === '>');
    if (arrow >= 0) {
      const target = tokens[arrow + 1];
      if (!target || !('word' in target) || arrow + 2 !== tokens.length)
        throw new Error('"> FILE" must end the command');
      redirect = await this.expand(target.word, runs);
      tokens = tokens.slice(0, arrow);
    }
    let stdout = '';
    for (const stage of split(tokens, '|')) {
      const words: string[] = [];
      for (const t of stage) {
        if (!('word' in t)) throw new Error(`unsupported operator ${t.op}`);
        words.push(await this.expand(t.word, runs));
      }
      const [program, ...args] = words;
      if (program === 'curl') {
        const run = await this.curl(args);
        runs.push(run);
        stdout = run.body;
      } else if (program === 'jq') stdout = this.jq(args, stdout);
      else if (program === 'tee' && args.length === 1) this.files.set(args[0], stdout);
      else if (program === 'cat' && args.length === 1) stdout = this.read(args[0]);
      else
        throw new Error(
          `cannot run "${words.join(' ').slice(0, 60)}": the README examples may use curl, jq, tee and cat`,
        );
    }
    if (redirect !== null) {
      this.files.set(redirect, stdout);
      return '';
    }
    return stdout;
  }

  private read(file: string): string {
    if (file === '.data/admin-api-key') return `${this.service.adminKey}\n`;
    const held = this.files.get(file);
    if (held !== undefined) return held;
    const path = join(this.service.cwd, file);
    if (!existsSync(path)) throw new Error(`no file ${file}: an earlier example must write it`);
    return readFileSync(path, 'utf8');
  }

  private async curl(args: string[]): Promise<CurlRun> {
    let method: string | undefined;
    let target: string | undefined;
    let body: string | undefined;
    const headers = new Headers();
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      const next = (): string => {
        if (i + 1 >= args.length) throw new Error(`curl ${arg} needs a value`);
        return args[++i];
      };
      if (['-s', '-S', '-sS', '--silent', '--show-error'].includes(arg)) continue;
      else if (arg === '-X' || arg === '--request') method = next();
      else if (arg === '-H' || arg === '--header') {
        const header = next();
        const colon = header.indexOf(':');
        if (colon < 1) throw new Error(`curl -H "${header}": not a header`);
        headers.set(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
      } else if (['-d', '--data', '--data-binary', '--data-raw'].includes(arg)) {
        const data = next();
        if (data.startsWith('@') && arg !== '--data-raw') {
          const text = this.read(data.slice(1));
          // curl -d @file drops the file's line breaks; --data-binary sends it as it is.
          body = arg === '--data-binary' ? text : text.replace(/[\r\n]/g, '');
        } else body = data;
      } else if (/^https?:\/\//.test(arg) && target === undefined) target = arg;
      else throw new Error(`curl option ${arg} is not one the README test understands`);
    }
    if (!target) throw new Error('curl without a URL');
    const local = /^http:\/\/127\.0\.0\.1:3000(\/.*)?$/.exec(target);
    if (!local) throw new Error(`curl ${target}: the examples address the local service, http://127.0.0.1:3000`);
    // As curl does: data without a content type goes as a form.
    if (body !== undefined && !headers.has('content-type'))
      headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(this.service.url + (local[1] ?? '/'), {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: await response.text() };
  }

  /** jq [-r] FILTER [FILE], for path filters: `.a.b`, `.a[0].b`, `.`. */
  private jq(args: string[], input: string): string {
    const raw = args[0] === '-r';
    const [filter, file] = raw ? args.slice(1) : args;
    if (!filter || !/^\.([A-Za-z_]\w*|\[\d+\]|\.)*$/.test(filter))
      throw new Error(`jq ${args.join(' ')}: only path filters like .a[0].b are understood`);
    let value: unknown = JSON.parse(file === undefined ? input : this.read(file));
    for (const step of filter.match(/[A-Za-z_]\w*|\[\d+\]/g) ?? []) {
      value = step.startsWith('[')
        ? (value as unknown[])?.[Number(step.slice(1, -1))]
        : (value as Record<string, unknown>)?.[step];
    }
    return `${raw && typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 2)}\n`;
  }
}

function split(tokens: Token[], op: '|' | ';'): Token[][] {
  const groups: Token[][] = [[]];
  for (const t of tokens) {
    if ('op' in t && t.op === op) groups.push([]);
    else groups[groups.length - 1].push(t);
  }
  return groups;
}
