/**
 * A TCP proxy in front of a store that can be made to hang: until `hang()` it forwards every
 * connection; after it, the connections it was forwarding are cut (so a client's kept-alive
 * sockets must reconnect) and every new one is accepted, read and never answered, as a store
 * whose host is up and whose service is stuck. The request lines it swallowed are kept.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface HangingProxy {
  url: string;
  hang(): void;
  /** The first line of every request sent to it while hung ("GET /bucket/key HTTP/1.1"). */
  swallowed: string[];
  close(): Promise<void>;
}

export async function startHangingProxy(upstream: string): Promise<HangingProxy> {
  const target = new URL(upstream);
  const open = new Set<Socket>();
  const swallowed: string[] = [];
  let hung = false;
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (hung) {
      client.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('latin1').split('\r\n'))
          if (/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(line)) swallowed.push(line);
      });
      return;
    }
    const server = connect(Number(target.port), target.hostname);
    open.add(server);
    server.on('close', () => open.delete(server));
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hang() {
      hung = true;
      for (const socket of open) socket.destroy();
    },
    swallowed,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
