// The bundled cwi modules against their contract, in Chromium on the DOM the engine builds
// (div.mtx-text > div.mtx-base-wrapper > div.mtx-effects-root > text):
//  - module shape = the manifest's type (dom: init/animate/cleanup; hybrid: + evalChannels), and
//    plugin-manifest.ts declares that type (cwi-bouncing: left to the module, see there);
//  - no params = the manifest's schema defaults, frame for frame;
//  - seek(p) is a pure function of p after init (any seek history gives the DOM of a fresh seek);
//  - cleanup, in any order, restores the node's DOM exactly;
//  - where each generation puts the word span (2.0.0: in the effects root; 1.0.0: before it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, stop } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { BUNDLED_PLUGINS } from '../../libs/caption-page/src/plugin-manifest.js';
import { EDITOR_PLUGIN_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import { ROOT } from '../helpers/engine.js';

const REFS = ['cwi', 'cwi-color', 'cwi-loud', 'cwi-whisper', 'cwi-bouncing'].flatMap((n) => [`${n}@2.0.0`, `${n}@1.0.0`]);
const SAMPLES = [0, 0.05, 0.13, 0.37, 0.5, 0.81, 0.9, 0.97, 0.99, 1];

interface Manifest {
  type: string;
  schema?: Record<string, { default?: unknown }>;
}
const manifestOf = (ref: string): Manifest => JSON.parse(readFileSync(join(EDITOR_PLUGIN_DIR, ref, 'manifest.json'), 'utf8')) as Manifest;

let browser: Browser;
let page: Page;

type Spec = { ref: string; params?: Record<string, unknown> };

/** Runs in the page: builds a word node, inits the chain, seeks `ps` in order, returns the node's HTML after each seek. */
async function run(chain: Spec[], ps: number[], o: { text?: string; cleanupOrder?: 'same' | 'reverse' } = {}) {
  return page.evaluate(
    (chainArg, psArg, text, cleanupOrder) => {
      type Mod = {
        init(el: HTMLElement, p: unknown, ctx: Record<string, unknown>): void;
        animate(el: HTMLElement, p: unknown, ctx: unknown, d: number): (p: number) => void;
        cleanup(el: HTMLElement): void;
      };
      const mods = (window as unknown as { __cwi: { cwiPlugins: Record<string, Mod> } }).__cwi.cwiPlugins;
      const node = document.createElement('div');
      node.className = 'mtx-text';
      node.innerHTML =
        '<div class="mtx-base-wrapper" style="position: relative; display: inline-block;"><div class="mtx-effects-root" data-mtx-effects-root="" style="position: relative; width: 100%; height: 100%;"></div></div>';
      const root = node.querySelector<HTMLElement>('.mtx-effects-root')!;
      root.textContent = text;
      document.body.replaceChildren(node);
      const before = node.innerHTML;
      const seeks = chainArg.map((s) => {
        const ctx: Record<string, unknown> = {};
        mods[s.ref].init(root, s.params ?? {}, ctx);
        return { ref: s.ref, ctx, seek: mods[s.ref].animate(root, s.params ?? {}, ctx, 1) };
      });
      const after: string[] = [];
      for (const p of psArg) {
        for (const s of seeks) s.seek(p);
        after.push(node.innerHTML);
      }
      const order = cleanupOrder === 'reverse' ? [...seeks].reverse() : seeks;
      for (const s of order) mods[s.ref].cleanup((s.ctx.targetElement as HTMLElement) ?? document.createElement('div'));
      return { before, after, restored: node.innerHTML };
    },
    chain,
    ps,
    o.text ?? 'Hello 세상',
    o.cleanupOrder ?? 'reverse',
  );
}

beforeAll(async () => {
  requireEditorReference();
  const out = await build({
    entryPoints: [join(ROOT, 'libs/caption-page/src/browser/plugins/cwi.ts')],
    bundle: true,
    format: 'iife',
    globalName: '__cwi',
    platform: 'browser',
    target: 'chrome120',
    write: false,
  });
  await stop(); // esbuild's service process would keep the worker alive
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ content: out.outputFiles[0].text });
});

afterAll(async () => {
  await browser?.close();
});

