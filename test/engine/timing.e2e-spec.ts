// Frame-exact timing, measured on the encoded output: output frame i shows the captions at
// t = i / fps, and a cue is visible for start ≤ t ≤ end (end inclusive). White text on a black
// source; caption pixels are found by brightness, with a threshold well above H.264 noise.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/timing
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import {
  brightBox,
  countBright,
  createEngineContext,
  ensureCaptionPageBundle,
  extractAllFramesRgba,
  makeColorVideo,
  type Rect,
} from '../helpers/engine.js';

jest.setTimeout(120_000);

const W = 480;
const H = 270;
const FPS = 10;
const SECONDS = 3.6; // frames 0..35
/** max(R,G,B) above this is caption; black after H.264 stays far below. */
const BRIGHT = 100;
/** Caption pixels we expect at least, inside the cue's region, when it shows (text ~40 px high). */
const MIN_PRESENT = 200;
/** Stray bright pixels tolerated in the region when it must be empty (H.264 ringing). */
const MAX_ABSENT = 3;

interface TimedCue {
  id: string;
  start: number;
  end: number;
  /** Vertical position of the text's centre, 0..1 of the stage. */
  y: number;
  text: string;
}

const CUES: TimedCue[] = [
  { id: 'first', start: 1.0, end: 2.0, y: 0.3, text: 'FIRST CUE' },
  { id: 'second', start: 2.5, end: 3.0, y: 0.7, text: 'SECOND CUE' },
];

const STYLE = { fontFamily: 'Noto Sans CJK KR', fontSizeRel: 0.12, fontWeight: 'bold', color: '#ffffff' };

function v20Scenario(cues: TimedCue[]): Record<string, unknown> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'sub', type: 'subtitle', layer: 1, defaultStyle: STYLE }],
    cues: cues.map((c) => ({
      id: c.id,
      track: 'sub',
      root: {
        id: `${c.id}-group`,
        eType: 'group',
        children: [
          {
            id: `${c.id}-text`,
            eType: 'text',
            text: c.text,
            displayTime: [c.start, c.end],
            layout: { position: [0.5, c.y], anchor: 'cc' },
          },
        ],
      },
    })),
  };
}

/** The same cues as the ECG editor exports them (v1.3: type, content, absStart/absEnd, hintTime). */
function v13Scenario(cues: TimedCue[]): Record<string, unknown> {
  return {
    version: '1.3',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'sub', type: 'subtitle', layer: 1, defaultStyle: STYLE }],
    cues: cues.map((c) => ({
      id: c.id,
      track: 'sub',
      hintTime: c.start,
      root: {
        id: `${c.id}-group`,
        type: 'group',
        children: [
          {
            id: `${c.id}-text`,
            type: 'text',
            content: c.text,
            absStart: c.start,
            absEnd: c.end,
            layout: { position: [0.5, c.y], anchor: 'cc' },
          },
        ],
      },
    })),
  };
}

const grow = (r: Rect, by: number): Rect => {
  const x = Math.max(0, r.x - by);
  const y = Math.max(0, r.y - by);
  return { x, y, w: Math.min(W, r.x + r.w + by) - x, h: Math.min(H, r.y + r.h + by) - y };
};

describe('caption timing is frame-exact in the output', () => {
  let dir: string;
  let source: string;
  let app: INestApplicationContext;
  let engine: RenderEngine;

  beforeAll(async () => {
    ensureCaptionPageBundle();
    dir = mkdtempSync(join(tmpdir(), 'ecg-e2e-timing-'));
    source = await makeColorVideo({ path: join(dir, 'black.mp4'), seconds: SECONDS, width: W, height: H, fps: FPS, color: 'black' });
    app = await createEngineContext();
    engine = app.get(RenderEngine);
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['v2.0', v20Scenario(CUES)],
    ['v1.3 (converted by the service)', v13Scenario(CUES)],
  ])('%s: visible on the first and last frame of each window, absent just outside', async (label, scenario) => {
    const out = join(dir, `${label.slice(0, 4)}.mp4`);
    const summary = await engine.render({ videoPath: source, scenario, outputPath: out, options: { fps: FPS } }); // W×H: the source's size
    const frames = await extractAllFramesRgba(out, W, H);
    expect(frames).toHaveLength(Math.round(SECONDS * FPS));
    expect(summary.framesTotal).toBe(frames.length);

    const bright = (i: number, r?: Rect) => countBright(frames[i], W, H, BRIGHT, r);
    // Frames outside every window are black everywhere.
    const inAnyCue = (i: number) => CUES.some((c) => i / FPS >= c.start && i / FPS <= c.end);
    const outside = frames.map((_, i) => i).filter((i) => !inAnyCue(i));
    const litOutside = outside.filter((i) => bright(i) > MAX_ABSENT);
    expect({ label, litOutside }).toEqual({ label, litOutside: [] });

    for (const cue of CUES) {
      const first = Math.round(cue.start * FPS);
      const last = Math.round(cue.end * FPS);
      // Where the cue paints: the bright pixels of its first frame, grown a little for anti-aliasing.
      const box = brightBox(frames[first], W, H, BRIGHT);
      expect({ cue: cue.id, frame: first, box }).toEqual({ cue: cue.id, frame: first, box: expect.any(Object) });
      const region = grow(box!, 4);
      // The text is centred at (0.5, y) of the stage.
      expect(Math.abs(region.x + region.w / 2 - W / 2)).toBeLessThan(W * 0.1);
      expect(Math.abs(region.y + region.h / 2 - cue.y * H)).toBeLessThan(H * 0.1);

      const counts = {
        before: bright(first - 1, region),
        first: bright(first, region),
        last: bright(last, region),
        after: bright(last + 1, region),
      };
      const verdict = {
        cue: cue.id,
        before: counts.before <= MAX_ABSENT,
        first: counts.first >= MIN_PRESENT,
        last: counts.last >= MIN_PRESENT,
        after: counts.after <= MAX_ABSENT,
      };
      expect({ ...verdict, counts }).toEqual({ cue: cue.id, before: true, first: true, last: true, after: true, counts });
      // Every frame inside the window shows it, fully (no fade: the cue has no plugin).
      for (let i = first; i <= last; i++)
        expect({ cue: cue.id, i, lit: bright(i, region) >= counts.first * 0.8 }).toEqual({ cue: cue.id, i, lit: true });
    }
    // Screenshots: at least one per cue, none for frames outside every window (identical
    // frames may share one screenshot, so not necessarily one per frame).
    const inside = frames.length - outside.length;
    expect(summary.framesCaptured).toBeGreaterThanOrEqual(CUES.length);
    expect(summary.framesCaptured).toBeLessThanOrEqual(inside);
    const withCaptions = (summary as { framesWithCaptions?: number }).framesWithCaptions;
    if (withCaptions !== undefined) expect(withCaptions).toBe(inside);
  });
});
