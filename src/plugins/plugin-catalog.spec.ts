// PluginCatalog against real loopback plugin origins (the editor's plugin-server copy, and small
// synthetic ones): fetch, disk cache and reuse without network, pins, redirects, limits, outages.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBundledPlugin } from '../../libs/caption-page/src/plugin-manifest.js';
import { EDITOR_PLUGIN_DIR, requireEditorReference } from '../../test/helpers/editor-reference-dir.js';
import { startPluginOriginServer, type PluginOriginServer } from '../../test/helpers/plugin-origin-server.js';
import { PluginCatalog, type PluginCatalogOptions } from './plugin-catalog.service.js';
import { PluginOriginUnavailableError, PluginPinMismatchError, PluginRefusedError } from './plugin-errors.js';
import { scanEntryForAssets } from './plugin-files.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const SYNTHETIC = 'zz-synthetic';
const SYNTHETIC_ENTRY = "export default { name: 'zz-synthetic', animate() { return () => {}; }, icon: 'assets/dot.png' };\n";

function syntheticPluginDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-plugins-'));
  const folder = join(dir, `${SYNTHETIC}@2.0.0`);
  mkdirSync(join(folder, 'assets'), { recursive: true });
  writeFileSync(
    join(folder, 'manifest.json'),
    JSON.stringify({ name: SYNTHETIC, version: '2.0.0', type: 'dom', entry: 'index.mjs', preload: [] }),
  );
  writeFileSync(join(folder, 'index.mjs'), SYNTHETIC_ENTRY);
  writeFileSync(join(folder, 'assets/dot.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
  return dir;
}

/** A hand-written origin: `routes[path]` answers (status, headers, body); every request is recorded. */
async function startScriptedServer(routes: Record<string, { status: number; headers?: Record<string, string>; body?: string }>) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const r = routes[req.url ?? ''];
    if (!r) return void res.writeHead(404).end('nope');
    res.writeHead(r.status, r.headers ?? {}).end(r.body ?? '');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

describe('PluginCatalog with a plugin origin', () => {
  let editorOrigin: PluginOriginServer;
  let synthOrigin: PluginOriginServer;
  let synthDir: string;
  let cacheDir: string;
  const made: PluginCatalog[] = [];
  const catalog = (o: Partial<PluginCatalogOptions> & { origin: string }) => {
    const c = new PluginCatalog({ cacheDir, allowPrivateNetworks: true, ...o });
    made.push(c);
    return c;
  };

  beforeAll(async () => {
    requireEditorReference();
    editorOrigin = await startPluginOriginServer({ dir: EDITOR_PLUGIN_DIR });
    synthDir = syntheticPluginDir();
    synthOrigin = await startPluginOriginServer({ dir: synthDir });
  });
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'ecg-plugin-cache-'));
  });
  afterEach(async () => {
    await Promise.all(made.splice(0).map((c) => c.onApplicationShutdown()));
    rmSync(cacheDir, { recursive: true, force: true });
    await editorOrigin.setDown(false);
    editorOrigin.setRedirectEntries(false);
  });
  afterAll(async () => {
    await editorOrigin?.close();
    await synthOrigin?.close();
    rmSync(synthDir, { recursive: true, force: true });
  });

  it('fetches manifest, entry and assets, caches them by name@version with SHA-256, and reuses the cache without network', async () => {
    const first = catalog({ origin: editorOrigin.url });
    let t = Date.now();
    const r = await first.resolve(['flames', 'elastic@2.0.0', 'cwi@1.0.0']);
    const fetchMs = Date.now() - t;
    expect(r.unknown).toEqual([]);
    expect(r.origin.map((p) => `${p.name}@${p.version}`).sort()).toEqual(['cwi@1.0.0', 'elastic@2.0.0', 'flames@2.0.0']); // bare → @2.0.0
    const flames = r.origin.find((p) => p.name === 'flames')!;
    expect(flames.entry).toBe('index.mjs');
    expect(flames.manifest.type).toBe('dom');
    const byPath = new Map(flames.files.map((f) => [f.path, f]));
    expect([...byPath.keys()].sort()).toEqual(['assets/flame.gif', 'index.mjs', 'manifest.json']);
    const gif = readFileSync(join(EDITOR_PLUGIN_DIR, 'flames@2.0.0/assets/flame.gif'));
    expect(sha256(Buffer.from(byPath.get('assets/flame.gif')!.body))).toBe(sha256(gif));
    expect(byPath.get('assets/flame.gif')!.contentType).toBe('image/gif');
    expect(byPath.get('index.mjs')!.contentType).toMatch(/^text\/javascript/);

    const index = JSON.parse(readFileSync(join(cacheDir, 'flames@2.0.0/index.json'), 'utf8'));
    expect(index.files.find((f: { path: string }) => f.path === 'index.mjs').sha256).toBe(
      sha256(readFileSync(join(EDITOR_PLUGIN_DIR, 'flames@2.0.0/index.mjs'))),
    );
    expect(index.files.find((f: { path: string }) => f.path === 'assets/flame.gif').sha256).toBe(sha256(gif));

    // A new process (fresh memory) with the origin down: everything from disk, no request at all.
    await editorOrigin.setDown('refuse');
    const seen = editorOrigin.requests.length;
    const second = catalog({ origin: editorOrigin.url });
    t = Date.now();
    const again = await second.resolve(['flames@2.0.0', 'elastic', 'cwi@1.0.0']);
    console.log(`flames + elastic + cwi@1.0.0 (3.4 MB): fetched in ${fetchMs} ms, from the disk cache (re-hashed) in ${Date.now() - t} ms`);
    expect(again.origin.map((p) => p.name).sort()).toEqual(['cwi', 'elastic', 'flames']);
    expect(
      Buffer.from(again.origin.find((p) => p.name === 'flames')!.files.find((f) => f.path === 'assets/flame.gif')!.body).equals(gif),
    ).toBe(true);
    expect(editorOrigin.requests.length).toBe(seen);
  });

  it('a damaged cache entry is dropped and fetched again', async () => {
    await catalog({ origin: synthOrigin.url }).resolve([SYNTHETIC]);
    writeFileSync(join(cacheDir, `${SYNTHETIC}@2.0.0/files/index.mjs`), 'tampered');
    const before = synthOrigin.requests.length;
    const r = await catalog({ origin: synthOrigin.url }).resolve([SYNTHETIC]);
    expect(Buffer.from(r.origin[0].files.find((f) => f.path === 'index.mjs')!.body).toString()).toBe(SYNTHETIC_ENTRY);
    expect(synthOrigin.requests.length).toBeGreaterThan(before);
  });

  it('the origin wins for what it serves; the bundle serves the rest; neither → unknown', async () => {
    const c = catalog({ origin: synthOrigin.url });
    const cls = await c.classify([SYNTHETIC, 'fadeIn', 'no-such-plugin', 'fadeIn@9.9.9', '../etc@2.0.0']);
    expect(cls.origin.map((p) => `${p.name}@${p.version}`)).toEqual([`${SYNTHETIC}@2.0.0`]);
    expect(cls.bundled.map((p) => `${p.name}@${p.version}`)).toEqual(['fadeIn@2.0.0']);
    expect(cls.unknown).toEqual(['no-such-plugin', 'fadeIn@9.9.9', '../etc@2.0.0']);
    expect(cls.reasons['no-such-plugin']).toMatch(/neither the plugin origin \(HTTP 404\) nor/);
    // Manifests are remembered: asking again makes no request.
    const seen = synthOrigin.requests.length;
    await c.classify([SYNTHETIC, 'fadeIn', 'no-such-plugin']);
    expect(synthOrigin.requests.length).toBe(seen);
  });

  it('pins: a matching entry is accepted; a mismatch is refused naming the plugin and both hashes, and never cached', async () => {
    const good = sha256(SYNTHETIC_ENTRY);
    const ok = await catalog({ origin: synthOrigin.url, pins: { [`${SYNTHETIC}@2.0.0`]: good } }).resolve([SYNTHETIC]);
    expect(ok.origin).toHaveLength(1);

    rmSync(cacheDir, { recursive: true, force: true });
    const wrong = 'a'.repeat(64);
    const err = await catalog({ origin: synthOrigin.url, pins: { [`${SYNTHETIC}@2.0.0`]: wrong } })
      .resolve([SYNTHETIC])
      .catch((e) => e);
    expect(err).toBeInstanceOf(PluginPinMismatchError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`${SYNTHETIC}@2.0.0`);
    expect(err.message).toContain(good);
    expect(err.message).toContain(wrong);
    expect(() => readFileSync(join(cacheDir, `${SYNTHETIC}@2.0.0/index.json`))).toThrow();
  });

  it('a pin added after caching is checked against the cached entry (refetched, then refused)', async () => {
    await catalog({ origin: synthOrigin.url }).resolve([SYNTHETIC]);
    const err = await catalog({ origin: synthOrigin.url, pins: { [`${SYNTHETIC}@2.0.0`]: 'b'.repeat(64) } })
      .resolve([SYNTHETIC])
      .catch((e) => e);
    expect(err).toBeInstanceOf(PluginPinMismatchError);
  });

  it('follows the entry redirect to object storage', async () => {
    editorOrigin.setRedirectEntries(true);
    const r = await catalog({ origin: editorOrigin.url }).resolve(['glitch']);
    expect(r.origin[0].files.map((f) => f.path)).toContain('index.mjs');
    expect(editorOrigin.requests).toContain('/object-storage/plugins/glitch@2.0.0/index.mjs');
  });

  it('refuses a redirect to a private address when private networks are not allowed (the origin itself is)', async () => {
    const sentinel = await startScriptedServer({});
    const origin = await startScriptedServer({
      '/plugins/evil@2.0.0/manifest.json': {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"name":"evil","version":"2.0.0","entry":"index.mjs"}',
      },
      '/plugins/evil@2.0.0/index.mjs': { status: 302, headers: { location: `${sentinel.url}/steal` } },
    });
    try {
      const c = catalog({ origin: origin.url, allowPrivateNetworks: false });
      expect((await c.classify(['evil'])).origin).toHaveLength(1);
      const err = await c.resolve(['evil']).catch((e) => e);
      expect(err).toBeInstanceOf(PluginRefusedError);
      expect(err.message).toMatch(/loopback/);
      expect(sentinel.requests).toEqual([]);
    } finally {
      await origin.close();
      await sentinel.close();
    }
  });

  it('checks content types and sizes', async () => {
    const origin = await startScriptedServer({
      '/plugins/html@2.0.0/manifest.json': { status: 200, headers: { 'content-type': 'application/json' }, body: '{"entry":"index.mjs"}' },
      '/plugins/html@2.0.0/index.mjs': { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' },
      '/plugins/big@2.0.0/manifest.json': {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"entry":"index.mjs","preload":["assets/a.gif"]}',
      },
      '/plugins/big@2.0.0/index.mjs': { status: 200, headers: { 'content-type': 'text/javascript' }, body: 'export default {}' },
      '/plugins/big@2.0.0/assets/a.gif': { status: 200, headers: { 'content-type': 'image/gif' }, body: 'x'.repeat(5000) },
      '/plugins/wrongtype@2.0.0/manifest.json': {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"entry":"index.mjs","preload":["assets/a.gif"]}',
      },
      '/plugins/wrongtype@2.0.0/index.mjs': {
        status: 200,
        headers: { 'content-type': 'application/javascript' },
        body: 'export default {}',
      },
      '/plugins/wrongtype@2.0.0/assets/a.gif': { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
      '/plugins/nopreload@2.0.0/manifest.json': {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"preload":["assets/missing.gif"]}',
      },
      '/plugins/nopreload@2.0.0/index.mjs': {
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: 'export default {}',
      },
    });
    try {
      const c = catalog({ origin: origin.url, limits: { assetBytes: 4096 } });
      await expect(c.resolve(['html'])).rejects.toThrow(/index\.mjs was served as "text\/html"/);
      await expect(c.resolve(['big'])).rejects.toThrow(/exceeds the limit of 4096 bytes/);
      await expect(c.resolve(['wrongtype'])).rejects.toThrow(/assets\/a\.gif was served as "application\/json", expected image\/gif/);
      await expect(c.resolve(['nopreload'])).rejects.toThrow(/preload file assets\/missing\.gif: HTTP 404/);
    } finally {
      await origin.close();
    }
  });

  it('origin down: a render cannot resolve (retryable); create still accepts what we bundle', async () => {
    await editorOrigin.setDown('refuse');
    const c = catalog({ origin: editorOrigin.url, timeoutMs: 3000 });
    const err = await c.resolve(['cwi-color']).catch((e) => e);
    expect(err).toBeInstanceOf(PluginOriginUnavailableError);
    expect(err.retryable).toBe(true);
    const cls = await c.classify(['cwi-color', 'glitch@1.0.0', 'zz-never-bundled']);
    // What the bundle has counts as bundled (the render asks the origin again); the rest cannot be decided now.
    const glitchBundled = resolveBundledPlugin('glitch@1.0.0') !== null;
    expect(cls.bundled.map((p) => p.name)).toEqual(['cwi-color', ...(glitchBundled ? ['glitch'] : [])]);
    expect(cls.unavailable).toEqual([...(glitchBundled ? [] : ['glitch@1.0.0']), 'zz-never-bundled']);

    await editorOrigin.setDown('500');
    await expect(c.resolve(['cwi-color'])).rejects.toBeInstanceOf(PluginOriginUnavailableError);
    await editorOrigin.setDown(false);
    expect((await c.resolve(['cwi-color'])).origin.map((p) => p.name)).toEqual(['cwi-color']);
  });
});

describe('scanEntryForAssets', () => {
  it('finds complete assets/… literals only', () => {
    expect(
      scanEntryForAssets(
        `const a = 'assets/flame.gif'; const b = "./assets/x.png"; const c = \`assets/\${n}.png\`; const d = 'assets/' + n; const e = 'assets/../../etc/passwd';`,
      ),
    ).toEqual(['assets/flame.gif', 'assets/x.png']);
  });
});
