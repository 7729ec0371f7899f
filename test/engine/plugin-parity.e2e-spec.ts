// Issue 10's per-plugin goal, measured against the editor's own preview (src/parity/editor-
// reference): for every plugin of the editor's server (all @2.0.0, and the @1.0.0 versions the
// editor's exports name), the one-plugin scenario the editor writes is rendered by our caption
// page and by the editor reference page (played), 640×360 @ 30 fps, and compared:
//  - bundled vs editor: caption-area difference <= 10 % at >= 90 % of the frames in the plugin's
//    window, never above 25 %;
//  - origin vs editor (our page running the editor's plugin files): <= 5 % at every frame (a cold
//    seek vs the editor's playback leaves anti-aliasing differences on rotated/scaled glyphs: spin
//    measured 2–3 %; codec noise alone is 4–6 % in the parity check);
//  - random / wall-clock plugins (glitch, elastic, magnetic, flames): our frames identical across
//    two runs, and per-frame statistics (ink, centroid, spread) close to the editor's.
// These fail for a plugin until its bundled version is written; nothing is skipped.
import { jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../../src/browser-pool/chromium-launch.js';
import { captionAreaDifference, type RgbaImage } from '../../src/parity/caption-area-diff.js';
import { captionStats, compareStats } from '../../src/parity/caption-stats.js';
import { captionPageFrames, editorFrames } from '../../src/parity/editor-reference/plugin-parity.js';
import { EDITOR_PLUGIN_DIR, EDITOR_SCENARIOS_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import {
  buildPluginScenario,
  editorPluginSource,
  ensureEditorReferenceBundle,
  formatPluginParity,
  meetsPluginGoal,
  parsePluginRef,
  pluginFrames,
  runPluginParity,
} from '../helpers/editor-reference.js';
import { decodePng } from '../helpers/engine.js';

jest.setTimeout(600_000);

requireEditorReference();
const CURRENT = readdirSync(EDITOR_PLUGIN_DIR).filter((d) => d.endsWith('@2.0.0'));
/** The @1.0.0 plugins that real editor exports name. */
const EXPORTED_V1 = [
  ...new Set(
    readdirSync(join(EDITOR_SCENARIOS_DIR, 'editor-exports'))
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) =>
        [...readFileSync(join(EDITOR_SCENARIOS_DIR, 'editor-exports', f), 'utf8').matchAll(/"([a-zA-Z-]+@1\.0\.0)"/g)].map((m) => m[1]),
      ),
  ),
];
const PLUGINS = [...CURRENT, ...EXPORTED_V1].sort();
/** Random (Math.random) or wall-clock (flames' GIF) in the editor itself: compared by statistics. */
const RANDOM = new Set(['glitch', 'elastic', 'magnetic', 'flames']);
const DETERMINISTIC = PLUGINS.filter((p) => !RANDOM.has(parsePluginRef(p).name));
const RANDOMISED = PLUGINS.filter((p) => RANDOM.has(parsePluginRef(p).name));

const SIZE = { width: 640, height: 360, fps: 30 };
/**
 * The whole matrix takes ~10 minutes; by default (CI) every plugin's bundled check runs with the
 * editor stepped unpaced (deterministic plugins do not run on the wall clock) and the origin
 * check runs for the plugins that exercise the page's playback emulation. PARITY_FULL=1: all.
 */
const FULL = process.env.PARITY_FULL === '1';
const ORIGIN_SAMPLE = new Set(['cwi-color', 'fadein', 'typewriter', 'spin@1.0.0', 'cwi-bouncing', 'glow']);
const source = editorPluginSource();

