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
import type { PageFont } from '../../libs/caption-page/src/load-options.js';
import type { PreparedScenario } from '../scenario/prepare-scenario.js';
import { compareFrames, DEFAULT_COMPARE, type CompareOptions, type FrameComparison } from './frame-compare.js';
import { extractFrames } from './ffmpeg-frames.js';
import { decodePng, encodePng } from '../render/png.js';
import { sampleFrames } from './sample-frames.js';
import { editorReferenceShots, type ParityReference } from './editor-parity.js';
import type { PluginFileSource } from './editor-reference/plugin-source.js';

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
  /** The render's font faces (FontResolver.plan), so the reference draws the same faces. */
  fonts?: readonly PageFont[];
  /** Keeps the three images of each frame (RGBA) in the report, for debugging and the console. */
  keepImages?: boolean;
  /**
   * 'engine' (default): our caption page seeked to t. 'editor': the editor's preview — its plugin
   * loader, motiontext-renderer and the plugins from `pluginSource`, played to t (editor-parity.ts).
   */
  reference?: ParityReference;
  /** Where the editor's plugins come from (reference 'editor'). */
  pluginSource?: PluginFileSource;
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
  /** What the frames were compared with (absent: 'engine'). */
  reference?: ParityReference;
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
  if (input.reference === 'editor') return editorParity(input, samples, outputs, sources, started);

  const assets = await loadCaptionPageAssets();
  const page = await CaptionPage.open(await input.browser.newPage({ type: 'window' }), assets, { width, height });
  const frames: ParityFrameReport[] = [];
  try {
    await page.load(input.prepared.scenario, { fonts: input.fonts, fps });
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
  return parityReport(input, frames, started);
}

/** The report of compared frames, against our caption page (engine) or the editor's preview. */
function parityReport(input: ParityInput, frames: ParityFrameReport[], started: number, reference?: ParityReference): ParityReport {
  const mismatched = frames.filter((f) => !f.match).length;
  return {
    match: mismatched === 0,
    width: input.width,
    height: input.height,
    fps: input.fps,
    framesTotal: input.framesTotal,
    frames,
    mismatched,
    thresholds: { ...DEFAULT_COMPARE, ...input.compare },
    wallSeconds: (Date.now() - started) / 1000,
    ...(reference ? { reference } : {}),
  };
}

/** runParity with the editor's preview as the reference (frames played in ascending order). */
async function editorParity(
  input: ParityInput,
  samples: ReturnType<typeof sampleFrames>,
  outputs: Uint8Array[],
  sources: Uint8Array[],
  started: number,
): Promise<ParityReport> {
  const { width, height, fps } = input;
  const shots = await editorReferenceShots({
    browser: input.browser,
    scenario: input.prepared.scenario,
    width,
    height,
    fps,
    samples,
    sources,
    pluginSource: input.pluginSource,
    fonts: input.fonts,
    signal: input.signal,
  });
  const frames: ParityFrameReport[] = samples.map((s, k) => {
    const cmp = compareFrames(outputs[k], shots[k], sources[k], width, height, input.compare);
    return {
      index: s.index,
      t: s.t,
      reason: s.reason,
      captionVisible: cmp.referenceCaptionPixels > 0,
      ...cmp,
      ...(input.keepImages ? { images: { output: Buffer.from(outputs[k]), reference: shots[k], source: Buffer.from(sources[k]) } } : {}),
    };
  });
  return parityReport(input, frames, started, 'editor');
}

/** A plain-text table of a report (the CLI's output). */
export function formatParityReport(r: ParityReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  const lines = [
    `parity: ${r.frames.length} frames of ${r.framesTotal} (${r.width}x${r.height} @ ${r.fps} fps), tolerance ${r.thresholds.tolerance}/255${r.reference === 'editor' ? ", against the editor's preview" : ''}`,
    '  frame        t  why          caption px  differing  in caption  max diff  verdict',
  ];
  for (const f of r.frames) {
    lines.push(
      `  ${String(f.index).padStart(5)} ${f.t.toFixed(3).padStart(8)}  ${f.reason.padEnd(11)} ${String(f.captionPixels).padStart(11)} ${pct(f.diffShare)}   ${pct(f.captionDiffShare)}  ${String(f.maxDiff).padStart(8)}  ${f.match ? 'ok' : 'MISMATCH'}`,
    );
  }
  lines.push(
    r.match
      ? `parity: OK — every frame's caption layer matches (${r.wallSeconds.toFixed(1)} s)`
      : `parity: FAILED — ${r.mismatched} of ${r.frames.length} frames differ`,
  );
  return lines.join('\n');
}

/** The report as JSON for the API (no images). */
export function parityReportJson(r: ParityReport): Omit<ParityReport, 'frames'> & { frames: Omit<ParityFrameReport, 'images'>[] } {
  return { ...r, frames: r.frames.map(({ images: _images, ...f }) => f) };
}
