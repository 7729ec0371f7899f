// Our editor-basic DOM/hybrid plugins as the page uses them (it tears down and re-inits every
// plugin before each frame, then applies p): seek(p) after init is a pure function of p whatever
// was applied before, and cleanup restores the node exactly (DOM, inline styles, text).
// The plugins are bundled on the fly with esbuild and run in Chromium on a node built as the
// engine builds one (.mtx-text > .mtx-base-wrapper > [data-mtx-effects-root]).
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { ROOT } from '../helpers/engine.js';

const DOM_PLUGINS = ['bobY', 'pulse', 'glow', 'flames', 'fadein', 'typewriter'].flatMap((n) => [`${n}@2.0.0`, `${n}@1.0.0`]);
const PARAMS: Record<string, Record<string, unknown>> = {
  bobY: { amplitudePx: 12, cycles: 2 },
  pulse: { maxScale: 1.4 },
  glow: { color: '#ff3366', intensity: 0.6, pulse: true },
  flames: { baseOpacity: 0.7, flicker: 0.3 },
  fadein: { staggerDelay: 0.05, ease: 'back.out' },
  typewriter: { typingSpeed: 0.1 },
};

let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'editor-basic-dom-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { editorBasicPlugins } from ${JSON.stringify(join(ROOT, 'libs/caption-page/src/browser/plugins/editor-basic.ts'))};\n(window as any).__plugins = editorBasicPlugins;\n`,
  );
  await build({ entryPoints: [entry], bundle: true, outfile: join(dir, 'plugins.js'), format: 'iife', logLevel: 'error' });
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
  await page.setContent('<html><body></body></html>');
  await page.addScriptTag({ content: readFileSync(join(ROOT, 'node_modules/gsap/dist/gsap.min.js'), 'utf8') });
  await page.addScriptTag({ content: readFileSync(join(dir, 'plugins.js'), 'utf8') });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  before: string;
  fresh: Record<string, string>;
  afterHistory: Record<string, string>;
  afterCleanup: string;
}

/** Runs one plugin in the page: snapshots after fresh seeks, after a history, after cleanup. */
function run(ref: string, params: Record<string, unknown>): Promise<Run> {
  return page.evaluate(
    (ref, params) => {
      const mod = (window as any).__plugins[ref];
      const snapshot = (el: Element): string => {
        const parts: string[] = [];
        const walk = (n: Node) => {
          if (n.nodeType === Node.TEXT_NODE) {
            parts.push(`#${n.nodeValue}`);
            return;
          }
          const e = n as HTMLElement;
          const attrs = Array.from(e.attributes)
            .filter((a) => a.name !== 'style')
            .map((a) => `${a.name}=${a.value}`)
            .sort();
          const decls = Array.from(
            { length: e.style.length },
            (_, i) => `${e.style.item(i)}:${e.style.getPropertyValue(e.style.item(i))}`,
          ).sort();
          parts.push(`<${e.tagName} ${attrs.join(' ')} {${decls.join(';')}}`);
          e.childNodes.forEach(walk);
          parts.push('>');
        };
        walk(el);
        return parts.join('');
      };
      const host = document.createElement('div');
      host.className = 'mtx-text';
      host.dataset.nodeId = 'n1';
      host.style.cssText = 'position:absolute;left:20px;top:20px;font:32px sans-serif;color:#fff;text-shadow:0 0 2px #000';
      const wrapper = document.createElement('div');
      wrapper.className = 'mtx-base-wrapper';
      wrapper.style.cssText = 'position:relative;display:inline-block';
      const root = document.createElement('div');
      root.className = 'mtx-effects-root';
      root.setAttribute('data-mtx-effects-root', '');
      root.style.cssText = 'position:relative;width:100%;height:100%';
      root.textContent = 'Hello 세상';
      wrapper.appendChild(root);
      host.appendChild(wrapper);
      document.body.appendChild(host);
      const scenario = {
        cues: [{ id: 'c1', root: { id: 'n1', baseTime: [1, 3], pluginChain: [{ name: ref, params, timeOffset: [-0.3, 0.3] }] } }],
      };
      const ctxOf = () => ({
        gsap: (window as any).gsap,
        assets: { getUrl: (p: string) => `https://caption-page.invalid/plugins/${ref}/${p}` },
        scenario: { scenario },
      });
      const before = snapshot(host);
      const seekAfter = (history: number[]): string => {
        const ctx: Record<string, unknown> = ctxOf();
        mod.init(root, params, ctx);
        const seek = mod.animate(root, params, ctx, 1);
        for (const p of history) seek(p);
        const s = snapshot(host);
        mod.cleanup(ctx.targetElement ?? document.createElement('div'));
        return s;
      };
      const fresh: Record<string, string> = {};
      const afterHistory: Record<string, string> = {};
      for (const p of [0, 0.3, 0.7, 1]) {
        fresh[p] = seekAfter([p]);
        afterHistory[p] = seekAfter([0.9, 0.1, 0.55, p]);
      }
      const afterCleanup = snapshot(host);
      host.remove();
      return { before, fresh, afterHistory, afterCleanup };
    },
    ref,
    params,
  );
}

describe('editor basic DOM plugins: pure seeks, exact cleanup', () => {
  it.each(DOM_PLUGINS)('%s', async (ref) => {
    const r = await run(ref, PARAMS[ref.slice(0, ref.indexOf('@'))]);
    expect(r.afterHistory).toEqual(r.fresh);
    expect(r.afterCleanup).toBe(r.before);
    // Not vacuous: the plugin changes the node, and differently at different p.
    expect(r.fresh['0.7']).not.toBe(r.before);
    expect(new Set(Object.values(r.fresh)).size).toBeGreaterThan(1);
  });
});
