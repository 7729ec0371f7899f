// The parity check (src/parity) over every fixture of test/fixtures/motiontext-samples: each is
// rendered through the service's pipeline (RenderEngine → MP4) and compared, on sampled frames
// with every cue boundary first, with the engine alone in a browser page over the same source
// frame. Small and short (320×180, 4 fps, 10 s) to keep the suite quick. Also: the check does
// catch a caption that is late, and the console's routes exist only where they should.
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserPool } from '../../src/browser-pool/browser-pool.service.js';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { FontResolver } from '../../src/fonts/font-resolver.js';
import { runParity, type ParityReport } from '../../src/parity/parity-runner.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { createEngineContext, ensureCaptionPageBundle, listFixtures, readFixture } from '../helpers/engine.js';
import { makeTestVideo } from '../helpers/media.js';
import { startService } from '../helpers/service-harness.js';

jest.setTimeout(300_000);

const W = 320;
const H = 180;
const FPS = 4;
const SECONDS = 10;
const FRAMES = 6;

describe('parity: service pipeline vs the engine alone', () => {
  let ctx: INestApplicationContext;
  let dir: string;
  let source: string;

  beforeAll(async () => {
    ensureCaptionPageBundle();
    dir = mkdtempSync(join(tmpdir(), 'ecg-parity-'));
    source = await makeTestVideo({ path: join(dir, 'source.mp4'), seconds: SECONDS, width: W, height: H, fps: 10, audio: false });
    ctx = await createEngineContext();
  });

  afterAll(async () => {
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Renders `scenario` with the service pipeline, then compares it with `reference` (default: itself). */
  async function check(name: string, scenario: unknown, reference: unknown = scenario): Promise<ParityReport> {
    const out = join(dir, `${name.replace(/\W+/g, '_')}.mp4`);
    const summary = await ctx
      .get(RenderEngine)
      .render({ videoPath: source, scenario, outputPath: out, options: { fps: FPS, quality: 100 } });
    const lease = await ctx.get(BrowserPool).acquire();
    try {
      const prepared = prepareScenario(reference);
      return await runParity({
        sourcePath: source,
        renderedPath: out,
        prepared,
        // The same faces as the render (Arial → Arimo, …), in the reference page too.
        fonts: (await ctx.get(FontResolver).plan(prepared.scenario, { mode: 'warn' })).fonts,
        width: summary.width,
        height: summary.height,
        fps: summary.fps,
        framesTotal: summary.framesTotal,
        frames: FRAMES,
        browser: lease.browser,
      });
    } finally {
      await lease.release();
      rmSync(out, { force: true });
    }
  }

  const fixtures = listFixtures();

  it('lists every fixture', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s: every sampled frame matches the engine', async (rel) => {
    const report = await check(rel, readFixture(rel));
    const bad = report.frames.filter((f) => !f.match);
    if (bad.length) console.warn(`${rel}: ${JSON.stringify(bad)}`);
    expect(bad).toEqual([]);
    expect(report.frames.length).toBeGreaterThanOrEqual(Math.min(FRAMES, report.framesTotal));
    // Cue boundaries are sampled when a cue starts within the video, and some caption is compared.
    const prepared = prepareScenario(readFixture(rel));
    if (prepared.cueWindows.some((w) => w.start < SECONDS - 0.5)) {
      expect(report.frames.some((f) => f.reason === 'cue-start')).toBe(true);
    }
  });

  it('reports a mismatch when the rendered captions are late', async () => {
    // Render the scenario with every time shifted by 0.5 s, compare with the original.
    const original = readFixture('basic.json');
    const shifted = JSON.parse(JSON.stringify(original), function (key, value) {
      if ((key === 'displayTime' || key === 'domLifetime') && Array.isArray(value) && value.every((v) => typeof v === 'number')) {
        return value.map((v: number) => v + 0.5);
      }
      return value;
    });
    const report = await check('late', shifted, original);
    expect(report.match).toBe(false);
    const boundary = report.frames.filter((f) => f.reason === 'cue-start');
    expect(boundary.length).toBeGreaterThan(0);
    expect(boundary.every((f) => !f.match)).toBe(true);
    expect(Math.max(...boundary.map((f) => f.captionDiffShare))).toBeGreaterThan(0.5);
  });
});

describe('console routes', () => {
  it('without ALLOW_DEV_TOKENS the dev-token routes do not exist (404); the console and prepare do', async () => {
    const svc = await startService({ mode: 'api' });
    try {
      expect((await svc.call('GET', '/api/dev/token')).status).toBe(404);
      expect((await svc.call('POST', '/api/dev/token', { body: { userId: 'x' } })).status).toBe(404);
      const index = await svc.call('GET', '/');
      expect([200, 503]).toContain(index.status);
      const token = await (await import('../support/api-client.js')).mintToken('prep-user');
      expect((await svc.call('POST', '/api/scenario/prepare', { body: { scenario: readFixture('legacy/basic.json') } })).status).toBe(401);
      const prep = await svc.call('POST', '/api/scenario/prepare', { token, body: { scenario: readFixture('legacy/basic.json') } });
      expect(prep.status).toBe(200);
      expect(prep.body.sourceVersion).toBe('1.3');
      expect(prep.body.scenario.version).toBe('2.0');
      const bad = await svc.call('POST', '/api/scenario/prepare', { token, body: { scenario: { version: '2.0', cues: 'nope' } } });
      expect(bad.status).toBe(400);
      expect(bad.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
      const parity = await svc.call('POST', '/api/render/00000000-0000-4000-8000-000000000000/parity', { token });
      expect(parity.status).toBe(404);
    } finally {
      await svc.close();
    }
  });
});
