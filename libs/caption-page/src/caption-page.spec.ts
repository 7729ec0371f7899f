// Real-Chromium tests of the caption page. Needs the bundle: node scripts/build-caption-page.mjs
// (built here with --if-stale when missing). Run:
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js libs/caption-page
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng } from '../../../src/render/png.js';
import puppeteer, { type Browser } from 'puppeteer-core';
import {
  BUNDLED_PLUGINS,
  CaptionPage,
  SEEKS_PER_GARBAGE_COLLECTION,
  loadCaptionPageAssets,
  unionBBox,
  type BBox,
  type CaptionPageAssets,
  type CaptionPageWindow,
} from './index.js';

jest.setTimeout(180_000);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/motiontext-samples');
const W = 640;
const H = 360;

/** The alpha channel of a screenshot. */
function pngAlpha(buf: Buffer): { width: number; height: number; alpha: Uint8Array } {
  const { width, height, rgba } = decodePng(buf);
  const alpha = new Uint8Array(width * height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[i * 4 + 3];
  return { width, height, alpha };
}
const opaquePixels = (png: Buffer) => pngAlpha(png).alpha.reduce((n, a) => n + (a > 0 ? 1 : 0), 0);

function v2Fixtures(): Array<[string, Record<string, unknown>]> {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8'))] as [string, Record<string, unknown>])
    .filter(([, j]) => j.version === '2.0');
}

let browser: Browser;
let assets: CaptionPageAssets;
let sentinel: Server;
let sentinelHits = 0;
let sentinelPort = 0;
const pages: CaptionPage[] = [];

async function openPage(): Promise<CaptionPage> {
  const page = await browser.newPage({ type: 'window' });
  const cp = await CaptionPage.open(page, assets, { width: W, height: H });
  pages.push(cp);
  return cp;
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-caption-page.mjs'), '--if-stale'], { stdio: 'inherit' });
  assets = await loadCaptionPageAssets();
  sentinel = createServer((req, res) => {
    sentinelHits++;
    res.end('hit');
  });
  await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', r));
  sentinelPort = (sentinel.address() as AddressInfo).port;
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
});

afterAll(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await new Promise((r) => sentinel?.close(r));
});

