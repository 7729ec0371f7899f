// Our versions of the editor's effect plugins (elastic, glitch, magnetic, rotation, scalepop,
// slideup, fliptype; browser/plugins/editor-effects.ts): parameter defaults equal the editor's
// manifests, the eases equal GSAP's, and in real Chromium every name@version is registered,
// paints inside its window, and gives the same pixels for the same t whatever was seeked before.
// Needs the bundle (built here when stale) and the editor reference (../shared/editor-reference).
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import gsap from 'gsap';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { decodePng } from '../../../src/render/png.js';
import { EDITOR_PLUGIN_DIR, requireEditorReference } from '../../../test/helpers/editor-reference-dir.js';
import { EDITOR_EFFECT_DEFAULTS, editorEffectPlugins } from './browser/plugins/editor-effects.js';
import { parseEase } from './browser/plugins/effects/eases.js';
import { TweenProgram } from './browser/plugins/effects/tween-program.js';
import { BUNDLED_PLUGINS, CaptionPage, loadCaptionPageAssets, type CaptionPageAssets } from './index.js';

jest.setTimeout(240_000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const W = 640;
const H = 360;
const EFFECTS = ['elastic', 'glitch', 'magnetic', 'rotation', 'scalepop', 'slideup', 'fliptype'];
const VERSIONS = ['2.0.0', '1.0.0'];
const REFS = EFFECTS.flatMap((n) => VERSIONS.map((v) => `${n}@${v}`));

function manifest(ref: string): { type: string; schema: Record<string, { default?: unknown }> } {
  return JSON.parse(readFileSync(join(EDITOR_PLUGIN_DIR, ref, 'manifest.json'), 'utf8'));
}

/** One cue, one text node in [1, 4] s with the plugin over the node's time (window 1 → 7 s). */
function scenario(
  plugin: string,
  text = 'Hello caption world',
  params: Record<string, unknown> = {},
  timeOffset: [string, string] = ['0%', '100%'],
): Record<string, unknown> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'editor', type: 'free', layer: 1 }],
    cues: [
      {
        id: 'cue-0',
        track: 'editor',
        domLifetime: [1, 4],
        root: {
          id: 'group-0',
          eType: 'group',
          displayTime: [1, 4],
          layout: { position: { x: 0.5, y: 0.5 }, anchor: 'cc', size: { width: 0.9, height: 0.3 } },
          children: [
            {
              id: 'text-0',
              eType: 'text',
              text,
              displayTime: [1, 4],
              layout: { position: { x: 0.5, y: 0.5 }, anchor: 'cc', size: { width: 'auto', height: 'auto' }, overflow: 'visible' },
              style: { fontSizeRel: 0.07, color: '#ffffff', align: 'center', whiteSpace: 'nowrap' },
              // As the editor writes it: the node's time as base, offsets ["0%", "100%"].
              pluginChain: [{ name: plugin, params, baseTime: [1, 4], timeOffset }],
            },
          ],
        },
      },
    ],
  };
}

const opaque = (png: Buffer): number => {
  const { rgba } = decodePng(png);
  let n = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] > 8) n++;
  return n;
};

