// The plugin origin through the real service (issue 10.1): PLUGIN_ORIGIN = a loopback copy of the
// editor's plugin server. Create refuses plugins neither the origin nor the bundle has (400 naming
// each JSON path) and accepts every editor-made scenario; a render while the origin is down is a
// retryable failure — retried until the origin is back, or recorded as RENDER_PLUGIN_UNAVAILABLE.
//   bash scripts/test.sh test/service/plugin-origin
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDITOR_PLUGIN_DIR, EDITOR_SCENARIOS_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import { makeTestVideo } from '../helpers/media.js';
import { startPluginOriginServer, type PluginOriginServer } from '../helpers/plugin-origin-server.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(240_000);

/** Never fetched in api mode (no worker). */
const VIDEO = 'https://videos.example.com/clip.mp4';

function editorScenarios(): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const sub of ['editor-generated', 'editor-exports']) {
    for (const f of readdirSync(join(EDITOR_SCENARIOS_DIR, sub)).sort()) {
      if (f.endsWith('.json')) out.push([`${sub}/${f}`, JSON.parse(readFileSync(join(EDITOR_SCENARIOS_DIR, sub, f), 'utf8'))]);
    }
  }
  return out;
}

/**
 * The editor's plugin folders (symlinked) plus one plugin no bundle will ever have, so "only the
 * origin serves it" stays true whatever the bundled catalogue grows to.
 */
function pluginDirWithOriginOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecg-origin-plugins-'));
  for (const f of readdirSync(EDITOR_PLUGIN_DIR)) symlinkSync(join(EDITOR_PLUGIN_DIR, f), join(dir, f));
  mkdirSync(join(dir, 'zz-origin-only@2.0.0'));
  writeFileSync(
    join(dir, 'zz-origin-only@2.0.0/manifest.json'),
    JSON.stringify({ name: 'zz-origin-only', version: '2.0.0', type: 'channel', entry: 'index.mjs' }),
  );
  writeFileSync(join(dir, 'zz-origin-only@2.0.0/index.mjs'), 'export default { evalChannels() { return {}; } };\n');
  return dir;
}

/** simpleScenario with a second text node, each naming a plugin. */
function twoPluginScenario(a: string, b: string): Record<string, any> {
  const s = simpleScenario({ plugin: a }) as Record<string, any>;
  const group = s.cues[0].root;
  group.children.push({ ...group.children[0], id: 'text2', pluginChain: [{ name: 'fadeIn' }, { name: b }] });
  return s;
}

