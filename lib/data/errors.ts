/** A problem with input data, located as precisely as we know: file, row (1-based line), column. */
export class DataError extends Error {
  override name = 'DataError';
  constructor(
    readonly problem: string,
    readonly location: { file?: string; row?: number; column?: string } = {},
  ) {
    super(formatLocation(location) + problem);
  }
}

function formatLocation({ file, row, column }: { file?: string; row?: number; column?: string }): string {
  const parts: string[] = [];
  if (file) parts.push(file);
  if (row !== undefined) parts.push(`row ${row}`);
  if (column) parts.push(`column ${column}`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

/** Thrown by the value cleaners; the caller adds where the value came from. */
export class ValueError extends Error {
  override name = 'ValueError';
}