describe('editor effects: parameters and curves', () => {
  beforeAll(() => requireEditorReference());

  it.each(REFS)('%s: defaults equal the manifest, type as the manifest', (ref) => {
    const m = manifest(ref);
    const name = ref.split('@')[0];
    const fromManifest = Object.fromEntries(Object.entries(m.schema).map(([k, v]) => [k, v.default]));
    expect(EDITOR_EFFECT_DEFAULTS[name]).toEqual(fromManifest);
    expect(BUNDLED_PLUGINS.find((p) => p.name === name)?.type).toBe(m.type);
    const module = editorEffectPlugins[ref] as unknown as Record<string, unknown>;
    expect(typeof module.init).toBe('function');
    expect(typeof module.animate).toBe('function');
    expect(typeof module.cleanup).toBe('function');
    expect(typeof module.evalChannels).toBe(m.type === 'hybrid' ? 'function' : 'undefined');
  });

  it.each([
    'power1.out',
    'power2.out',
    'power1.inOut',
    'back.out(1.7)',
    'back.out(2)',
    'back.out',
    'elastic.out(0.7, 0.3)',
    'elastic.out(0.7, 0.2)',
    'elastic.out(1.5, 0.3)',
    'elastic.out',
    'bounce.out',
    'none',
  ])('ease %s equals GSAP', (name) => {
    const ours = parseEase(name);
    const theirs = gsap.parseEase(name);
    for (let i = 0; i <= 100; i++) expect(ours(i / 100)).toBeCloseTo(theirs(i / 100), 9);
  });

  it('tween programs follow a playing timeline: set after 0, yoyo returns, later tween wins', () => {
    const p = new TweenProgram();
    p.set(0, { y: 30 }, 0);
    p.to(0, { y: 0 }, 0, 1, { ease: 'none' });
    p.to(0, { x: 10 }, 1, 0.1, { ease: 'none', repeat: 1, yoyo: true });
    p.fromTo(0, { opacity: 0 }, { opacity: 1 }, 2, 1, { ease: 'none' });
    expect(p.duration()).toBe(3);
    expect(p.valueAt(0, 'y', 0, 0)).toBeUndefined(); // the set shows once the playhead moved
    expect(p.valueAt(0, 'y', 0.5, 0)).toBeCloseTo(15, 6); // `to` starts from the set's 30
    expect(p.valueAt(0, 'x', 1.1, 0)).toBeCloseTo(10, 6);
    expect(p.valueAt(0, 'x', 1.5, 0)).toBe(0); // even number of yoyo legs: back at the start
    expect(p.valueAt(0, 'opacity', 0.5, 1)).toBe(0); // fromTo writes its start at once
    expect(p.valueAt(0, 'opacity', 2.5, 1)).toBeCloseTo(0.5, 6);
  });
});

