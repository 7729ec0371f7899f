// Deterministic seeking: the caption layer at t is the same pixels whatever was seeked before
// (channel plugins leave CSS-variable channels behind, DOM plugins such as cwi-* their
// spans and end states, unless the page resets them). CaptionPage driven directly, on a page leased from the engine's BrowserPool.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/reseek
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { CaptionPage, loadCaptionPageAssets, type CaptionPageAssets } from '../../libs/caption-page/src/index.js';
import { BrowserPool, type BrowserLease } from '../../src/browser-pool/browser-pool.service.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { createEngineContext, decodePng, differingPixels, ensureCaptionPageBundle, opaquePixels, readFixture } from '../helpers/engine.js';

jest.setTimeout(120_000);

const W = 480;
const H = 270;
const T = 5;

// cwi_sentence_wave: cwi-color / cwi-bouncing / cwi-whisper / cwi-loud (DOM plugins on a shared
// word span and letter spans; cwi-bouncing also writes --mtx-* channels) over 0–6.5 s. animated_subtitle: DOM plugins (fadeIn, pop, bobY on 1–5 s,
// shakeX on 6–10 s). dual_channel_test: spin (channel) + typewriter over 0–10 s.
const CASES = ['cwi_sentence_wave.json', 'animated_subtitle.json', 'dual_channel_test.json'];

describe('the same t gives the same pixels whatever the seek history', () => {
  let app: INestApplicationContext;
  let lease: BrowserLease;
  let assets: CaptionPageAssets;

  beforeAll(async () => {
    ensureCaptionPageBundle();
    app = await createEngineContext();
    lease = await app.get(BrowserPool).acquire();
    assets = await loadCaptionPageAssets();
  });

  afterAll(async () => {
    await lease?.release();
    await app?.close();
  });

  async function openWith(fixture: string): Promise<CaptionPage> {
    const page = await CaptionPage.open(await lease.newPage(), assets, { width: W, height: H });
    const load = await page.load(prepareScenario(readFixture(fixture)).scenario);
    expect(load.mountedCues).toBeGreaterThan(0);
    return page;
  }

  async function frameAfter(page: CaptionPage, history: number[]): Promise<Buffer> {
    let visible = false;
    for (const t of history) visible = (await page.seek(t)).visible;
    expect(visible).toBe(true);
    const png = decodePng(await page.capture());
    expect([png.width, png.height]).toEqual([W, H]);
    return png.rgba;
  }

  it.each(CASES)('%s: seek(5) on a fresh page = after seek(1), seek(9), seek(5), on a fresh page and on the same page', async (fixture) => {
    const a = await openWith(fixture);
    const b = await openWith(fixture);
    try {
      const fresh = await frameAfter(a, [T]);
      // Not vacuous: there is a caption at t = 5.
      expect(opaquePixels(fresh)).toBeGreaterThan(200);

      const otherPage = await frameAfter(b, [1, 9, T]);
      const samePage = await frameAfter(a, [1, 9, T]);
      // Backwards and forwards around t, with visible frames on both sides.
      const around = await frameAfter(b, [6.4, 0.5, T - 0.1, T + 0.1, T]);
      const again = await frameAfter(a, [T]);

      expect({
        otherPage: differingPixels(fresh, otherPage),
        samePage: differingPixels(fresh, samePage),
        around: differingPixels(fresh, around),
        again: differingPixels(fresh, again),
      }).toEqual({ otherPage: 0, samePage: 0, around: 0, again: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  // Playback seeks every frame in order, so a word's transform changes a little on each one.
  // Chromium's compositor then kept the layer rasterised at an earlier scale: the DOM and the
  // computed styles matched a direct seek exactly, yet "great" (cwi-loud swelling to 2.1×) came
  // out blurrier — 13 000 px differed at 960×540 — and the bouncing letters differed too.
  it('cwi_sentence_wave: every frame of a 30 fps playback equals a direct seek on a fresh page', async () => {
    const playback = await openWith('cwi_sentence_wave.json');
    // Ends of cwi-bouncing ("wave"), cwi-loud at full swell ("great"), cwi-bouncing ("today").
    const checks = new Map<number, Buffer>([84, 140, 176].map((f) => [f, Buffer.alloc(0)]));
    try {
      for (let f = 0; f <= 176; f++) {
        const r = await playback.seek(f / 30);
        if (checks.has(f)) {
          expect(r.visible).toBe(true);
          checks.set(f, decodePng(await playback.capture()).rgba);
        }
      }
    } finally {
      await playback.close();
    }
    const differing: Record<number, number> = {};
    for (const [f, played] of checks) {
      const fresh = await openWith('cwi_sentence_wave.json');
      try {
        const direct = await frameAfter(fresh, [f / 30]);
        expect(opaquePixels(direct)).toBeGreaterThan(200);
        differing[f] = differingPixels(direct, played);
      } finally {
        await fresh.close();
      }
    }
    expect(differing).toEqual({ 84: 0, 140: 0, 176: 0 });
  });
});
