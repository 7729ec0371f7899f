// Play vs seek across segment boundaries: a segment of a split render starts its page cold in the
// middle of words whose plugins are running or over. Each of its frames must equal the frame of a
// page that played every frame from the start — with our bundled plugins and with the editor's own
// plugin code (as PLUGIN_ORIGIN hands it over), for the editor's cwi preview (every word coloured
// by speaker, some loud, whisper, bouncing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CaptionPage, loadCaptionPageAssets, type OriginPlugin } from '../../libs/caption-page/src/index.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { ensureCaptionPageBundle } from '../helpers/engine.js';
import { EDITOR_SCENARIOS_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import { editorPluginSource, originPluginOf, pluginRefsOf } from '../helpers/editor-reference.js';

const W = 640;
const H = 360;
const FPS = 15;
const SEED = 'job-segment-test';

describe('segments start cold: every frame equals the played one', () => {
  let browser: Browser;
  let scenario: Record<string, unknown>;
  let frames: number[];

  beforeAll(async () => {
    requireEditorReference();
    ensureCaptionPageBundle();
    const raw = JSON.parse(readFileSync(join(EDITOR_SCENARIOS_DIR, 'editor-generated/fe-friends_result.cwi.preview-v20.json'), 'utf8'));
    // The first cues: words in, words over, words to come.
    raw.cues = raw.cues.slice(0, 3);
    scenario = prepareScenario(raw).scenario;
    const end = Math.min(12, Math.max(...raw.cues.map((c: { root: { displayTime?: number[] } }) => c.root.displayTime?.[1] ?? 0)));
    frames = Array.from({ length: Math.ceil(end * FPS) }, (_, i) => i);
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function shots(originPlugins: OriginPlugin[], indices: number[]): Promise<Map<number, string>> {
    const page = await CaptionPage.open(await browser.newPage({ type: 'window' }), await loadCaptionPageAssets(), { width: W, height: H });
    try {
      await page.load(scenario, { originPlugins, seed: SEED, fps: FPS });
      const out = new Map<number, string>();
      for (const i of indices) {
        await page.seek(i / FPS);
        out.set(i, (await page.capture()).toString('base64'));
      }
      return out;
    } finally {
      await page.close();
    }
  }

  it.each(['bundled', 'origin'])(
    '%s plugins: a segment starting at every third of the clip draws the played frames',
    async (mode) => {
      const source = editorPluginSource();
      const originPlugins = mode === 'origin' ? await Promise.all(pluginRefsOf(scenario).map((ref) => originPluginOf(source, ref))) : [];
      const played = await shots(originPlugins, frames);
      let compared = 0;
      for (const cut of [Math.floor(frames.length / 3), Math.floor((2 * frames.length) / 3)]) {
        const segment = await shots(originPlugins, frames.slice(cut));
        for (const [i, png] of segment) {
          expect({ frame: i, same: png === played.get(i) }).toEqual({ frame: i, same: true });
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(frames.length / 2);
    },
    600_000,
  );
});
