// The faces FontResolver hands over, as the caption page (real Chromium) draws them: Arial in
// Arial's own advance widths (Arimo), colour emoji in colour, Korean in Noto Sans KR, Arabic and
// Hebrew drawn right to left. Each check is also run without our faces, to show it can fail.
import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { CaptionPage, loadCaptionPageAssets, type CaptionPageAssets } from '../../libs/caption-page/src/index.js';
import type { PageFont } from '../../libs/caption-page/src/load-options.js';
import { launchChromium } from '../../src/browser-pool/chromium-launch.js';
import { FontResolver } from '../../src/fonts/font-resolver.js';
import { FontSources } from '../../src/fonts/font-sources.js';
import { GuardedFetcher } from '../../src/net/guarded-fetcher.js';
import { decodePng } from '../../src/render/png.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { ensureCaptionPageBundle } from '../helpers/engine.js';

jest.setTimeout(180_000);
const W = 640;
const H = 360;

/** One cue showing `text` from 0 to 5 s, centred, in `fontFamily` at `fontSize`. */
const oneCue = (text: string, fontFamily: string, fontSize = '48px') => ({
  version: '2.0',
  timebase: { unit: 'seconds' },
  stage: { baseAspect: '16:9' },
  tracks: [{ id: 't', type: 'subtitle', layer: 1, defaultStyle: { fontFamily, fontSize, color: '#ffffff' } }],
  cues: [
    {
      id: 'c',
      track: 't',
      domLifetime: [0, 5],
      root: {
        id: 'g',
        eType: 'group',
        children: [{ id: 'n', eType: 'text', text, displayTime: [0, 5], layout: { position: [0.5, 0.5], anchor: 'cc' } }],
      },
    },
  ],
});

// Arial's advance widths (units per em 2048): H 1479, e 1139, l 455, o 1139, space 569, W 1933,
// r 682, d 1139 — Liberation Sans/Arimo were drawn to the same widths.
const ARIAL_HELLO_WORLD_AT_100PX = (10584 / 2048) * 100; // 516.8 px

let browser: Browser;
let assets: CaptionPageAssets;
let resolver: FontResolver;
let fetcher: GuardedFetcher;
let cacheDir: string;

beforeAll(async () => {
  ensureCaptionPageBundle();
  assets = await loadCaptionPageAssets();
  browser = await launchChromium(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  cacheDir = await mkdtemp(join(tmpdir(), 'ecg-page-fonts-'));
  fetcher = new GuardedFetcher();
  // No web origins: everything here comes from the npm packages and the system.
  const config = { origins: [], assetOrigins: [], cacheDir, fallback: 'refuse' as const, allowPrivateNetworks: false };
  resolver = new FontResolver(config, new FontSources(fetcher, config));
});
afterAll(async () => {
  await browser?.close();
  await fetcher?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

async function withPage<T>(scenario: object, fonts: readonly PageFont[], fn: (page: CaptionPage) => Promise<T>): Promise<T> {
  const page = await CaptionPage.open(await browser.newPage({ type: 'window' }), assets, { width: W, height: H });
  try {
    const result = await page.load(prepareScenario(scenario).scenario, { fonts });
    expect(result.warnings.filter((w) => /font/i.test(w))).toEqual([]);
    return await fn(page);
  } finally {
    await page.close();
  }
}

async function fontsFor(scenario: Record<string, unknown>): Promise<PageFont[]> {
  return (await resolver.plan(prepareScenario(scenario).scenario)).fonts;
}

/** Width of `text` in `font` (CSS shorthand), kerning off, measured in the caption page. */
const measure = (page: CaptionPage, font: string, text: string) =>
  page.page.evaluate(
    (f, t) => {
      const span = document.createElement('span');
      span.style.font = f;
      span.style.fontKerning = 'none';
      span.style.whiteSpace = 'pre';
      span.textContent = t;
      document.body.appendChild(span);
      const w = span.getBoundingClientRect().width;
      span.remove();
      return w;
    },
    font,
    text,
  );

/** Pixels of a capture that are opaque and strongly coloured (max − min channel > 80). */
function chromaPixels(png: Buffer): { colour: number; opaque: number } {
  const { rgba } = decodePng(png);
  let colour = 0;
  let opaque = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] < 200) continue;
    opaque++;
    if (Math.max(rgba[i], rgba[i + 1], rgba[i + 2]) - Math.min(rgba[i], rgba[i + 1], rgba[i + 2]) > 80) colour++;
  }
  return { colour, opaque };
}

