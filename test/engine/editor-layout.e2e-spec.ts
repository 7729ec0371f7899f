// Every v1.3 and v2.0 scenario the editor made (../shared/editor-reference/scenarios) and every
// engine sample (../shared/fixtures/motiontext-samples) is prepared as a render prepares it and
// shown in a real caption page (Chromium, 640×360); at a few cue times each caption line must be
// where the file's OWN coordinates put it (test/helpers/editor-layout-expectations.ts): anchor
// points within a few pixels, one line where the file says nowrap, flowing words inside their
// group's box, the box's anchor at the group's position. Every file is checked without its plugins
// (layout alone), and the editor's scenarios once more with them (plugin DOM must not move a
// line; lines are counted with the plugins' transforms switched off). Robust to font widths:
// centres, anchor points and line counts, never widths.
// Run: node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/editor-layout
import { jest } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { CaptionPage, loadCaptionPageAssets } from '../../libs/caption-page/src/index.js';
import { launchChromium } from '../../src/browser-pool/chromium-launch.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { EDITOR_SCENARIOS_DIR, SHARED_FIXTURES_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import {
  anchorFractions,
  expectationsFor,
  readScenarioFile,
  withoutPlugins,
  type Expectation,
} from '../helpers/editor-layout-expectations.js';
import { ensureCaptionPageBundle } from '../helpers/engine.js';

jest.setTimeout(300_000);

const W = 640;
const H = 360;
/** Anchor points within this many pixels (the engine rounds percentages to 0.01 %, text boxes to px). */
const TOL = 3;
/** Cues looked at per file. */
const CUES_PER_FILE = 3;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  lines: number;
  bg: string;
}

function scenarioFiles(): string[] {
  const dirs = [
    ...readdirSync(EDITOR_SCENARIOS_DIR).map((d) => join(EDITOR_SCENARIOS_DIR, d)),
    ...['', 'v2', 'legacy'].map((d) => join(SHARED_FIXTURES_DIR, 'motiontext-samples', d)),
  ];
  const out: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.json')) continue;
      const v = readScenarioFile(join(dir, f)).version;
      if (v === '1.3' || v === '2.0' || v === 1.3 || v === 2) out.push(join(dir, f));
    }
  }
  return out;
}

/** Boxes (stage px) of every mounted node, by node id, with the text's line count. */
async function measure(cp: CaptionPage): Promise<Record<string, Box>> {
  return cp.page.evaluate(() => {
    const stage = document.getElementById('ecg-stage')!;
    const s = stage.getBoundingClientRect();
    const out: Record<string, { x: number; y: number; w: number; h: number; lines: number; bg: string }> = {};
    // Lines are counted untransformed: plugins move letters (elastic, bouncing) without wrapping.
    const still = document.createElement('style');
    still.textContent = '#ecg-stage .mtx-text *{transform:none!important}';
    stage.querySelectorAll<HTMLElement>('[data-node-id]').forEach((el) => {
      if (!el.checkVisibility()) return;
      const r = el.getBoundingClientRect();
      if (!still.isConnected) document.head.appendChild(still);
      let lines = 0;
      if (el.classList.contains('mtx-text')) {
        const range = document.createRange();
        range.selectNodeContents(el.querySelector('.mtx-effects-root') ?? el);
        const tops: number[] = [];
        for (const rr of Array.from(range.getClientRects())) {
          if (rr.width > 0 && !tops.some((t) => Math.abs(t - rr.top) < 3)) tops.push(rr.top);
        }
        lines = tops.length;
      }
      out[el.dataset.nodeId!] = {
        x: r.left - s.left,
        y: r.top - s.top,
        w: r.width,
        h: r.height,
        lines,
        bg: getComputedStyle(el).backgroundColor,
      };
    });
    still.remove();
    return out;
  });
}

const anchorPoint = (b: Box, anchor: string) => {
  const { ax, ay } = anchorFractions(anchor);
  return { x: b.x + ax * b.w, y: b.y + ay * b.h };
};
const fmt = (p: { x: number; y: number }) => `(${p.x.toFixed(1)}, ${p.y.toFixed(1)})`;
const transparent = (bg: string) => bg === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(bg);

