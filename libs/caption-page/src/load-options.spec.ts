// Real-Chromium tests of what load() takes besides the scenario: plugins from the editor's
// plugin origin (served from memory, registered as the editor does), playback semantics (a DOM
// plugin's end state kept after its window), seeded randomness, and font faces.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { decodePng } from '../../../src/render/png.js';
import { CaptionPage, loadCaptionPageAssets, type CaptionPageAssets, type OriginPlugin, type PluginFile } from './index.js';

jest.setTimeout(180_000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const EDITOR_PLUGINS = join(process.env.EDITOR_REFERENCE_DIR ?? join(ROOT, '../shared/editor-reference'), 'plugin-server/plugins');
const W = 640;
const H = 360;
const enc = new TextEncoder();

function jsFile(path: string, code: string): PluginFile {
  return { path, contentType: 'text/javascript', body: enc.encode(code) };
}
function synthetic(name: string, version: string, type: string, code: string): OriginPlugin {
  return { name, version, manifest: { name, version, type, entry: 'index.mjs' }, entry: 'index.mjs', files: [jsFile('index.mjs', code)] };
}
/** A plugin folder of the editor's plugin server, as the server-side fetcher hands it over. */
function editorPlugin(ref: string): OriginPlugin {
  const dir = join(EDITOR_PLUGINS, ref);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const files: PluginFile[] = [];
  const walk = (rel: string) => {
    for (const f of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${f}` : f;
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else
        files.push({
          path: p,
          contentType: p.endsWith('.gif') ? 'image/gif' : p.endsWith('.json') ? 'application/json' : 'text/javascript',
          body: readFileSync(join(dir, p)),
        });
    }
  };
  walk('');
  const at = ref.lastIndexOf('@');
  return { name: ref.slice(0, at), version: ref.slice(at + 1), manifest, entry: String(manifest.entry), files };
}

function scenario(pluginChain: unknown[], displayTime: [number, number] = [0, 4]): Record<string, unknown> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 't', type: 'subtitle', layer: 1, defaultStyle: { fontSizeRel: 0.08, color: '#ffffff' } }],
    cues: [
      {
        id: 'c1',
        track: 't',
        root: {
          id: 'g',
          eType: 'group',
          displayTime,
          layout: { position: { x: 0.5, y: 0.5 }, anchor: 'cc' },
          children: [{ id: 'w', eType: 'text', text: 'HELLO 안녕', displayTime, pluginChain }],
        },
      },
    ],
  };
}

/** Mean colour of the opaque pixels of a capture. */
function meanColour(png: Buffer): { r: number; g: number; b: number; n: number } {
  const { rgba } = decodePng(png);
  let r = 0,
    g = 0,
    b = 0,
    n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] < 200) continue;
    r += rgba[i];
    g += rgba[i + 1];
    b += rgba[i + 2];
    n++;
  }
  return n ? { r: r / n, g: g / n, b: b / n, n } : { r: 0, g: 0, b: 0, n: 0 };
}

let browser: Browser;
let assets: CaptionPageAssets;
let sentinel: Server;
let sentinelHits = 0;
const pages: CaptionPage[] = [];

async function openPage(): Promise<CaptionPage> {
  const cp = await CaptionPage.open(await browser.newPage({ type: 'window' }), assets, { width: W, height: H });
  pages.push(cp);
  return cp;
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-caption-page.mjs'), '--if-stale'], { stdio: 'inherit' });
  assets = await loadCaptionPageAssets();
  sentinel = createServer((_req, res) => {
    sentinelHits++;
    res.end('hit');
  });
  await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', r));
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-dev-shm-usage'],
  });
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await new Promise((r) => sentinel?.close(r));
});

// A DOM plugin that paints its node blue while running and red at p = 1.
const PAINT = `export const name='paint';export const version='1.0.0';
export function init(el){el.dataset.paint='';}
export function animate(el){return (p)=>{el.style.color=p>=1?'rgb(255,0,0)':'rgb(0,0,255)';};}
export function cleanup(el){el.style.color='';delete el.dataset.paint;}`;

describe('origin plugins', () => {
  it('imports an origin plugin from memory, registers it as name and name@version, and it wins over the bundled one', async () => {
    const cp = await openPage();
    // "spin" is also bundled; an origin spin that turns red proves which module ran.
    const redSpin = synthetic(
      'spin',
      '2.0.0',
      'channel',
      `export const name='spin';export const version='2.0.0';
      export function evalChannels(){return {color:'rgb(255,0,0)'};}`,
    );
    const res = await cp.load(scenario([{ name: 'spin' }]), { originPlugins: [redSpin] });
    expect(res.warnings).toEqual([]);
    expect(await cp.plugins()).toEqual(expect.arrayContaining(['spin', 'spin@2.0.0']));
    await cp.seek(1);
    const c = meanColour(await cp.capture());
    expect(c.n).toBeGreaterThan(100);
    expect(c.r).toBeGreaterThan(200);
    expect(c.g).toBeLessThan(60);
  });

  it("runs the editor's flames with its asset served under the page's own origin, its GIF driven by the timeline, and nothing reaches the network", async () => {
    const load = async () => {
      const cp = await openPage();
      const res = await cp.load(scenario([{ name: 'flames', timeOffset: [0, 4] }]), { originPlugins: [editorPlugin('flames@2.0.0')] });
      expect(res.warnings).toEqual([]);
      return cp;
    };
    const before = sentinelHits;
    const cp = await load();
    const picture = async (page: CaptionPage, t: number) => {
      await page.seek(t);
      return page.page.evaluate(() => {
        const i = document.querySelector<HTMLImageElement>('img[data-flames]');
        return i ? { animated: i.dataset.ecgAnimated, blob: i.src.startsWith('blob:'), complete: i.complete, w: i.naturalWidth } : null;
      });
    };
    const img = await picture(cp, 1);
    expect(img).toEqual({
      animated: 'https://caption-page.invalid/plugins/flames@2.0.0/assets/flame.gif',
      blob: true,
      complete: true,
      w: expect.any(Number),
    });
    expect(img!.w).toBeGreaterThan(0);
    // The same t shows the same picture on any page, whatever was shown before; another t another.
    const shotAt = async (page: CaptionPage, t: number) => {
      await page.seek(t);
      return page.capture();
    };
    const a = await shotAt(cp, 1.2);
    const other = await load();
    await shotAt(other, 2.7);
    expect(Buffer.compare(await shotAt(other, 1.2), a)).toBe(0);
    const distinct = new Set<string>();
    for (const t of [0.1, 0.2, 0.3, 0.4, 0.5]) distinct.add((await shotAt(cp, t)).toString('base64'));
    expect(distinct.size).toBeGreaterThan(1);
    expect(sentinelHits).toBe(before);
  });

  it('refuses an origin plugin whose entry is not among its files', async () => {
    const cp = await openPage();
    const broken: OriginPlugin = { ...synthetic('x', '1.0.0', 'channel', ''), entry: 'missing.mjs' };
    await expect(cp.load(scenario([]), { originPlugins: [broken] })).rejects.toThrow(/entry missing\.mjs/);
  });
});

describe('playback semantics', () => {
  it("keeps a DOM plugin's end state after its window, as the editor's playing preview does, whatever was seeked before", async () => {
    const cp = await openPage();
    await cp.load(scenario([{ name: 'paint', timeOffset: [0, -3] }]), { originPlugins: [synthetic('paint', '1.0.0', 'dom', PAINT)] });
    // Window [0, 1] of a node shown [0, 4].
    await cp.seek(0.5);
    expect(meanColour(await cp.capture()).b).toBeGreaterThan(200);
    await cp.seek(3);
    const after = await cp.capture();
    expect(meanColour(after).r).toBeGreaterThan(200);
    // A cold seek straight to 3 (fresh page) gives the same pixels.
    const cold = await openPage();
    await cold.load(scenario([{ name: 'paint', timeOffset: [0, -3] }]), { originPlugins: [synthetic('paint', '1.0.0', 'dom', PAINT)] });
    await cold.seek(3);
    expect(Buffer.compare(await cold.capture(), after)).toBe(0);
  });

  it('keeps the end state of a word without its own displayTime (timed by baseTime, as the editor writes words)', async () => {
    const cp = await openPage();
    const s = scenario([{ name: 'paint', timeOffset: [0, 0] }]);
    const word = (s.cues as Array<{ root: { children: Array<Record<string, unknown>> } }>)[0].root.children[0];
    delete word.displayTime;
    word.baseTime = [0.5, 1];
    await cp.load(s, { originPlugins: [synthetic('paint', '1.0.0', 'dom', PAINT)] });
    await cp.seek(0.2);
    const before = meanColour(await cp.capture());
    expect(before.g).toBeGreaterThan(200); // white: the window has not started
    await cp.seek(3);
    const after = meanColour(await cp.capture());
    expect(after.r).toBeGreaterThan(200);
    expect(after.g).toBeLessThan(60);
  });

  it('leaves the base state when the window ended before the node was shown', async () => {
    const cp = await openPage();
    // Node shown [2, 4]; plugin window [0, 1] (an explicit baseTime; offsets in seconds — the
    // engine's default end offset "100%" would add the base's duration to its end).
    await cp.load(scenario([{ name: 'paint', baseTime: [0, 1], timeOffset: [0, 0] }], [2, 4]), {
      originPlugins: [synthetic('paint', '1.0.0', 'dom', PAINT)],
    });
    await cp.seek(3);
    const c = meanColour(await cp.capture());
    expect(c.r).toBeGreaterThan(200);
    expect(c.g).toBeGreaterThan(200); // white: never painted
  });
});

describe('played, not jumped', () => {
  // Records every progress its seek function is given, in order, on the effects root.
  const TRACE = `export const name='trace';export const version='1.0.0';
    export function init(el){el.dataset.trace='';}
    export function animate(el){return (p)=>{el.dataset.trace+=(el.dataset.trace?',':'')+p.toFixed(3);};}
    export function cleanup(el){delete el.dataset.trace;}`;
  it("plays a DOM plugin through its window's earlier frames at the render's frame rate before showing t", async () => {
    const cp = await openPage();
    // Window [1, 2] of a node shown [0, 4], rendered at 10 fps.
    await cp.load(scenario([{ name: 'trace', baseTime: [1, 2], timeOffset: [0, 0] }]), {
      originPlugins: [synthetic('trace', '1.0.0', 'dom', TRACE)],
      fps: 10,
    });
    const trace = async (t: number) => {
      await cp.seek(t);
      return cp.page.evaluate(() => document.querySelector<HTMLElement>('[data-trace]')?.dataset.trace ?? null);
    };
    expect(await trace(0.5)).toBeNull(); // before the window: never initialised
    expect(await trace(1.3)).toBe('0.000,0.100,0.200,0.300');
    expect(await trace(1.3)).toBe('0.000,0.100,0.200,0.300'); // rebuilt, not appended
    expect((await trace(3))!.split(',')).toEqual([...Array.from({ length: 11 }, (_, k) => (k / 10).toFixed(3)), '1.000']);
  });
});

describe('channel residue', () => {
  const TILT = `export const name='tilt';export const version='1.0.0';
    export function evalChannels(spec,p){return {rot:Math.round(90*p*1000)/1000};}`;
  it('keeps the channels of the last frame a channel plugin ran on, as the engine leaves them when playing', async () => {
    const cp = await openPage();
    // Window [0, 0.95] of a node shown [0, 4] at 10 fps: the last frame in it is 0.9 (p = 0.947).
    await cp.load(scenario([{ name: 'tilt', baseTime: [0, 0.95], timeOffset: [0, 0] }]), {
      originPlugins: [synthetic('tilt', '1.0.0', 'channel', TILT)],
      fps: 10,
    });
    const rot = async (t: number) => {
      await cp.seek(t);
      return cp.page.evaluate(
        () => document.querySelector<HTMLElement>('.mtx-text .mtx-base-wrapper')?.style.getPropertyValue('--mtx-rot') ?? null,
      );
    };
    expect(await rot(0.5)).toBe('47.368deg'); // p = 0.5 / 0.95
    expect(await rot(3)).toBe('85.263deg');
    expect(await rot(3)).toBe('85.263deg');
  });
});

describe('seeded randomness', () => {
  // Moves its node by a random offset drawn at init, like the editor's glitch/elastic do.
  const JITTER = `export const name='jitter';export const version='1.0.0';
    export function init(el){el.dataset.dx=String(Math.round(Math.random()*200-100));}
    export function animate(el){return (p)=>{el.style.transform='translateX('+el.dataset.dx+'px)';};}
    export function cleanup(el){el.style.transform='';}`;
  const load = async (seed: string) => {
    const cp = await openPage();
    await cp.load(scenario([{ name: 'jitter' }]), { originPlugins: [synthetic('jitter', '1.0.0', 'dom', JITTER)], seed });
    return cp;
  };
  it('gives the same pixels for the same frame and seed, whatever was seeked before; another seed moves it', async () => {
    const a = await load('job-1');
    await a.seek(1);
    const first = (await a.seek(2)).bbox;
    const shotA = await a.capture();
    const b = await load('job-1');
    await b.seek(3.5);
    await b.seek(0.2);
    expect((await b.seek(2)).bbox).toEqual(first);
    expect(Buffer.compare(await b.capture(), shotA)).toBe(0);
    const xs = new Set<number>();
    for (const seed of ['job-2', 'job-3', 'job-4']) xs.add((await (await load(seed)).seek(2)).bbox!.x);
    xs.add(first!.x);
    expect(xs.size).toBeGreaterThan(1);
  });
});

describe('font faces', () => {
  const MONO = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
  it('registers handed-over faces before layout (the text takes their widths) and reports a face that fails to load', async () => {
    const withFace = (family: string) => {
      const s = scenario([]);
      (s.tracks as Array<{ defaultStyle: Record<string, unknown> }>)[0].defaultStyle.fontFamily = `'${family}', sans-serif`;
      return s;
    };
    const plain = await openPage();
    await plain.load(withFace('ECG Test Mono'));
    const plainBox = (await plain.seek(1)).bbox!;
    const cp = await openPage();
    const res = await cp.load(withFace('ECG Test Mono'), {
      fonts: [
        { family: 'ECG Test Mono', data: readFileSync(MONO) },
        { family: 'ECG Broken', data: enc.encode('not a font') },
      ],
    });
    expect(res.warnings).toEqual([expect.stringMatching(/^font "ECG Broken" .*failed to load/)]);
    expect(await cp.page.evaluate(() => document.fonts.check("16px 'ECG Test Mono'"))).toBe(true);
    const box = (await cp.seek(1)).bbox!;
    expect(box.width).not.toBe(plainBox.width); // monospace widths, not the fallback's
  });
});
