// Test helpers (not used by production code): loopback HTTP servers for the net/callbacks specs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TestServer {
  server: Server;
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  host = '127.0.0.1',
  port = 0,
): Promise<TestServer> {
  const server = createServer(handler);
  const t: TestServer = {
    server,
    port: 0,
    connections: 0,
    sockets: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of t.sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (s: Socket) => {
    t.connections++;
    t.sockets.add(s);
    s.on('close', () => t.sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  t.port = (server.address() as AddressInfo).port;
  return t;
}

/** A sentinel listening on 127.0.0.1 and ::1 at the same port; counts every connection. */
export async function startSentinel(): Promise<{ port: number; connections(): number; close(): Promise<void> }> {
  for (let i = 0; i < 20; i++) {
    const v4 = await startServer((_req, res) => res.end('sentinel reached'));
    try {
      const v6 = await startServer((_req, res) => res.end('sentinel reached'), '::1', v4.port);
      return {
        port: v4.port,
        connections: () => v4.connections + v6.connections,
        close: async () => {
          await v4.close();
          await v6.close();
        },
      };
    } catch (err) {
      await v4.close();
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') {
        // No IPv6 loopback on this host: the v4 sentinel alone.
        const only = await startServer((_req, res) => res.end('sentinel reached'));
        return { port: only.port, connections: () => only.connections, close: () => only.close() };
      }
    }
  }
  throw new Error('could not start sentinel');
}
