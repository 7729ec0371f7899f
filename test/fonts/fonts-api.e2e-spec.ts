// Fonts through the real service (issue 11.2, 11.4): a family that cannot be loaded, characters
// no face covers and assets outside ASSET_ORIGINS are refused at create (400 in the envelope,
// naming them); with FONT_FALLBACK=warn the job completes and carries `warnings` in create,
// status, SSE, history and callbacks; a web font comes from FONT_ORIGINS (a loopback CSS API +
// font host) through the guarded fetcher, and a define font file from ASSET_ORIGINS.
//   bash scripts/test.sh test/fonts/fonts-api
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FONT_FILES, startFontOriginServer, type FontOriginServer } from '../helpers/font-origin-server.js';
import { makeTestVideo } from '../helpers/media.js';
import { mintToken, pollStatus } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { startFileServer, startReceiver, type FileServer } from '../support/loopback.js';

jest.setTimeout(240_000);

/** simpleScenario in `fontFamily`, with `text`, and optional extra top-level keys (define). */
function fontScenario(fontFamily: string, text = 'Caption text', extra: Record<string, unknown> = {}): Record<string, any> {
  const s = simpleScenario({ text, start: 0.2, end: 1.8 }) as Record<string, any>;
  s.tracks[0].defaultStyle.fontFamily = fontFamily;
  return { ...s, ...extra };
}

