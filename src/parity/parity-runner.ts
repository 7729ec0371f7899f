// The parity check: the service's rendered MP4 against the engine alone.
//
// For each sampled frame i (t = i / fps):
//  - output:    frame i of the rendered MP4, decoded by ffmpeg;
//  - source:    frame i of the source video through the render's own source chain (fps, scale,
//               pad), i.e. the exact base the caption layer was overlaid on;
//  - reference: a browser page showing that source frame as an <img>, with motiontext-renderer
//               (our caption page bundle: same engine, same plugins) seeked to t on top,
//               screenshotted — the editor's preview of that frame, composited by Chromium.
// compareFrames() then reports the share of differing pixels and the largest difference, and
// whether the caption layer matches (see frame-compare.ts for the tolerances).
import type { Browser } from 'puppeteer-core';
import { CaptionPage, loadCaptionPageAssets } from '../../libs/caption-page/src/index.js';
import type { PreparedScenario } from '../scenario/prepare-scenario.js';
import { compareFrames, DEFAULT_COMPARE, type CompareOptions, type FrameComparison } from './frame-compare.js';
import { extractFrames } from './ffmpeg-frames.js';
import { decodePng, encodePng } from '../render/png.js';
import { sampleFrames } from './sample-frames.js';

export const DEFAULT_PARITY_FRAMES = 8;

export interface ParityInput {
  /** Local source video (what the render read). */
  sourcePath: string;
  /** Local rendered MP4 (what the service produced). */
  renderedPath: string;
  prepared: PreparedScenario;
  width: number;
  height: number;
  fps: number;
  /** Frames of the rendered video. */
  framesTotal: number;
  /** How many frames to check (cue boundaries first). Default 8. */
  frames?: number;
  /** A Chromium to open the reference page in (one window, closed afterwards). */
  browser: Browser;
  ffmpegPath?: string;
  signal?: AbortSignal;
  compare?: CompareOptions;
  /** Keeps the three images of each frame (RGBA) in the report, for debugging and the console. */
  keepImages?: boolean;
}

export interface ParityFrameReport extends FrameComparison {
  index: number;
  t: number;
  reason: string;
  /** The caption page reported visible content at t. */
  captionVisible: boolean;
  images?: { output: Buffer; reference: Buffer; source: Buffer };
}

export interface ParityReport {
  match: boolean;
  width: number;
  height: number;
  fps: number;
  framesTotal: number;
  frames: ParityFrameReport[];
  mismatched: number;
  thresholds: Required<CompareOptions>;
  wallSeconds: number;
}

export async function runParity(input: ParityInput): Promise<ParityReport> {
  const started = Date.now();
  const { width, height, fps } = input;
  const samples = sampleFrames(input.prepared, input.framesTotal, fps, input.frames ?? DEFAULT_PARITY_FRAMES);
  const indices = samples.map((s) => s.index);
  const [outputs, sources] = await Promise.all([
    extractFrames(input.renderedPath, indices, width, height, { ffmpegPath: input.ffmpegPath, signal: input.signal }),
    extractFrames(input.sourcePath, indices, width, height, { ffmpegPath: input.ffmpegPath, signal: input.signal, asSource: { fps } }),
  ]);
  input.signal?.throwIfAborted();

  const assets = await loadCaptionPageAssets();
  const page = await CaptionPage.open(await input.browser.newPage({ type: 'window' }), assets, { width, height });
  const frames: ParityFrameReport[] = [];
  try {
    await page.load(input.prepared.scenario);
    for (let k = 0; k < samples.length; k++) {
      input.signal?.throwIfAborted();
      const s = samples[k];
      const bg = `data:image/png;base64,${encodePng(sources[k], width, height).toString('base64')}`;
      await page.page.evaluate(
        async (src, w, h) => {
          let img = document.getElementById('parity-source') as HTMLImageElement | null;
          if (!img) {
            img = document.createElement('img');
            img.id = 'parity-source';
            img.alt = '';
            Object.assign(img.style, { position: 'absolute', left: '0px', top: '0px', width: `${w}px`, height: `${h}px` });
            document.body.prepend(img);
          }
          img.src = src;
          await img.decode();
        },
        bg,
        width,
        height,
      );
      const state = await page.seek(s.t);
      const shot = decodePng(await page.capture());
      if (shot.width !== width || shot.height !== height) {
        throw new Error(`reference screenshot is ${shot.width}×${shot.height}, expected ${width}×${height}`);
      }
      const cmp = compareFrames(outputs[k], shot.rgba, sources[k], width, height, input.compare);
      frames.push({
        index: s.index,
        t: s.t,
        reason: s.reason,
        captionVisible: state.visible,
        ...cmp,
        ...(input.keepImages ? { images: { output: Buffer.from(outputs[k]), reference: shot.rgba, source: Buffer.from(sources[k]) } } : {}),
      });
    }
  } finally {
    await page.close();
  }
  const mismatched = frames.filter((f) => !f.match).length;
  return {
    match: mismatched === 0,
    width,
    height,
    fps,
    framesTotal: input.framesTotal,
    frames,
    mismatched,
    thresholds: { ...DEFAULT_COMPARE, ...input.compare },
    wallSeconds: (Date.now() - started) / 1000,
  };
}

/** A plain-text table of a report (the CLI's output). */
export function formatParityReport(r: ParityReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  const lines = [
    `parity: ${r.frames.length} frames of ${r.framesTotal} (${r.width}x${r.height} @ ${r.fps} fps), tolerance ${r.thresholds.tolerance}/255`,
    '  frame        t  why          caption px  differing  in caption  max diff  verdict',
  ];
  for (const f of r.frames) {
    lines.push(
      `  ${String(f.index).padStart(5)} ${f.t.toFixed(3).padStart(8)}  ${f.reason.padEnd(11)} ${String(f.captionPixels).padStart(11)} ${pct(f.diffShare)}   ${pct(f.captionDiffShare)}  ${String(f.maxDiff).padStart(8)}  ${f.match ? 'ok' : 'MISMATCH'}`,
    );
  }
  lines.push(r.match ? `parity: OK — every frame's caption layer matches (${r.wallSeconds.toFixed(1)} s)` : `parity: FAILED — ${r.mismatched} of ${r.frames.length} frames differ`);
  return lines.join('\n');
}

/** The report as JSON for the API (no images). */
export function parityReportJson(r: ParityReport): Omit<ParityReport, 'frames'> & { frames: Omit<ParityFrameReport, 'images'>[] } {
  return { ...r, frames: r.frames.map(({ images: _images, ...f }) => f) };
}
