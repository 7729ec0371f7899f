/**
 * A loopback stand-in for the editor's plugin server (issue 10): node:http on 127.0.0.1, a
 * random port, serving a plugin-server directory in the editor's layout —
 * `/plugins/{name}@{version}/manifest.json`, the manifest's entry, `assets/…` — with CORS `*`
 * and the right content types; 404 for anything else. It can play "down" (connections refused,
 * or every answer a 500) and can redirect entries to another loopback path, as the real server
 * redirects to object storage. Used by tests and by the parity tools (src/parity/editor-reference).
 *
 *   const origin = await startPluginOriginServer({ dir: EDITOR_PLUGIN_DIR });
 *   origin.url            // 'http://127.0.0.1:PORT' (PLUGIN_ORIGIN)
 *   origin.requests       // every request path, in order
 *   await origin.setDown('refuse' | '500' | false);
 *   origin.setRedirectEntries(true);  // entry → 302 /object-storage/plugins/{key}/{entry}
 *   await origin.close();
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { contentTypeByExtension } from '../../src/plugins/plugin-files.js';

export type OriginDownMode = false | 'refuse' | '500';

export interface PluginOriginServerOptions {
  /** The folder holding `{name}@{version}/` folders (e.g. EDITOR_PLUGIN_DIR). */
  dir: string;
  /** Answer entry requests with a 302 to `/object-storage/plugins/{key}/{entry}` (default false). */
  redirectEntries?: boolean;
  /** Start down (default false). */
  down?: OriginDownMode;
}

export interface PluginOriginServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request path received (also while answering 500), in order. */
  readonly requests: string[];
  setDown(mode: OriginDownMode): Promise<void>;
  setRedirectEntries(on: boolean): void;
  close(): Promise<void>;
}

/** The type the origin serves a file with: the plugin catalog's own table (src/plugins/plugin-files.ts). */
export const contentTypeOf = contentTypeByExtension;

const PLUGIN_PATH = /^\/(?:object-storage\/)?plugins\/([A-Za-z0-9._-]+@[0-9][A-Za-z0-9.+-]*)\/(.+)$/;

export async function startPluginOriginServer(opts: PluginOriginServerOptions): Promise<PluginOriginServer> {
  const root = resolve(opts.dir);
  const requests: string[] = [];
  let redirectEntries = opts.redirectEntries ?? false;
  let down: OriginDownMode = opts.down ?? false;
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    void answer(req, res, path).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  };

  async function answer(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.writeHead(204).end();
      return;
    }
    if (down === '500') return send(res, 500, 'plugin server down (simulated)');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const m = PLUGIN_PATH.exec(path);
    if (!m) return send(res, 404, 'not found');
    const [, key, rel] = m;
    const pluginDir = join(root, key);
    const file = resolve(pluginDir, rel);
    if (!file.startsWith(pluginDir + sep)) return send(res, 404, 'not found');
    if (redirectEntries && !path.startsWith('/object-storage/') && rel !== 'manifest.json') {
      const entry = await entryOf(pluginDir);
      if (entry === rel) {
        res.writeHead(302, { Location: `/object-storage/plugins/${key}/${rel}` }).end();
        return;
      }
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return send(res, 404, 'not found');
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function entryOf(pluginDir: string): Promise<string | null> {
    try {
      const manifest = JSON.parse(await readFile(join(pluginDir, 'manifest.json'), 'utf8')) as { entry?: unknown };
      return typeof manifest.entry === 'string' ? manifest.entry : null;
    } catch {
      return null;
    }
  }

  let server: Server = createServer(handler);
  const track = (s: Server): void => {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  track(server);
  const port = await new Promise<number>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port));
  });
  let listening = true;

  const stopListening = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    for (const s of sockets) s.destroy();
    await new Promise<void>((res) => server.close(() => res()));
  };

  if (down === 'refuse') await stopListening();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    async setDown(mode: OriginDownMode): Promise<void> {
      down = mode;
      if (mode === 'refuse') return stopListening();
      if (!listening) {
        // Listen again on the same port, so the origin URL stays valid.
        server = createServer(handler);
        track(server);
        await new Promise<void>((res, rej) => {
          server.once('error', rej);
          server.listen(port, '127.0.0.1', () => res());
        });
        listening = true;
      }
    },
    setRedirectEntries(on: boolean): void {
      redirectEntries = on;
    },
    close: stopListening,
  };
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text);
}
