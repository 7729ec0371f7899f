/**
 * A loopback stand-in for the Google Fonts CSS API and its font host, and for a deployment's
 * asset origin (issue 11): node:http on 127.0.0.1, a random port.
 *
 *   GET /css2?family=Name[:axes]   → @font-face CSS (as the CSS API answers; 400 for an unknown family)
 *   GET /files/{file}              → the font file (from node_modules)
 *   GET /assets/{path}             → asset files given in `assets`
 *
 *   const o = await startFontOriginServer({ families: { 'Loopback Sans': ARIMO_400_WOFF2 } });
 *   o.url        // 'http://127.0.0.1:PORT' (FONT_ORIGINS; needs ALLOW_PRIVATE_NETWORKS=true)
 *   o.assetsUrl  // 'http://127.0.0.1:PORT/assets' (ASSET_ORIGINS)
 *   o.requests   // every path requested, in order
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FONT_FILES = {
  arimoLatin400: join(ROOT, 'node_modules/@fontsource/arimo/files/arimo-latin-400-normal.woff2'),
  notoSansKrKorean: join(ROOT, 'node_modules/@fontsource-variable/noto-sans-kr/files/noto-sans-kr-119-wght-normal.woff2'),
  cousineLatin400: join(ROOT, 'node_modules/@fontsource/cousine/files/cousine-latin-400-normal.woff2'),
};

export interface FontOriginServer {
  readonly url: string;
  readonly assetsUrl: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFontOriginServer(o: {
  /** Family name → font file served for it (one face, weight 400, no unicode-range). */
  families?: Record<string, string>;
  /** Asset path (under /assets/) → file on disk. */
  assets?: Record<string, string>;
}): Promise<FontOriginServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}${url.search}`);
    if (url.pathname === '/css2') {
      const family = (url.searchParams.get('family') ?? '').split(':')[0];
      const file = o.families?.[family];
      if (!file) {
        res.writeHead(400, { 'content-type': 'text/html' }).end('<p>400. That’s an error.</p>');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/css; charset=utf-8' })
        .end(
          `/* latin */\n@font-face {\n  font-family: '${family}';\n  font-style: normal;\n  font-weight: 400;\n  font-display: swap;\n` +
            `  src: url(${origin}/files/${basename(file)}) format('woff2');\n  unicode-range: U+0000-00FF, U+0131, U+2000-206F;\n}\n`,
        );
      return;
    }
    const served = url.pathname.startsWith('/files/')
      ? Object.values(o.families ?? {}).find((f) => basename(f) === url.pathname.slice(7))
      : url.pathname.startsWith('/assets/')
        ? o.assets?.[url.pathname.slice(8)]
        : undefined;
    if (!served) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': served.endsWith('.png') ? 'image/png' : 'font/woff2' }).end(readFileSync(served));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    assetsUrl: `${origin}/assets`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
