// Where the time goes (unless --no-breakdown), measured alone the way the streaming pipeline works:
// the capture side (survey and plan with the pipeline's own caption-plan steps, then seek + region
// screenshot + PNG→RGBA decode per captured frame) and the ffmpeg side replayed without Chromium.
import { PNG } from 'pngjs';
import { CaptionPage, loadCaptionPageAssets, type BBox } from '../libs/caption-page/src/index.js';
import { BrowserPool } from '../src/browser-pool/browser-pool.service.js';
import { buildCompositeArgs } from '../src/encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../src/encoder/ffmpeg-process.js';
import { decodePng } from '../src/render/png.js';
import { EMPTY_SIGNATURE, framesToSurvey, planFromSurvey, visibleSpans, type FrameRun } from '../src/render/caption-plan.js';
import type { Context, Job } from './context.js';
import { mean, r1 } from './measure.js';
import type { SampleReport } from './proc-sampler.js';

/** What the capture probe measured; the per-frame figures only when some caption shows. */
export interface ProbeFigures {
  framesTimed: number;
  pageOpenAndLoadMs: number;
  surveyMs: number;
  surveyedFrames?: number;
  runs?: number;
  visibleRuns?: number;
  region?: BBox;
  regionSharePct?: number;
  seekMsPerFrame?: number;
  regionCaptureMsPerFrame?: number;
  rgbaDecodeMsPerFrame?: number;
  /** The same PNGs decoded by pngjs (the render's decoder before issue 15), for comparison. */
  pngjsDecodeMsPerFrame?: number;
  fullFrameCaptureMsPerFrame?: number;
  pngKbPerFrame?: number;
}

/** The probe's figures with the estimates and the composite replay drawn from them (runWorkload). */
export interface Breakdown extends ProbeFigures {
  /** Survey + (seek + region screenshot + RGBA decode) per captured frame, at the probe's cost, run alone. */
  captureSideSecondsEstimate: number;
  /** The pipeline's composite ffmpeg run fed ready RGBA frames: the encoder side with no Chromium. */
  compositeReplaySeconds: number | null;
  compositeReplayCpuSeconds: SampleReport['cpuSecondsByKind'] | null;
  compositeReplayPeakFfmpegMb: number | null;
}

/** Visible frames timed by the capture probe (spread evenly over the visible ones). */
const CAPTURE_PROBE_FRAMES = 60;

/**
 * The capture side measured alone, as the streaming pipeline does it: survey every frame where a
 * cue may show (signatures + union box), plan runs of identical frames, then — on up to
 * CAPTURE_PROBE_FRAMES runs spread over the timeline — seek, screenshot the overlay region and
 * decode the PNG to raw RGBA. A full-frame screenshot is timed beside it for comparison.
 */