describe('fonts in the caption page', () => {
  it('"Arial" is drawn with Arimo, in Arial\'s advance widths', async () => {
    const s = oneCue('Hello World', 'Arial, sans-serif');
    const fonts = await fontsFor(s);
    const width = await withPage(s, fonts, async (page) => {
      const faces = await page.page.evaluate(
        () => [...document.fonts].filter((f) => f.family.replace(/"/g, '') === 'Arial' && f.status === 'loaded').length,
      );
      expect(faces).toBeGreaterThan(0);
      return measure(page, '100px Arial', 'Hello World');
    });
    expect(Math.abs(width - ARIAL_HELLO_WORLD_AT_100PX)).toBeLessThan(0.6);
    // Without our faces the machine's fallback for "Arial" has other widths (lines would break elsewhere).
    const fallbackWidth = await withPage(s, [], (page) => measure(page, '100px Arial', 'Hello World'));
    console.log(
      `"Hello World" in 100px Arial: ${width.toFixed(2)} px with Arimo (Arial: ${ARIAL_HELLO_WORLD_AT_100PX.toFixed(2)} px), ${fallbackWidth.toFixed(2)} px with the machine's fallback`,
    );
    expect(Math.abs(fallbackWidth - ARIAL_HELLO_WORLD_AT_100PX)).toBeGreaterThan(5);
  });

  it.each(['Roboto Flex', 'Pretendard', 'Nanum Gothic', '나눔고딕', 'Noto Sans KR', 'Courier New', 'Times New Roman'])(
    '%s: every face we hand over loads in Chromium and covers the text',
    async (family) => {
      const s = oneCue('Hello 안녕 123', `'${family}', sans-serif`);
      const plan = await resolver.plan(prepareScenario(s).scenario);
      expect(plan.families[0]).toMatchObject({ family, source: 'bundled' });
      expect(plan.fonts.length).toBeGreaterThan(0);
      await withPage(s, plan.fonts, async (page) => {
        const loaded = await page.page.evaluate(
          (f) => [...document.fonts].filter((x) => x.family.replace(/"/g, '') === f && x.status === 'loaded').length,
          family,
        );
        expect(loaded).toBe(plan.fonts.length);
        // Latin: every family; Hangul: those that have it (others fall back to the system's CJK face).
        expect(await page.page.evaluate((f) => document.fonts.check(`48px "${f}"`, 'Hello'), family)).toBe(true);
      });
    },
  );

  it('colour emoji are drawn in colour', async () => {
    const s = oneCue('😀🎉', 'Arial, sans-serif', '96px');
    const fonts = await fontsFor(s);
    expect(fonts.some((f) => f.family === 'Arial' && /1F600/.test(f.unicodeRange ?? ''))).toBe(true);
    const shot = (f: readonly PageFont[]) =>
      withPage(s, f, async (page) => {
        const ours = await page.page.evaluate(() =>
          [...document.fonts].some((x) => x.family.replace(/"/g, '') === 'Arial' && x.status === 'loaded' && /1F600/i.test(x.unicodeRange)),
        );
        expect(ours).toBe(true);
        await page.seek(1);
        const png = await page.capture();
        return chromaPixels(png);
      });
    // (Without our faces the machine's own emoji font, if any, would draw them: not checked here.)
    const withOurs = await shot(fonts);
    expect(withOurs.colour).toBeGreaterThan(1000);
  });

  it('Korean is drawn in Noto Sans KR from the npm package', async () => {
    const s = oneCue('안녕하세요 세계', "'Noto Sans KR', sans-serif");
    const fonts = await fontsFor(s);
    expect(fonts.every((f) => f.family === 'Noto Sans KR')).toBe(true);
    await withPage(s, fonts, async (page) => {
      const ok = await page.page.evaluate(() => document.fonts.check('48px "Noto Sans KR"', '안녕하세요'));
      expect(ok).toBe(true);
      const loaded = await page.page.evaluate(() => [...document.fonts].filter((f) => f.status === 'loaded').length);
      expect(loaded).toBe(fonts.length);
      await page.seek(1);
      expect(chromaPixels(await page.capture()).opaque).toBeGreaterThan(500);
    });
  });

  it('Arabic and Hebrew are drawn right to left, with glyphs (no tofu)', async () => {
    const arabic = 'مرحبا بالعالم';
    const hebrew = 'שלום עולם';
    const s = oneCue(`${arabic} ${hebrew}`, 'Arial, sans-serif');
    const plan = await resolver.plan(prepareScenario(s).scenario);
    expect(plan.tofu).toEqual([]);
    await withPage(s, plan.fonts, async (page) => {
      // The first logical character of an RTL run lies to the right of the last one.
      const order = await page.page.evaluate((a) => {
        const span = document.createElement('span');
        span.style.font = '48px Arial';
        span.textContent = a;
        document.body.appendChild(span);
        const range = document.createRange();
        range.setStart(span.firstChild!, 0);
        range.setEnd(span.firstChild!, 1);
        const first = range.getBoundingClientRect().x;
        range.setStart(span.firstChild!, a.length - 1);
        range.setEnd(span.firstChild!, a.length);
        const last = range.getBoundingClientRect().x;
        span.remove();
        return { first, last };
      }, arabic);
      expect(order.first).toBeGreaterThan(order.last);
      const arabicCovered = await page.page.evaluate(() => document.fonts.check('48px Arial', 'مرحبا'));
      expect(arabicCovered).toBe(true);
      await page.seek(1);
      expect(chromaPixels(await page.capture()).opaque).toBeGreaterThan(500);
    });
  });
});