/** Mismatches of one expectation against the measured boxes ('' when it holds or is not on screen). */
function check(e: Expectation, boxes: Record<string, Box>): string[] {
  const b = boxes[e.nodeId];
  if (!b) return [];
  const what = JSON.stringify(e.text.slice(0, 30));
  if (e.kind === 'inside') {
    const hit = b.x < W && b.x + b.w > 0 && b.y < H && b.y + b.h > 0;
    return hit ? [] : [`${what} is off the stage at ${fmt(b)}`];
  }
  if (e.kind === 'point') {
    const want = { x: e.at.x * W, y: e.at.y * H };
    const got = anchorPoint(b, e.centreOnly ? 'cc' : e.anchor);
    const out: string[] = [];
    if (Math.abs(got.x - want.x) > TOL || Math.abs(got.y - want.y) > TOL) {
      out.push(`${what}: ${e.anchor} point at ${fmt(got)}, its coordinates say ${fmt(want)}`);
    }
    if (e.nowrap && b.lines !== 1) out.push(`${what}: ${b.lines} lines where the file says nowrap`);
    return out;
  }
  const g = boxes[e.groupId];
  if (!g) return [`${what}: its group ${e.groupId} is not mounted`];
  const out: string[] = [];
  const outside = b.x < g.x - 1.5 || b.y < g.y - 1.5 || b.x + b.w > g.x + g.w + 1.5 || b.y + b.h > g.y + g.h + 1.5;
  if (outside && !e.sized) {
    out.push(
      `${what} at ${fmt(b)} ${b.w.toFixed(0)}×${b.h.toFixed(0)} is outside its group's box ${fmt(g)} ${g.w.toFixed(0)}×${g.h.toFixed(0)}`,
    );
  }
  if (e.at) {
    const want = { x: e.at.x * W, y: e.at.y * H };
    const got = anchorPoint(g, e.anchor);
    if (Math.abs(got.x - want.x) > TOL || Math.abs(got.y - want.y) > TOL) {
      out.push(`group of ${what}: ${e.anchor} point at ${fmt(got)}, its coordinates say ${fmt(want)}`);
    }
  }
  if (e.box && transparent(g.bg)) out.push(`group of ${what} paints no box (background ${g.bg})`);
  return out;
}

let browser: Browser;
let cp: CaptionPage;