describe('editor effects in the caption page (real Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let assets: CaptionPageAssets;
  let cp: CaptionPage;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-caption-page.mjs'), '--if-stale'], { stdio: 'inherit' });
    assets = await loadCaptionPageAssets();
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    page = await browser.newPage();
    cp = await CaptionPage.open(page, assets, { width: W, height: H });
  });

  afterAll(async () => {
    await cp?.close().catch(() => undefined);
    await browser?.close();
  });

  it('registers every effect bare and as name@2.0.0 / name@1.0.0', async () => {
    const names = await cp.plugins();
    for (const n of EFFECTS) expect(names).toEqual(expect.arrayContaining([n, `${n}@2.0.0`, `${n}@1.0.0`]));
  });

  // Window 1 → 7 s (the engine reads an end offset of "100%" from the base's end); the node
  // shows 1 → 4 s, so p runs 0 → 0.5 while it is on screen.
  const TIMES = [1.05, 1.4, 2, 2.6, 3.9];

  it.each([...REFS, ...EFFECTS])('%s paints inside its window and nothing outside; same t → same pixels', async (ref) => {
    const res = await cp.load(scenario(ref));
    expect(res.warnings.filter((w) => /unknown plugin|init failed|cleanup failed/i.test(w))).toEqual([]);
    expect(res.mountedCues).toBe(1);
    const direct: Buffer[] = [];
    for (const t of TIMES) {
      const r = await cp.seek(t);
      expect(r.visible).toBe(true);
      direct.push(await cp.capture());
    }
    // (fliptype types from p = 0.3 on, i.e. from 2.8 s: only the last time shows letters.)
    expect(Math.max(...direct.map(opaque))).toBeGreaterThan(300);
    // A DOM plugin must not pile up text over frames (the editor's glitch does under a bare name).
    const textLength = await page.evaluate(() => document.querySelector('.mtx-text')?.textContent?.length ?? 0);
    expect(textLength).toBeLessThanOrEqual(3 * 'Hello caption world'.length);
    // Backwards, and after unrelated seeks: identical pixels.
    for (let i = TIMES.length - 1; i >= 0; i--) {
      await cp.seek(TIMES[(i + 2) % TIMES.length]);
      await cp.seek(TIMES[i]);
      expect((await cp.capture()).equals(direct[i])).toBe(true);
    }
    const outside = await cp.seek(4.5);
    expect(outside.visible).toBe(false);
    // A fresh load draws the same "random" values (they come from the node id).
    await cp.load(scenario(ref));
    await cp.seek(TIMES[1]);
    expect((await cp.capture()).equals(direct[1])).toBe(true);
  });

  it('magnetic pulls letters within ±magnetStrength, both ways, and they differ from letter to letter', async () => {
    await cp.load(scenario('magnetic@2.0.0', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', { magnetStrength: 20 }));
    // Program length: last letter's start (25 × 0.1) + hum start (0.7 × 1.2) + hum (4 × 0.1) = 3.74 s,
    // spread over the 6 s window; at 1 s on that clock letters 6–10 are mid-pull, 0–5 springing back.
    await cp.seek(1 + 6 * (1 / 3.74));
    const xs = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.ecg-magnetic-char')).map((s) => new DOMMatrix(getComputedStyle(s).transform).m41),
    );
    expect(xs.length).toBe(26);
    const moving = xs.filter((x) => Math.abs(x) > 0.5);
    expect(moving.length).toBeGreaterThan(5);
    expect(Math.max(...xs.map(Math.abs))).toBeLessThanOrEqual(20 + 1e-6);
    expect(xs.some((x) => x > 0.5) && xs.some((x) => x < -0.5)).toBe(true);
    expect(new Set(moving.map((x) => x.toFixed(2))).size).toBe(moving.length);
  });

  const letterOffsets = (): Promise<number[]> =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.ecg-magnetic-char')).map((s) => new DOMMatrix(getComputedStyle(s).transform).m41),
    );

  it('magnetic under its bare name redraws every frame (as the editor re-initialises it); versioned, it moves smoothly', async () => {
    const t1 = 1 + 6 * (1 / 3.74);
    const t2 = t1 + 1 / 30;
    const steps: Record<string, number> = {};
    for (const name of ['magnetic', 'magnetic@2.0.0']) {
      await cp.load(scenario(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', { magnetStrength: 20 }));
      await cp.seek(t1);
      const a = await letterOffsets();
      await cp.seek(t2);
      const b = await letterOffsets();
      await cp.seek(t1);
      expect(await letterOffsets()).toEqual(a); // still a function of t
      steps[name] = a.reduce((sum, x, i) => sum + Math.abs(x - b[i]), 0) / a.length;
    }
    // Mean step of a letter over one 30 fps frame: a smooth pull moves little, fresh draws jump.
    expect(steps['magnetic@2.0.0']).toBeLessThan(1.5);
    expect(steps.magnetic).toBeGreaterThan(3 * steps['magnetic@2.0.0']);
  });

  it('after its window (node still shown) elastic keeps its end state: white, upright, full size', async () => {
    // Window 1 → 2.5 s (end offset −50 % of the base); the node shows until 4 s.
    await cp.load(scenario('elastic@2.0.0', 'Hello caption world', {}, ['0%', '-50%']));
    await cp.seek(3);
    const words = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.ecg-elastic-word')).map((w) => {
        const cs = getComputedStyle(w);
        return { color: cs.color, opacity: cs.opacity, transform: cs.transform };
      }),
    );
    expect(words.length).toBe(3);
    for (const w of words) expect(w).toEqual({ color: 'rgb(255, 255, 255)', opacity: '1', transform: 'matrix(1, 0, 0, 1, 0, 0)' });
  });

  it("a blank text shows the editor plugins' placeholders (elastic, glitch, fliptype)", async () => {
    await cp.load(scenario('glitch@2.0.0', ' '));
    await cp.seek(3);
    const text = await page.evaluate(() => document.querySelector('.ecg-glitch-main')?.textContent ?? '');
    expect(text).toBe('글리치 효과');
  });
});
