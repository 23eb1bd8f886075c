/**
 * Test helper: the EMF documents written to stdout (Powertools writes them there with its own
 * console on process.stdout), kept instead of printed; every other write passes through.
 */
import { vi } from 'vitest';

export type EmfDocument = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
};

export interface EmfCapture {
  documents(): EmfDocument[];
  stop(): void;
}

export function captureEmf(): EmfCapture {
  const documents: EmfDocument[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = text.split('\n').filter((l) => l.startsWith('{"_aws"'));
    if (!lines.length) return write(chunk, ...rest);
    for (const line of lines) documents.push(JSON.parse(line) as EmfDocument);
    return true;
  }) as typeof process.stdout.write);
  return { documents: () => [...documents], stop: () => spy.mockRestore() };
}
