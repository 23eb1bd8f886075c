/**
 * Cleaning of single raw values, shared by training (CSV cells) and serving (JSON fields),
 * so that a value is read exactly the same way in both places.
 */
import { clip } from '../util/clip.ts';
import { ValueError } from './errors.ts';

/** Raw input as it may arrive: a CSV cell is a string, a JSON field may be a number or null. */
export type RawValue = string | number | boolean | null | undefined;

interface Range {
  min?: number;
  max?: number;
  missingTokens: string[];
}

function isMissing(raw: RawValue, missingTokens: string[]): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw !== 'string') return false;
  const text = raw.trim();
  return text === '' || missingTokens.includes(raw) || missingTokens.includes(text);
}

function inRange(value: number, { min, max }: Range): number {
  if (min !== undefined && value < min) return NaN;
  if (max !== undefined && value > max) return NaN;
  return value;
}

/**
 * A number with the export's stray underscores removed ("52312.68_", "__-333__").
 * Missing tokens and out-of-range values become NaN (missing); anything else that is not a
 * number is an error, because silently dropping it would hide a broken export.
 */
export function cleanNumber(raw: RawValue, range: Range): number {
  if (isMissing(raw, range.missingTokens) || raw === null || raw === undefined) return NaN;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new ValueError(`expected a finite number, got ${raw}`);
    return inRange(raw, range);
  }
  if (typeof raw === 'boolean') throw new ValueError(`expected a number, got ${raw}`);
  const text = raw.replace(/_/g, '').trim();
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new ValueError(`expected a number, got "${clip(raw)}"`);
  return inRange(value, range);
}

/** "10 Years and 9 Months", "1 Year 1 Month": what cleanDuration reads (spec init guesses durations by it). */
export const DURATION = /^(\d+)\s*Years?(?:\s*and)?\s*(\d+)\s*Months?$/i;

/** "10 Years and 9 Months" as 129 months; a plain number is taken as months already. */
export function cleanDuration(raw: RawValue, range: Range): number {
  if (isMissing(raw, range.missingTokens) || raw === null || raw === undefined) return NaN;
  if (typeof raw === 'number') return cleanNumber(raw, range);
  if (typeof raw === 'boolean') throw new ValueError(`expected a duration, got ${raw}`);
  const text = raw.trim();
  const match = DURATION.exec(text);
  if (match) return inRange(Number(match[1]) * 12 + Number(match[2]), range);
  if (/^[\d._\s-]+$/.test(text)) return cleanNumber(text, range);
  throw new ValueError(`expected "N Years and M Months", got "${clip(raw)}"`);
}

/** A category label, trimmed; missing tokens become null. */
export function cleanCategory(raw: RawValue, missingTokens: string[]): string | null {
  if (isMissing(raw, missingTokens)) return null;
  return String(raw).trim();
}

/** "Auto Loan, and Payday Loan" as ["Auto Loan", "Payday Loan"]; missing means no labels. */
export function cleanLabels(raw: RawValue, separator: string, missingTokens: string[]): string[] {
  if (isMissing(raw, missingTokens)) return [];
  return String(raw)
    .split(separator)
    .map((part) =>
      part
        .trim()
        .replace(/^and\s+/i, '')
        .trim(),
    )
    .filter((part) => part !== '');
}