beforeAll(async () => {
  requireEditorReference();
  ensureCaptionPageBundle();
  browser = await launchChromium(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  cp = await CaptionPage.open(await browser.newPage({ type: 'window' }), await loadCaptionPageAssets(), { width: W, height: H });
});

afterAll(async () => {
  await cp?.close();
  await browser?.close();
});

/** Prepares (without plugins), loads, and measures a file at the middle of a few of its cues. */
async function layoutOf(file: string, cueIndexes?: number[], keepPlugins = false) {
  const raw = keepPlugins ? readScenarioFile(file) : withoutPlugins(readScenarioFile(file));
  const prepared = prepareScenario(raw);
  const expectations = expectationsFor(raw, prepared.scenario);
  const load = await cp.load(prepared.scenario);
  const windows = prepared.cueWindows;
  const picks = cueIndexes ?? [...new Set([0, Math.floor(windows.length / 2), windows.length - 1])].slice(0, CUES_PER_FILE);
  const frames: Array<{ t: number; boxes: Record<string, Box> }> = [];
  for (const i of picks) {
    const w = windows[i];
    if (!w) continue;
    const t = Number.isFinite(w.end) ? (w.start + w.end) / 2 : w.start + 0.5;
    await cp.seek(t);
    frames.push({ t, boxes: await measure(cp) });
  }
  return { raw, prepared, expectations, load, frames };
}

const files = scenarioFiles();

describe('editor layout: every editor scenario and engine sample where its own coordinates put it', () => {
  it('finds the editor scenarios and the engine samples', () => {
    const rel = files.map((f) => relative(join(EDITOR_SCENARIOS_DIR, '..', '..'), f));
    expect(rel.filter((f) => f.includes('editor-generated')).length).toBeGreaterThanOrEqual(18);
    expect(rel.filter((f) => f.includes('editor-exports')).length).toBeGreaterThanOrEqual(2);
    expect(files.filter((f) => f.includes('motiontext-samples')).length).toBeGreaterThanOrEqual(20);
  });

  const cases = files.flatMap((f) => {
    const name = relative(join(SHARED_FIXTURES_DIR, '..'), f);
    return f.startsWith(EDITOR_SCENARIOS_DIR)
      ? [
          [name, false],
          [`${name} with its plugins`, true],
        ]
      : [[name, false]];
  }) as Array<[string, boolean]>;
  it.each(cases)('%s', async (name, keepPlugins) => {
    const file = files.find((f) => name.startsWith(relative(join(SHARED_FIXTURES_DIR, '..'), f)))!;
    const { frames, expectations, load } = await layoutOf(file, undefined, keepPlugins);
    expect(load.mountedCues).toBeGreaterThan(0);
    const problems: string[] = [];
    let checked = 0;
    for (const { t, boxes } of frames) {
      for (const e of expectations) {
        if (!boxes[e.nodeId]) continue;
        checked++;
        for (const p of check(e, boxes)) problems.push(`t=${t.toFixed(2)} ${p}`);
      }
    }
    expect(problems).toEqual([]);
    if (file.startsWith(EDITOR_SCENARIOS_DIR)) expect(checked).toBeGreaterThan(0);
  });
});

describe('editor layout: the issue-11 cases, before/after', () => {
  const generated = (f: string) => join(EDITOR_SCENARIOS_DIR, 'editor-generated', f);
  const exported = (f: string) => join(EDITOR_SCENARIOS_DIR, 'editor-exports', f);

  it('the editor export (buildScenarioFromClips) centres each cue on one line at y = 0.822 of the frame, not 0.5', async () => {
    for (const f of ['fe-friends_result.export-v13.json', 'mig-friends_result.linebreak.export-v13.json']) {
      const { frames, prepared } = await layoutOf(generated(f), [1, 2]);
      const cues = prepared.scenario.cues as Array<{ root: { children: Array<{ id: string }> } }>;
      for (const [k, { boxes }] of frames.entries()) {
        const text = boxes[cues[k + 1].root.children[0].id];
        const centre = { x: text.x + text.w / 2, y: text.y + text.h / 2 };
        expect({ f, dx: Math.abs(centre.x - W / 2) <= TOL, dy: Math.abs(centre.y - 0.8222 * H) <= TOL, lines: text.lines }).toEqual({
          f,
          dx: true,
          dy: true,
          lines: 1,
        });
      }
    }
  });

  it('the older per-word export is one band at the bottom, in its dark box, not a column of words', async () => {
    const { frames, prepared } = await layoutOf(exported('scenario-cwi1-v13.json'), [0, 1, 2]);
    const cues = prepared.scenario.cues as Array<{ root: { id: string; children: Array<{ id: string }> } }>;
    for (const [k, { boxes }] of frames.entries()) {
      const group = boxes[cues[k].root.id];
      expect(group.bg).toBe('rgba(0, 0, 0, 0.9)');
      expect(Math.abs(group.y + group.h - 0.925 * H)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(group.x + group.w / 2 - W / 2)).toBeLessThanOrEqual(TOL);
      expect(group.h).toBeLessThan(0.5 * H);
      const words = cues[k].root.children.map((c) => boxes[c.id]).filter(Boolean);
      expect(words.length).toBe(cues[k].root.children.length);
      // Words side by side in reading order: each row starts to the right of the one before or wraps.
      const rows = new Set(words.map((w) => Math.round(w.y)));
      expect(rows.size).toBeLessThan(words.length === 1 ? 2 : words.length);
      for (const w of words) expect(w.lines).toBe(1);
    }
  });
});