function manifestOf(key: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EDITOR_PLUGIN_DIR, key, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

describe('plugin parity against the editor preview', () => {
  let browser: Browser;

  beforeAll(async () => {
    ensureEditorReferenceBundle();
    browser = await launchChromium(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('covers every current plugin and the @1.0.0 ones the exports name', () => {
    expect(CURRENT.length).toBeGreaterThanOrEqual(18);
    expect(EXPORTED_V1).toEqual(expect.arrayContaining(['cwi-color@1.0.0', 'elastic@1.0.0']));
  });

  describe.each(DETERMINISTIC)('%s', (plugin) => {
    it('bundled: <= 10 % at >= 90 % of the window frames, never > 25 %', async () => {
      const report = await runPluginParity({ browser, plugin, source, ...SIZE, frames: FULL ? 10 : 6, pace: FULL });
      console.warn(formatPluginParity(report).split('\n').at(-1));
      if (!meetsPluginGoal(report.summary)) throw new Error(`goal not met:\n${formatPluginParity(report)}`);
    });

    (FULL || ORIGIN_SAMPLE.has(plugin) ? it : it.skip)(
      "origin: our page running the editor's files matches at every frame (<= 5 %)",
      async () => {
        const report = await runPluginParity({ browser, plugin, source, ...SIZE, frames: 6, origin: true, pace: FULL });
        const worst = Math.max(...report.frames.map((f) => f.share));
        console.warn(formatPluginParity(report).split('\n').at(-1));
        if (worst > 0.05)
          throw new Error(`origin differs from the editor (worst frame ${(worst * 100).toFixed(1)} %):\n${formatPluginParity(report)}`);
      },
    );
  });

  describe.each(RANDOMISED)('%s (random in the editor: statistics)', (plugin) => {
    // glitch@2.0.0 under its bare name makes the editor's engine set it up again on every frame
    // (test/engine/editor-reference.e2e-spec.ts); named with its version it runs as designed.
    const versionedName = plugin === 'glitch@2.0.0';
    const ps = buildPluginScenario(plugin, manifestOf(plugin.includes('@') ? plugin : `${plugin}@2.0.0`), { versionedName });
    // 8 frames in the window and 1 after it (the rest state the window's motion is measured from).
    const indices = pluginFrames(ps, SIZE.fps, 8, 1);

    for (const origin of [false, true]) {
      it(`${origin ? 'origin' : 'bundled'}: deterministic, and ink / position / spread per frame close to the editor's`, async () => {
        const input = { browser, plugin, source, ...SIZE, origin };
        const first = await captionPageFrames(input, ps, indices);
        const second = await captionPageFrames(input, ps, indices);
        const rgba = (png: Buffer) => decodePng(png);
        for (let k = 0; k < indices.length; k++) expect(rgba(first[k]).rgba.equals(rgba(second[k]).rgba)).toBe(true);
        const editor = await editorFrames(input, ps, indices);
        const images = (pngs: Buffer[]) =>
          pngs.map((p) => {
            const d = rgba(p);
            return { width: d.width, height: d.height, data: d.rgba };
          });
        const [ours, theirs] = [images(first), images(editor)];
        const window = (xs: RgbaImage[]) => xs.slice(0, -1);
        const cmp = compareStats(window(ours).map(captionStats), window(theirs).map(captionStats));
        // Motion: mean caption-area difference of each window frame from the rest state after it.
        const motion = (xs: RgbaImage[]) =>
          window(xs).reduce((sum, x) => sum + captionAreaDifference(x, xs.at(-1)!).share, 0) / (xs.length - 1);
        const [mOurs, mEditor] = [motion(ours), motion(theirs)];
        const figures = {
          plugin,
          origin,
          inkRatio: +cmp.inkRatio.toFixed(3),
          centroidDistance: +cmp.centroidDistance.toFixed(2),
          spreadRatio: +cmp.spreadRatio.toFixed(3),
          motionOurs: +mOurs.toFixed(3),
          motionEditor: +mEditor.toFixed(3),
        };
        console.warn(JSON.stringify(figures));
        // As much motion as the editor's: within ±40 % of it (random draws), or both nearly still.
        expect(Math.abs(mOurs - mEditor)).toBeLessThanOrEqual(Math.max(0.02, 0.4 * mEditor));
        expect(cmp.inkRatio).toBeGreaterThan(0.85);
        expect(cmp.inkRatio).toBeLessThan(1.18);
        expect(cmp.centroidDistance).toBeLessThan(6);
        expect(cmp.spreadRatio).toBeGreaterThan(0.85);
        expect(cmp.spreadRatio).toBeLessThan(1.18);
      });
    }
  });
});