describe('assets', () => {
  it('serves our template with a strict CSP and the bundled script', () => {
    expect(assets.html).toContain("default-src 'none'");
    expect(assets.html).toContain("connect-src 'none'");
    expect(assets.html).toContain('src="/caption-page.js"');
    expect(assets.script.length).toBeGreaterThan(10_000);
    expect(assets.script).not.toMatch(/require\(["']express|react-icons|dotenv/);
  });
});

describe('caption page', () => {
  let cp: CaptionPage;
  beforeAll(async () => {
    cp = await openPage();
  });

  it('registers exactly the manifest plugins, bare and versioned', async () => {
    const names = await cp.plugins();
    const expected = BUNDLED_PLUGINS.flatMap((p) => [p.name, ...p.versions.map((v) => `${p.name}@${v}`)]).sort();
    expect(names).toEqual(expected);
  });

  const fixtures = v2Fixtures();
  it('has the v2.0 fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixtures.map(([f]) => f))('%s mounts cues, paints inside a cue, nothing outside', async (file) => {
    const scenario = fixtures.find(([f]) => f === file)![1];
    const res = await cp.load(scenario);
    expect(res.mountedCues).toBeGreaterThan(0);
    expect(res.warnings.filter((w) => /unknown plugin/i.test(w))).toEqual([]);

    const bounded = res.cues.filter((c) => c.start !== null && c.end !== null);
    const first = bounded.find((c) => c.mounted) ?? res.cues.find((c) => c.mounted)!;
    const tin = first.start !== null && first.end !== null ? (first.start + first.end) / 2 : 1;
    const inside = await cp.seek(tin);
    expect(inside.visible).toBe(true);
    expect(inside.bbox).not.toBeNull();
    const full = await cp.capture();
    expect(opaquePixels(full)).toBeGreaterThan(50);
    // The bbox holds every painted pixel.
    const { alpha, width } = pngAlpha(full);
    const b = inside.bbox!;
    let outsideBox = 0;
    for (let i = 0; i < alpha.length; i++) {
      const x = i % width;
      const y = Math.floor(i / width);
      if (alpha[i] > 8 && (x < b.x || y < b.y || x >= b.x + b.width || y >= b.y + b.height)) outsideBox++;
    }
    expect(outsideBox).toBe(0);
    const clipped = await cp.capture(b);
    expect(pngAlpha(clipped).width).toBe(b.width);

    if (bounded.length === res.cues.length) {
      const tout = Math.max(...bounded.map((c) => c.end!)) + 1;
      const outside = await cp.seek(tout);
      expect(outside.visible).toBe(false);
      expect(opaquePixels(await cp.capture())).toBe(0);
    }
  });

  // The pipeline plans its runs from the survey and captures after seeks: both must agree on
  // every frame, same signature (the DOM state) and the same boxes. (A lighter reset for the
  // survey failed this on m5_layout_features: the cues' order in the stage followed history.)
  it.each(fixtures.map(([f]) => f))('%s: the survey reads the same caption state as rebuilding seeks, frame by frame', async (file) => {
    const scenario = fixtures.find(([f]) => f === file)![1];
    const res = await cp.load(scenario);
    const ends = res.cues.map((c) => c.end).filter((e): e is number => e !== null);
    const last = Math.min(30, ends.length ? Math.max(...ends) + 0.5 : 10);
    const times = Array.from({ length: Math.ceil(last * 8) }, (_, i) => i / 8);
    const survey = await cp.survey(times);
    const signatures: string[] = [];
    let bbox: BBox | null = null;
    for (const t of times) {
      const r = await cp.seek(t);
      signatures.push(r.signature);
      bbox = unionBBox(bbox, r.bbox);
    }
    expect(signatures.filter((sig) => sig !== 'empty').length).toBeGreaterThan(0);
    const differing = times.filter((_, i) => survey.signatures[i] !== signatures[i]);
    expect(differing).toEqual([]);
    expect(survey.bbox).toEqual(bbox);
  });

  async function captureAfter(history: number[], t: number): Promise<{ png: Buffer; sig: string }> {
    for (const h of history) await cp.seek(h);
    const r = await cp.seek(t);
    return { png: await cp.capture(), sig: r.signature };
  }

  it.each([
    ['cwi_sentence_wave.json', [0.5, 2.5, 4.5]],
    ['plugin_test_combined.json', [1, 2.5, 4.5]],
    ['plugin_showcase.json', [2.5, 12.5, 20]],
    ['dual_channel_test.json', [0.5, 1.5, 3]],
    ['animated_subtitle.json', [2, 3, 7]],
  ] as Array<[string, number[]]>)('%s: same t → identical pixels whatever the seek history', async (file, times) => {
    const scenario = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    await cp.load(scenario);
    for (const t of times) {
      const direct = await captureAfter([], t);
      const others = times.filter((x) => x !== t);
      const viaHistory = await captureAfter([0.1, ...others, t + 0.37, t - 0.41, 99], t);
      const backwards = await captureAfter([...others].reverse(), t);
      expect(viaHistory.sig).toBe(direct.sig);
      expect(backwards.sig).toBe(direct.sig);
      expect(viaHistory.png.equals(direct.png)).toBe(true);
      expect(backwards.png.equals(direct.png)).toBe(true);
    }
    // A fresh load gives the same frame as well.
    await cp.load(scenario);
    const fresh = await captureAfter([], times[1]);
    await cp.seek(times[0]);
    const again = await captureAfter([], times[1]);
    expect(again.png.equals(fresh.png)).toBe(true);
  });

  it('an unknown plugin is reported', async () => {
    const scenario = JSON.parse(readFileSync(join(FIXTURES, 'plugin_local.json'), 'utf8'));
    const text = JSON.stringify(scenario).replace(/"name":\s*"spin"/, '"name":"nosuchplugin@9.9.9"');
    expect(text).toContain('nosuchplugin');
    const res = await cp.load(JSON.parse(text));
    expect(res.warnings.some((w) => /unknown plugin: nosuchplugin@9\.9\.9/i.test(w))).toBe(true);
  });

  it('a scenario spelled e_type mounts nothing and says so', async () => {
    const scenario = JSON.parse(readFileSync(join(FIXTURES, 'basic.json'), 'utf8'));
    const text = JSON.stringify(scenario).replace(/"eType"/g, '"e_type"');
    const res = await cp.load(JSON.parse(text));
    expect(res.mountedCues).toBe(0);
    expect(res.warnings.some((w) => /eType/.test(w))).toBe(true);
  });
});

describe('memory', () => {
  // Every seek rebuilds the caption DOM and Chromium collects the discarded nodes lazily: over a
  // 1800-frame render at 1080p the renderer process held ~110 MB more than after a collection.
  it('collects garbage at least every SEEKS_PER_GARBAGE_COLLECTION seeks, through seek() and survey()', async () => {
    const cp = await openPage();
    await cp.load(v2Fixtures().find(([f]) => f === 'cwi_sentence_wave.json')![1]);
    const collect = jest.spyOn(cp, 'collectGarbage');
    const times = Array.from({ length: 600 }, (_, i) => i / 100);
    await cp.survey(times);
    const afterSurvey = collect.mock.calls.length;
    for (const t of times) await cp.seek(t);
    expect(afterSurvey).toBeGreaterThanOrEqual(Math.floor((600 - 1) / SEEKS_PER_GARBAGE_COLLECTION));
    expect(collect.mock.calls.length).toBeGreaterThanOrEqual(Math.floor((1200 - 1) / SEEKS_PER_GARBAGE_COLLECTION));
  });

  it('a collection leaves only the caption DOM of the frame shown', async () => {
    const cp = await openPage();
    await cp.load(v2Fixtures().find(([f]) => f === 'cwi_sentence_wave.json')![1]);
    const cdp = await cp.page.createCDPSession();
    const liveNodes = async () => (await cdp.send('Memory.getDOMCounters')).nodes;
    try {
      await cp.seek(2.5);
      await cp.collectGarbage();
      const oneFrame = await liveNodes();
      // 300 rebuilds inside the page, behind CaptionPage's back (no collection on the way).
      await cp.page.evaluate(
        (ts) => {
          const api = (window as unknown as CaptionPageWindow).__ecgCaption;
          for (const t of ts) api.seek(t);
          api.seek(2.5);
        },
        Array.from({ length: 300 }, (_, i) => i / 50),
      );
      const before = await liveNodes();
      await cp.collectGarbage();
      const after = await liveNodes();
      expect(after).toBeLessThanOrEqual(oneFrame + 10);
      expect(before).toBeGreaterThanOrEqual(after);
    } finally {
      await cdp.detach().catch(() => undefined);
    }
  });
});

describe('isolation', () => {
  it('renders markup in cue text as text and makes no network request', async () => {
    const cp = await openPage();
    const base = `http://127.0.0.1:${sentinelPort}`;
    const evil = `<img src=${base}/x><script>fetch('${base}/s')</script>`;
    const scenario = {
      version: '2.0',
      timebase: { unit: 'seconds' },
      stage: { baseAspect: '16:9' },
      define: { font: { type: 'font', url: `${base}/font.woff2` }, logo: { type: 'image', url: `${base}/logo.png` } },
      tracks: [{ id: 't', type: 'subtitle', layer: 1, defaultStyle: { fontSizeRel: 0.06, color: '#ffffff' } }],
      cues: [
        {
          id: 'c1',
          track: 't',
          root: {
            id: 'g',
            eType: 'group',
            displayTime: [0, 5],
            layout: { position: { x: 0.5, y: 0.8 }, anchor: 'cc' },
            children: [
              { id: 'txt', eType: 'text', text: evil, displayTime: [0, 5] },
              { id: 'img', eType: 'image', src: `${base}/img.png`, displayTime: [0, 5] },
            ],
          },
        },
      ],
    };
    const res = await cp.load(scenario);
    expect(res.mountedCues).toBe(1);
    const r = await cp.seek(2);
    expect(r.visible).toBe(true);
    const dom = await cp.page.evaluate(() => ({
      text: document.querySelector('.mtx-text')?.textContent ?? '',
      scripts: document.scripts.length,
      imgs: Array.from(document.images).map((i) => i.getAttribute('src')),
    }));
    expect(dom.text).toBe(evil);
    expect(dom.scripts).toBe(1);
    expect(dom.imgs.every((s) => !s || !s.endsWith('/x'))).toBe(true);
    expect(opaquePixels(await cp.capture())).toBeGreaterThan(50);
    // Page scripts cannot reach out either.
    const attempts = await cp.page.evaluate(async (u) => {
      const out: string[] = [];
      out.push(
        await fetch(`${u}/fetch`).then(
          () => 'ok',
          () => 'blocked',
        ),
      );
      out.push(
        await new Promise<string>((res) => {
          try {
            const ws = new WebSocket(`ws://127.0.0.1:${new URL(u).port}/ws`);
            ws.onopen = () => res('ok');
            ws.onerror = () => res('blocked');
          } catch {
            res('blocked');
          }
        }),
      );
      out.push(
        await new Promise<string>((res) => {
          const img = new Image();
          img.onload = () => res('ok');
          img.onerror = () => res('blocked');
          img.src = `${u}/pixel.png`;
        }),
      );
      return out;
    }, base);
    expect(attempts).toEqual(['blocked', 'blocked', 'blocked']);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentinelHits).toBe(0);
  });
});