export async function captureProbe(
  ctx: Context,
  job: Job,
): Promise<{ figures: ProbeFigures; runs: FrameRun[]; region: BBox | null; sample: Buffer | undefined }> {
  const { fps, width, height } = job.options;
  const pool = ctx.app.get(BrowserPool);
  const lease = await pool.acquire(ctx.signal);
  let page: CaptionPage | undefined;
  try {
    const tOpen = performance.now();
    page = await CaptionPage.open(await lease.newPage(), await loadCaptionPageAssets(), { width, height });
    await page.load(job.prepared.scenario, { fps });
    const openLoadMs = performance.now() - tOpen;

    const active = framesToSurvey(job.prepared, job.framesTotal, fps);
    const tSurvey = performance.now();
    const survey = await page.survey(active.map((i) => i / fps));
    const surveyMs = performance.now() - tSurvey;
    const { runs, region } = planFromSurvey(job.framesTotal, active, survey, width, height);
    const visibleRuns = runs.filter((r) => r.signature !== EMPTY_SIGNATURE);
    if (!region || visibleRuns.length === 0) {
      return {
        figures: { framesTimed: 0, pageOpenAndLoadMs: Math.round(openLoadMs), surveyMs: Math.round(surveyMs) },
        runs,
        region: null,
        sample: undefined,
      };
    }

    const step = Math.max(1, visibleRuns.length / CAPTURE_PROBE_FRAMES);
    const picks: number[] = [];
    for (let k = 0; k < visibleRuns.length && picks.length < CAPTURE_PROBE_FRAMES; k++) {
      const run = visibleRuns[Math.floor(k * step)];
      if (!run) break;
      if (picks[picks.length - 1] !== run.first) picks.push(run.first);
    }
    const seekMs: number[] = [];
    const regionMs: number[] = [];
    const decodeMs: number[] = [];
    const pngjsMs: number[] = [];
    const fullMs: number[] = [];
    const pngBytes: number[] = [];
    let sample: Buffer | undefined;
    for (const [n, i] of picks.entries()) {
      ctx.signal.throwIfAborted();
      const a = performance.now();
      await page.seek(i / fps);
      const b = performance.now();
      const png = await page.capture(region);
      const c = performance.now();
      const rgba = decodePng(png).rgba;
      const d = performance.now();
      PNG.sync.read(png);
      pngjsMs.push(performance.now() - d);
      seekMs.push(b - a);
      regionMs.push(c - b);
      decodeMs.push(d - c);
      pngBytes.push(png.length);
      sample ??= rgba;
      if (n % 4 === 0) {
        const e = performance.now();
        await page.capture();
        fullMs.push(performance.now() - e);
      }
    }
    return {
      figures: {
        framesTimed: picks.length,
        pageOpenAndLoadMs: Math.round(openLoadMs),
        surveyMs: Math.round(surveyMs),
        surveyedFrames: active.length,
        runs: runs.length,
        visibleRuns: visibleRuns.length,
        region,
        regionSharePct: r1((100 * region.width * region.height) / (width * height)),
        seekMsPerFrame: r1(mean(seekMs)),
        regionCaptureMsPerFrame: r1(mean(regionMs)),
        rgbaDecodeMsPerFrame: r1(mean(decodeMs)),
        pngjsDecodeMsPerFrame: r1(mean(pngjsMs)),
        fullFrameCaptureMsPerFrame: r1(mean(fullMs)),
        pngKbPerFrame: r1(mean(pngBytes) / 1024),
      },
      runs,
      region,
      sample,
    };
  } finally {
    await page?.close().catch(() => undefined);
    await lease.release();
  }
}

/**
 * The ffmpeg side of the render without Chromium: the pipeline's own composite command (region-sized
 * raw RGBA on stdin, blended only during visible spans), fed one real caption frame on every frame
 * where a caption shows and the blank frame elsewhere, as fast as ffmpeg takes them.
 */
export async function compositeReplay(
  ctx: Context,
  job: Job,
  probe: Awaited<ReturnType<typeof captureProbe>>,
  output: string,
): Promise<void> {
  const { source, options } = job;
  const region = probe.region!;
  const blank = Buffer.alloc(region.width * region.height * 4);
  const ff = FfmpegProcess.start(
    buildCompositeArgs({
      sourcePath: source.path,
      output,
      width: options.width,
      height: options.height,
      fps: options.fps,
      durationSec: source.durationSec,
      encoder: ctx.encoder,
      quality: options.quality,
      preset: ctx.encoder === 'libx264' ? ctx.config.x264Preset : undefined,
      hasAudio: source.hasAudio,
      audioCodec: source.audioCodec,
      captionInput: { kind: 'rgba-pipe', ...region, enable: visibleSpans(probe.runs, options.fps) },
    }),
    { signal: ctx.signal, ffmpegPath: ctx.config.ffmpegPath },
  );
  try {
    let i = 0;
    for (const run of probe.runs) {
      const frame = run.signature === EMPTY_SIGNATURE ? blank : probe.sample!;
      for (let k = 0; k < run.count; k++, i++) {
        await ff.write(frame);
        if (i % 30 === 0) ctx.status(`  composite replay ${i}/${job.framesTotal} frames`);
      }
    }
    await ff.finish();
  } catch (err) {
    await ff.kill();
    throw err;
  }
}
