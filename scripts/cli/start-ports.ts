/**
 * Where a running `npm start` can be reached: it writes DATA_DIR/ports.json (its pid, its ports,
 * its bucket and model) when it starts and removes it when it stops, so the CLI reaches it on
 * moved ports instead of probing the default one, and never opens a second embedded S3 server
 * over a data directory a live `npm start` serves (two s3rver processes over one folder do not
 * see each other's conditional writes). A file whose pid is gone is stale (a crash, a SIGKILL)
 * and is ignored.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

const startPortsSchema = z.object({
  pid: z.number().int().positive(),
  /** The embedded S3 server's port; null when npm start uses the store at S3_ENDPOINT instead. */
  s3Port: port.nullable(),
  /** That external store's address, for messages (its keys are never written here). */
  s3Endpoint: z.string().optional(),
  httpPort: port,
  lambdaPort: port,
  bucket: z.string().min(1),
  /** The model npm start serves (its spec's name). */
  model: z.string().min(1),
});

export type StartPorts = z.infer<typeof startPortsSchema>;

export const startPortsFile = (dataDir: string): string => join(dataDir, 'ports.json');

/** Written whole (a temporary file renamed over it): a reader never sees half a file. */
export function writeStartPorts(dataDir: string, ports: StartPorts): void {
  const file = startPortsFile(dataDir);
  writeFileSync(`${file}.${ports.pid}.tmp`, JSON.stringify(ports, null, 2) + '\n');
  renameSync(`${file}.${ports.pid}.tmp`, file);
}

/** Removes the file if it is still `pid`'s (a later npm start may have written its own). */
export function removeStartPorts(dataDir: string, pid: number): void {
  if (readStartPorts(dataDir)?.pid === pid) rmSync(startPortsFile(dataDir), { force: true });
}

/** The ports file's content; null when there is none, or it is unreadable (never written whole by npm start). */
export function readStartPorts(dataDir: string): StartPorts | null {
  let text: string;
  try {
    text = readFileSync(startPortsFile(dataDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = startPortsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The npm start that owns `dataDir` now: its ports file, when the pid in it is alive. */
export function liveStartPorts(dataDir: string): StartPorts | null {
  const ports = readStartPorts(dataDir);
  return ports && isAlive(ports.pid) ? ports : null;
}

/** Signal 0 checks that the process exists without touching it; EPERM means it exists under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
