// Loopback HTTP servers for the tests and the bench: a generic one that counts connections, a
// sentinel on both loopback families, a static file server and a webhook receiver; all on
// 127.0.0.1 with a free port unless told otherwise, and close() drops their open connections.
// test/support/: node built-ins and production dependencies only (the bench compiles it).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

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
    close: () => closeServer(server, t.sockets),
  };
  server.on('connection', (s: Socket) => {
    t.connections++;
    t.sockets.add(s);
    s.on('close', () => t.sockets.delete(s));
  });
  t.port = await listen(server, host, port);
  return t;
}

/** Listens on host:port (default 127.0.0.1, a free port); resolves with the port. */
export async function listen(server: Server, host = '127.0.0.1', port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Destroys the open connections, then closes the server. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
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

export interface FileServer {
  baseUrl: string;
  port: number;
  /** URL of a file of the served dir. */
  url(name: string): string;
  /** Requests seen (path). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the files of `dir` on 127.0.0.1 (content type from the extension). */
export async function startFileServer(dir: string): Promise<FileServer> {
  const requests: string[] = [];
  const t = await startServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/+/, ''));
    requests.push(name);
    const p = join(dir, name);
    if (!name || name.includes('..') || !existsSync(p) || !statSync(p).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.txt') ? 'text/plain' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': String(statSync(p).size) });
    createReadStream(p).pipe(res);
  });
  const baseUrl = `http://127.0.0.1:${t.port}`;
  return { baseUrl, port: t.port, url: (name) => `${baseUrl}/${encodeURIComponent(name)}`, requests, close: () => t.close() };
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

/** A loopback webhook receiver; `respond` picks the status for each request (default 200). */
export async function startReceiver(respond: (req: ReceivedRequest, index: number) => number = () => 200): Promise<{
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const received: ReceivedRequest[] = [];
  const t = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const status = respond(r, received.length);
      received.push(r);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  return { url: `http://127.0.0.1:${t.port}/hook`, received, close: () => t.close() };
}

/** A free TCP port on 127.0.0.1 (PUBLIC_BASE_URL must name the port before the app boots). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
