// Scenario assets end to end through RenderEngine (issue 11.4): the engine sample
// v2/with_assets_v20.json names `images/logo.png` and `fonts/NotoSansKR-Regular.woff2`; with
// ASSET_ORIGINS = a loopback asset origin both are fetched through the guarded fetcher, the page
// gets the logo inline (data: URL) and nothing is reported. Without ASSET_ORIGINS: refused, or
// (FONT_FALLBACK=warn) rendered without them and reported.
// NOTE motiontext-renderer 1.5.0 draws no image node at all (it moves the picture into an
// "effects root" appended to the <img> element itself, which cannot have children) — in the
// editor too. So this checks what reaches the page, not pixels.
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { RenderError } from '../../src/render/render-errors.js';
import { CaptionPage, loadCaptionPageAssets } from '../../libs/caption-page/src/index.js';
import { launchChromium } from '../../src/browser-pool/chromium-launch.js';
import { createEngineContext, ensureCaptionPageBundle, makeColorVideo, readFixture } from '../helpers/engine.js';
import { FONT_FILES, startFontOriginServer, type FontOriginServer } from '../helpers/font-origin-server.js';
import { makeCaptionPng } from '../helpers/media.js';

jest.setTimeout(240_000);
const W = 320;
const H = 180;
const FPS = 4;

let dir: string;
let video: string;
let origin: FontOriginServer;
const contexts: INestApplicationContext[] = [];

async function engineWith(env: Record<string, string>): Promise<RenderEngine> {
  const ctx = await createEngineContext({
    ALLOW_PRIVATE_NETWORKS: 'true',
    FONT_ORIGINS: 'none',
    FONT_CACHE_DIR: join(dir, 'cache'),
    ...env,
  });
  contexts.push(ctx);
  return ctx.get(RenderEngine);
}

beforeAll(async () => {
  ensureCaptionPageBundle();
  dir = mkdtempSync(join(tmpdir(), 'ecg-assets-'));
  video = await makeColorVideo({ path: join(dir, 'black.mp4'), seconds: 3, width: W, height: H, fps: FPS, color: 'black' });
  const logo = join(dir, 'logo.png');
  writeFileSync(logo, makeCaptionPng(64, 64, { x: 0, y: 0, w: 64, h: 64, color: [230, 20, 20, 255] }));
  origin = await startFontOriginServer({
    assets: { 'images/logo.png': logo, 'fonts/NotoSansKR-Regular.woff2': FONT_FILES.notoSansKrKorean },
  });
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await origin?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('with ASSET_ORIGINS: the logo and the font file come from the asset origin and reach the page (logo inline, font as a face under its define key)', async () => {
  const engine = await engineWith({ FONT_FALLBACK: 'refuse', ASSET_ORIGINS: origin.assetsUrl });
  const before = origin.requests.length;
  const out = join(dir, 'with-assets.mp4');
  const summary = await engine.render({
    videoPath: video,
    scenario: readFixture('v2/with_assets_v20.json'),
    outputPath: out,
    options: { fps: FPS },
  });
  expect(summary.warnings).toEqual([]);
  expect(origin.requests.slice(before)).toEqual(
    expect.arrayContaining(['/assets/images/logo.png', '/assets/fonts/NotoSansKR-Regular.woff2']),
  );

  // What the page receives: the logo inline, the custom font as a face under its define key.
  const plugged = await engine.preparePlugins(readFixture('v2/with_assets_v20.json'));
  const { prepared, fonts } = await engine.planFonts(plugged.prepared);
  const logo = (prepared.scenario.cues as Array<{ root: { src: string } }>)[0].root.src;
  expect(logo).toBe(`data:image/png;base64,${readFileSync(join(dir, 'logo.png')).toString('base64')}`);
  expect(fonts.map((f) => f.family)).toContain('custom_font');
  const browser = await launchChromium(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  try {
    const page = await CaptionPage.open(await browser.newPage({ type: 'window' }), await loadCaptionPageAssets(), { width: W, height: H });
    await page.load(prepared.scenario, { fonts });
    await page.seek(1);
    const src = await page.page.evaluate(() => document.querySelector<HTMLImageElement>('.mtx-image img')?.src ?? null);
    expect(src).toBe(logo);
    // The title, in custom_font (Noto Sans KR's face from the asset origin), shows from t = 2 s.
    await page.seek(3);
    expect(await page.page.evaluate(() => document.fonts.check('32px custom_font', 'MotionText'))).toBe(true);
    await page.close();
  } finally {
    await browser.close();
  }
});

it('without ASSET_ORIGINS: refused (RENDER_FONT_UNAVAILABLE naming custom_font); with warn, rendered without the logo and reported', async () => {
  const refusing = await engineWith({ FONT_FALLBACK: 'refuse' });
  const err = await refusing
    .render({
      videoPath: video,
      scenario: readFixture('v2/with_assets_v20.json'),
      outputPath: join(dir, 'refused.mp4'),
      options: { fps: FPS },
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RenderError);
  expect((err as RenderError).code).toBe('RENDER_FONT_UNAVAILABLE');
  expect((err as RenderError).message).toContain('"custom_font"');

  const warning = await engineWith({ FONT_FALLBACK: 'warn' });
  const out = join(dir, 'warned.mp4');
  const summary = await warning.render({
    videoPath: video,
    scenario: readFixture('v2/with_assets_v20.json'),
    outputPath: out,
    options: { fps: FPS },
  });
  expect(summary.warnings).toEqual([
    expect.stringMatching(/^font family "custom_font" cannot be loaded/),
    expect.stringMatching(/^image "images\/logo\.png" \(scenario\.cues\[0\]\.root\.src\) cannot be loaded .*no ASSET_ORIGINS/),
  ]);
});