describe('create with PLUGIN_ORIGIN (api)', () => {
  let origin: PluginOriginServer;
  let svc: Service;
  let token: string;
  let cacheDir: string;
  let pluginDir: string;

  beforeAll(async () => {
    requireEditorReference();
    pluginDir = pluginDirWithOriginOnly();
    origin = await startPluginOriginServer({ dir: pluginDir });
    cacheDir = mkdtempSync(join(tmpdir(), 'ecg-plugin-cache-'));
    svc = await startService({
      mode: 'api',
      env: { PLUGIN_ORIGIN: origin.url, PLUGIN_CACHE_DIR: cacheDir, QUOTA_DAILY: '1000', QUOTA_MONTHLY: '1000', QUOTA_CONCURRENT: '1000' },
    });
    token = await mintToken('plugin-user');
  });

  afterAll(async () => {
    await svc?.close();
    await origin?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await origin.setDown(false);
  });

  const create = (scenario: unknown) => svc.call('POST', '/api/render/create', { token, body: { videoUrl: VIDEO, scenario } });

  it('a plugin neither the origin nor the bundle has → 400 naming every use with its JSON path', async () => {
    const r = await create(twoPluginScenario('no-such-plugin', 'glitch@7.7.7'));
    expect(r.status).toBe(400);
    expect(r.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
    expect(r.body.detail.details).toEqual([
      {
        field: 'scenario.cues[0].root.children[0].pluginChain[0].name',
        reason: expect.stringMatching(/^unknown plugin "no-such-plugin": neither the plugin origin \(HTTP 404\) nor/),
      },
      { field: 'scenario.cues[0].root.children[1].pluginChain[1].name', reason: expect.stringMatching(/^unknown plugin "glitch@7.7.7"/) },
    ]);
  });

  it("unknown plugins are reported together with the scenario's other problems", async () => {
    const s = twoPluginScenario('no-such-plugin', 'fadeIn');
    s.cues[0].root.children[1].displayTime = [3, 1];
    const r = await create(s);
    expect(r.status).toBe(400);
    expect(r.body.detail.details.map((d: { field: string }) => d.field)).toEqual([
      'scenario.cues[0].root.children[1].displayTime',
      'scenario.cues[0].root.children[0].pluginChain[0].name',
    ]);
  });

  it('plugins only the origin serves are accepted (bare name = @2.0.0), and manifests are cached: a warm create is fast', async () => {
    const s = twoPluginScenario('zz-origin-only', 'magnetic@1.0.0');
    const cold = Date.now();
    expect((await create(s)).status).toBe(201);
    const coldMs = Date.now() - cold;
    const seen = origin.requests.length;
    const warm = Date.now();
    expect((await create(s)).status).toBe(201);
    const warmMs = Date.now() - warm;
    expect(origin.requests.length).toBe(seen); // no request to the origin the second time
    expect(origin.requests).toContain('/plugins/zz-origin-only@2.0.0/manifest.json');
    expect(origin.requests.some((p) => p.endsWith('index.mjs'))).toBe(false); // create fetches manifests only
    console.log(`create with 3 plugins: cold ${coldMs} ms, warm ${warmMs} ms`);
    expect(warmMs).toBeLessThan(1000);
  });

  it('a scenario inventing many plugin names is refused before any of them reaches the origin', async () => {
    const s = simpleScenario() as Record<string, any>;
    s.cues[0].root.children[0].pluginChain = Array.from({ length: 70 }, (_, i) => ({ name: `zz-invented-${i}` }));
    const seen = origin.requests.length;
    const r = await create(s);
    expect(r.status).toBe(400);
    expect(r.body.detail.details).toEqual([
      { field: 'scenario.cues[0].root.children[0].pluginChain[64].name', reason: expect.stringMatching(/^more than 64 distinct plugins/) },
    ]);
    expect(origin.requests.length).toBe(seen);
  });

  it('accepts every scenario the editor made (editor-generated and editor-exports)', async () => {
    const results: string[] = [];
    for (const [name, scenario] of editorScenarios()) {
      const r = await create(scenario);
      results.push(`${name} ${r.status}${r.status === 201 ? '' : ` ${JSON.stringify(r.body.detail?.details?.slice(0, 3) ?? r.body)}`}`);
    }
    expect(results.filter((l) => !/ 201$/.test(l))).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(20);
  });

  it('preflight: where each plugin comes from, issues, cues, duration, estimate — and nothing queued', async () => {
    const user = await mintToken('preflight-only');
    const s = twoPluginScenario('glitch', 'zz-nowhere');
    const r = await svc.call('POST', '/api/scenario/preflight', { token: user, body: { scenario: s, options: { fps: 30 } } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: false,
      issues: [
        { field: 'scenario.cues[0].root.children[1].pluginChain[1].name', reason: expect.stringMatching(/^unknown plugin "zz-nowhere"/) },
      ],
      sourceVersion: '2.0',
      cues: 1,
      visibleCues: 1,
      durationSec: 2.5,
      estimatedRenderSeconds: expect.any(Number),
      plugins: [
        { ref: 'glitch', source: 'origin', name: 'glitch', version: '2.0.0', uses: 1 },
        { ref: 'fadeIn', source: 'bundled', name: 'fadeIn', version: '2.0.0', uses: 1 },
        { ref: 'zz-nowhere', source: 'unknown', reason: expect.stringMatching(/HTTP 404/), uses: 1 },
      ],
      fonts: [{ family: 'Noto Sans CJK KR', source: 'system', face: 'Noto Sans CJK KR', required: true }],
      warnings: [],
    });
    const [, editorScenario] = editorScenarios().find(([n]) => n.endsWith('realToScenario-v20.json'))!;
    const ok = await svc.call('POST', '/api/scenario/preflight', { token: user, body: { scenario: editorScenario } });
    expect([ok.status, ok.body.ok, ok.body.issues]).toEqual([200, true, []]);
    expect(ok.body.plugins).toEqual([{ ref: 'elastic', source: 'origin', name: 'elastic', version: '2.0.0', uses: expect.any(Number) }]);
    expect(ok.body.cues).toBeGreaterThan(5);
    expect(ok.body.durationSec).toBeGreaterThan(10);
    expect((await svc.call('GET', '/api/render/history', { token: user })).body).toEqual([]);
    const bad = await svc.call('POST', '/api/scenario/preflight', { token: user, body: { scenario: s, options: { fps: 0 } } });
    expect([bad.status, bad.body.detail.code]).toEqual([400, 'RENDER_VALIDATION_FAILED']);
    expect(JSON.stringify(bad.body.detail)).toContain('fps');
  });

  it('origin down: a bundled plugin is accepted (the render asks again); one that only the origin could have → 503', async () => {
    await origin.setDown('refuse');
    expect((await create(simpleScenario({ plugin: 'pulse' }))).status).toBe(201);
    const r = await create(simpleScenario({ plugin: 'zz-only-on-origin' }));
    expect(r.status).toBe(503);
    expect(r.body.detail.code).toBe('RENDER_SERVICE_UNAVAILABLE');
    expect(r.body.detail.message).toContain('zz-only-on-origin');
    expect(r.headers.get('retry-after')).toBeTruthy();
  });
});

describe('render with PLUGIN_ORIGIN (standalone)', () => {
  let origin: PluginOriginServer;
  let svc: Service;
  let token: string;
  let dir: string;
  let files: FileServer;

  beforeAll(async () => {
    requireEditorReference();
    origin = await startPluginOriginServer({ dir: EDITOR_PLUGIN_DIR });
    dir = mkdtempSync(join(tmpdir(), 'ecg-plugin-render-'));
    await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 3, width: 320, height: 180, fps: 10, audio: false });
    files = await startFileServer(dir);
    svc = await startService({
      mode: 'standalone',
      env: { PLUGIN_ORIGIN: origin.url, PLUGIN_CACHE_DIR: join(dir, 'plugin-cache'), QUOTA_DAILY: '100', QUOTA_CONCURRENT: '100' },
    });
    token = await mintToken('plugin-renderer');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const create = async (scenario: unknown): Promise<string> => {
    const r = await svc.call('POST', '/api/render/create', { token, body: { videoUrl: files.url('clip.mp4'), scenario } });
    expect([r.status, r.text]).toEqual([201, expect.any(String)]);
    return r.body.jobId as string;
  };

  it('the origin down for every attempt: failed, recorded as RENDER_PLUGIN_UNAVAILABLE after the retries', async () => {
    await origin.setDown('500');
    const before = origin.requests.length;
    const jobId = await create(simpleScenario({ plugin: 'pulse', start: 0.2, end: 2.5 }));
    const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('failed');
    expect(final.errorCode).toBe('RENDER_PLUGIN_UNAVAILABLE');
    expect(final.error).toMatch(/plugin origin unavailable: .*pulse@2\.0\.0\/manifest\.json answered HTTP 500/);
    // Asked once at create (bundled, so accepted while the origin is down) and once per attempt (3).
    expect(origin.requests.slice(before).filter((p) => p === '/plugins/pulse@2.0.0/manifest.json').length).toBe(4);
  });

  it('the origin down at the first attempt, back before the next: the job retries and completes with the origin plugin', async () => {
    await origin.setDown('500');
    const before = origin.requests.length;
    const jobId = await create(simpleScenario({ plugin: 'pulse', start: 0.2, end: 2.5 }));
    // The first attempt asked and failed (retryable); the origin comes back.
    for (let i = 0; i < 200 && !origin.requests.slice(before).includes('/plugins/pulse@2.0.0/manifest.json'); i++) await sleep(100);
    await sleep(300);
    expect((await svc.call('GET', `/api/render/${jobId}/status`, { token })).body.status).not.toBe('failed');
    await origin.setDown(false);
    const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect([final.status, final.errorCode]).toEqual(['completed', undefined]);
    expect(origin.requests.slice(before)).toContain('/plugins/pulse@2.0.0/index.mjs');
  });

  it('an origin-only plugin whose entry redirects to object storage renders', async () => {
    origin.setRedirectEntries(true);
    const before = origin.requests.length;
    const jobId = await create(simpleScenario({ plugin: 'elastic', start: 0.2, end: 2.5 }));
    const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect([final.status, final.errorCode, final.error]).toEqual(['completed', undefined, undefined]);
    expect(origin.requests.slice(before)).toEqual(
      expect.arrayContaining([
        '/plugins/elastic@2.0.0/manifest.json',
        '/plugins/elastic@2.0.0/index.mjs',
        '/object-storage/plugins/elastic@2.0.0/index.mjs',
      ]),
    );
  });
});