describe('bundled cwi modules', () => {
  it.each(REFS)('%s has the shape of its manifest type, declared in plugin-manifest.ts', async (ref) => {
    const type = manifestOf(ref).type;
    const shape = await page.evaluate((r) => {
      const m = (window as unknown as { __cwi: { cwiPlugins: Record<string, Record<string, unknown>> } }).__cwi.cwiPlugins[r];
      return ['init', 'animate', 'cleanup', 'evalChannels'].filter((f) => typeof m?.[f] === 'function');
    }, ref);
    expect(shape).toEqual(type === 'hybrid' ? ['init', 'animate', 'cleanup', 'evalChannels'] : ['init', 'animate', 'cleanup']);
    const [name] = ref.split('@');
    const declared = BUNDLED_PLUGINS.find((p) => p.name === name)?.type;
    if (declared !== undefined) expect(declared).toBe(type);
  });

  it.each(REFS.filter((r) => Object.values(manifestOf(r).schema ?? {}).some((s) => s && 'default' in s)))(
    '%s without params behaves as with the manifest’s defaults',
    async (ref) => {
      const defaults = Object.fromEntries(
        Object.entries(manifestOf(ref).schema ?? {})
          .filter(([, s]) => s && 'default' in s)
          .map(([k, s]) => [k, s.default]),
      );
      const bare = await run([{ ref }], SAMPLES);
      const withDefaults = await run([{ ref, params: defaults }], SAMPLES);
      expect(withDefaults.after).toEqual(bare.after);
    },
  );

  const chains: Array<[string, Spec[]]> = [
    ...REFS.map((ref): [string, Spec[]] => [
      ref,
      [{ ref, params: { speaker: 'A', palette: { A: '#e62e2e' }, t0: 0.2, t1: 0.7, kind: 'loud' } }],
    ]),
    [
      'cwi-color + cwi-loud + cwi-bouncing',
      [
        { ref: 'cwi-color@2.0.0', params: { speaker: 'A', palette: { A: '#e62e2e' } } },
        { ref: 'cwi-loud@2.0.0' },
        { ref: 'cwi-bouncing@2.0.0' },
      ],
    ],
    [
      'cwi-bouncing + cwi-whisper + cwi-color',
      [{ ref: 'cwi-bouncing@2.0.0' }, { ref: 'cwi-whisper@2.0.0' }, { ref: 'cwi-color@2.0.0', params: { bulk: true } }],
    ],
    ['cwi-color@1.0.0 + cwi-color@2.0.0', [{ ref: 'cwi-color@1.0.0' }, { ref: 'cwi-color@2.0.0' }]],
  ];

  it.each(chains)('%s: seek(p) is a pure function of p, and cleanup restores the node exactly', async (_label, chain) => {
    const history = [0.7, 0.2, 1, 0.05, 0.5, 0.99, 0];
    const played = await run(chain, history);
    for (const [k, p] of history.entries()) {
      const fresh = await run(chain, [p]);
      expect(played.after[k]).toBe(fresh.after[0]);
    }
    expect(played.restored).toBe(played.before);
    const sameOrder = await run(chain, history, { cleanupOrder: 'same' });
    expect(sameOrder.restored).toBe(sameOrder.before);
  });

  it('a space keeps its width and an empty word still gets a letter, as the editor letters them', async () => {
    const spaced = await run([{ ref: 'cwi-color@2.0.0' }], [0.5], { text: ' ' });
    expect(spaced.after[0]).toContain('>&nbsp;</span>');
    const empty = await run([{ ref: 'cwi-bouncing@2.0.0' }], [0.5], { text: '' });
    expect((empty.after[0].match(/class="cwi-letter"/g) ?? []).length).toBe(1);
    expect(empty.restored).toBe(empty.before);
  });

  it('2.0.0 animates a word span inside the effects root; 1.0.0 one before it, in the base wrapper', async () => {
    const v2 = await run([{ ref: 'cwi-loud@2.0.0' }], [0.5]);
    expect(v2.after[0]).toMatch(/<div class="mtx-effects-root"[^>]*><span class="cwi-word"[^>]*transform: translate3d/);
    const v1 = await run([{ ref: 'cwi-loud@1.0.0', params: { t0: 0.2, t1: 0.8 } }], [0.5]);
    expect(v1.after[0]).toMatch(/<span class="cwi-word"[^>]*><\/span><div class="mtx-effects-root"[^>]*>Hello 세상<\/div>/);
  });

  it('cwi-color@2.0.0 sweeps letter by letter: halfway, the first letters are coloured and the last still white', async () => {
    const r = await run([{ ref: 'cwi-color@2.0.0', params: { speaker: 'A', palette: { A: '#e62e2e' } } }], [0.5]);
    const colours = Array.from(r.after[0].matchAll(/class="cwi-letter" style="[^"]*color: ([^;]+);/g), (m) => m[1]);
    expect(colours).toHaveLength(8);
    expect(colours[0]).toBe('rgb(230, 46, 46)');
    expect(colours[7]).toBe('rgba(255, 255, 255, 0.9)');
  });
});