let dir: string;
let files: FileServer;
let origin: FontOriginServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ecg-fonts-api-'));
  await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 2, width: 320, height: 180, fps: 10, audio: false });
  files = await startFileServer(dir);
  origin = await startFontOriginServer({
    families: { 'Loopback Sans': FONT_FILES.cousineLatin400 },
    assets: { 'fonts/NotoSansKR-Regular.woff2': FONT_FILES.notoSansKrKorean },
  });
});
afterAll(async () => {
  await files?.close();
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('FONT_FALLBACK=refuse (default)', () => {
  let svc: Service;
  let token: string;
  beforeAll(async () => {
    svc = await startService({
      mode: 'standalone',
      env: {
        FONT_ORIGINS: origin.url,
        ASSET_ORIGINS: origin.assetsUrl,
        FONT_CACHE_DIR: join(dir, 'cache-refuse'),
        QUOTA_DAILY: '100',
        QUOTA_CONCURRENT: '100',
      },
    });
    token = await mintToken('font-refuse');
  });
  afterAll(async () => svc?.close());
  const create = (scenario: unknown) =>
    svc.call('POST', '/api/render/create', { token, body: { videoUrl: files.url('clip.mp4'), scenario } });

  it('a family nobody has → 400 RENDER_FONT_UNAVAILABLE naming it', async () => {
    const r = await create(fontScenario("'나눔스퀘어 네오', 'Malgun Gothic', sans-serif"));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatchObject({ error: 'Bad Request', code: 'RENDER_FONT_UNAVAILABLE' });
    expect(r.body.detail.message).toContain('"나눔스퀘어 네오" cannot be loaded');
    expect(r.body.detail.details).toEqual([{ field: 'fontFamily:나눔스퀘어 네오', reason: expect.stringContaining('not found at') }]);
    expect(origin.requests.some((p) => p.startsWith('/css2?family=%EB%82%98%EB%88%94'))).toBe(true); // asked the font origin first
  });

  it('preflight names each family and where it comes from; what create would refuse is an issue', async () => {
    const pre = (scenario: unknown) => svc.call('POST', '/api/scenario/preflight', { token, body: { scenario } });
    const arial = await pre(fontScenario('Arial, sans-serif', 'Hello 😀'));
    expect([arial.status, arial.body.ok, arial.body.issues]).toEqual([200, true, []]);
    expect(arial.body.fonts).toEqual([
      { family: 'Arial', source: 'bundled', face: 'Arimo', note: 'metric-compatible with Arial (same advance widths)', required: true },
    ]);
    const missing = await pre(fontScenario("'NanumSquare Neo', Arial", 'x \u{F0001}'));
    expect(missing.body.ok).toBe(false);
    expect(missing.body.fonts).toEqual([
      expect.objectContaining({ family: 'NanumSquare Neo', source: 'missing', required: true }),
      expect.objectContaining({ family: 'Arial', source: 'bundled', required: false }),
    ]);
    expect(missing.body.issues.map((i: { field: string }) => i.field)).toEqual(['fontFamily:NanumSquare Neo', 'text:U+F0001 \u{F0001}']);
    expect((await svc.call('GET', '/api/render/history', { token })).body.length).toBe(0); // nothing queued by preflight
  });

  it('characters no face covers (tofu) → 400 naming each of them', async () => {
    const r = await create(fontScenario('Arial, sans-serif', 'ok \u{F0001} \u{10FFFD}'));
    expect(r.status).toBe(400);
    expect(r.body.detail.code).toBe('RENDER_FONT_UNAVAILABLE');
    expect(r.body.detail.details.map((d: { field: string }) => d.field)).toEqual(['text:U+F0001 \u{F0001}', 'text:U+10FFFD \u{10FFFD}']);
  });

  it('font and image references outside ASSET_ORIGINS → 400 naming the field', async () => {
    const font = await create(fontScenario('f', 'x', { define: { f: { type: 'font', url: 'https://fonts.evil.example/x.woff2' } } }));
    expect(font.status).toBe(400);
    expect(font.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
    expect(font.body.detail.details[0].field).toBe('scenario.define.f.url');
    const img = fontScenario('Arial');
    img.cues[0].root.children.push({
      id: 'logo',
      eType: 'image',
      src: 'file:///etc/passwd',
      displayTime: [0.2, 1.8],
      layout: { position: [0.1, 0.1], size: [0.1, 0.1] },
    });
    const r = await create(img);
    expect(r.status).toBe(400);
    expect(r.body.detail.details[0].field).toBe('scenario.cues[0].root.children[1].src');
  });

  it('a web font from FONT_ORIGINS and a define font file from ASSET_ORIGINS: accepted, rendered, no warnings', async () => {
    const before = origin.requests.length;
    const s = fontScenario("'Loopback Sans', sans-serif", 'Web font 가나다', {
      define: { custom_font: { type: 'font', url: 'fonts/NotoSansKR-Regular.woff2' } },
    });
    s.cues[0].root.children.push({ ...s.cues[0].root.children[0], id: 'text2', style: { fontFamily: 'custom_font' } });
    const r = await create(s);
    expect([r.status, r.body.warnings]).toEqual([201, []]);
    const { final } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 120_000 });
    expect([final.status, final.error, final.warnings]).toEqual(['completed', undefined, []]);
    const asked = origin.requests.slice(before);
    expect(asked.some((p) => p.startsWith('/css2?family=Loopback+Sans'))).toBe(true);
    expect(asked).toContain('/files/cousine-latin-400-normal.woff2');
    expect(asked).toContain('/assets/fonts/NotoSansKR-Regular.woff2');
  });
});

describe('FONT_FALLBACK=warn', () => {
  let svc: Service;
  let token: string;
  beforeAll(async () => {
    svc = await startService({
      mode: 'standalone',
      env: {
        FONT_FALLBACK: 'warn',
        FONT_ORIGINS: origin.url,
        FONT_CACHE_DIR: join(dir, 'cache-warn'),
        QUOTA_DAILY: '100',
        QUOTA_CONCURRENT: '100',
      },
    });
    token = await mintToken('font-warn');
  });
  afterAll(async () => svc?.close());

  it('renders with the fallback and reports the family and the characters in create, status, SSE, history and callbacks', async () => {
    const receiver = await startReceiver();
    try {
      const scenario = fontScenario("'NanumSquare Neo', sans-serif", 'Hello \u{F0001}');
      const r = await svc.call('POST', '/api/render/create', {
        token,
        body: { videoUrl: files.url('clip.mp4'), scenario, callbackUrl: receiver.url },
      });
      expect(r.status).toBe(201);
      expect(r.body.warnings).toEqual([
        expect.stringMatching(/^font family "NanumSquare Neo" cannot be loaded \(.*\); the fallback face is drawn instead$/),
        expect.stringMatching(/no available font has a glyph for U\+F0001/),
      ]);
      const jobId = r.body.jobId as string;

      const sse = await fetch(`${svc.baseUrl}/api/render/${jobId}/events`, { headers: { authorization: `Bearer ${token}` } });
      const reader = sse.body!.getReader();
      let text = '';
      while (!/\ndata: .*\n/.test(`\n${text}`)) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      const event = JSON.parse(/data: (.*)\n/.exec(text)![1]);
      expect(event.warnings).toEqual(r.body.warnings);

      const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
      expect(final.status).toBe('completed');
      expect(final.warnings).toEqual(r.body.warnings);
      const history = await svc.call('GET', '/api/render/history?limit=5', { token });
      expect(history.body.find((h: { jobId: string }) => h.jobId === jobId).warnings).toEqual(r.body.warnings);

      for (let i = 0; i < 100 && !receiver.received.some((q) => JSON.parse(q.body).status === 'completed'); i++)
        await new Promise((res) => setTimeout(res, 100));
      const done = receiver.received.map((q) => JSON.parse(q.body)).find((b) => b.status === 'completed');
      expect(done.warnings).toEqual(r.body.warnings);
    } finally {
      await receiver.close();
    }
  });

  it('a relative font file with no ASSET_ORIGINS: a warning naming it, the render completes', async () => {
    const s = fontScenario('custom_font', 'x', { define: { custom_font: { type: 'font', url: 'fonts/NotoSansKR-Regular.woff2' } } });
    const r = await svc.call('POST', '/api/render/create', { token, body: { videoUrl: files.url('clip.mp4'), scenario: s } });
    expect(r.status).toBe(201);
    expect(r.body.warnings).toEqual([expect.stringMatching(/^font family "custom_font" cannot be loaded \(.*no ASSET_ORIGINS/)]);
    const { final } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 120_000 });
    expect([final.status, final.warnings]).toEqual(['completed', r.body.warnings]);
  });
});
