// Caption frames flow from Chromium into ffmpeg, frame-exact: output frame i shows the captions
// at t = i / fps. The render is planned first, then streamed:
//  1. survey: the page seeks every frame where a cue can be visible and reports a signature of
//     its visual state, plus the union box of everything visible (one round trip per batch);
//  2. frames with the same signature form runs: one screenshot serves a whole run, and frames
//     where nothing is visible need none;
//  3. only the region captions ever cover is captured and overlaid (raw RGBA, cheap for ffmpeg
//     to read), and ffmpeg blends only while a caption is visible;
//  4. capture → bounded queue of runs → ffmpeg's stdin: the queue is the only buffering, so
//     memory is flat in the video's length, and a slow encoder slows capture instead of dropping
//     frames; capture works ahead through static stretches while ffmpeg encodes them.
// With no visible caption at all, the render is a plain transcode.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CaptionPage, loadCaptionPageAssets, type BBox, type CaptionPageAssets } from '../../libs/caption-page/src/index.js';
import type { OriginPlugin, PageFont } from '../../libs/caption-page/src/load-options.js';
import { BrowserPool } from '../browser-pool/browser-pool.service.js';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { buildCompositeArgs, buildTranscodeArgs, expectedFrameCount, type VideoEncoder } from '../encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../encoder/ffmpeg-process.js';
import type { ProbedMedia } from '../encoder/media-probe.js';
import type { PreparedScenario } from '../scenario/prepare-scenario.js';
import { BoundedQueue } from './bounded-queue.js';
import { FramePool } from './frame-pool.js';
import { captureInOrder } from './ordered-capture.js';
import { surveyOnPages } from './parallel-survey.js';
import { decodePng, pngSize } from './png.js';
import { EMPTY_SIGNATURE, framesToSurvey, planFromSurvey, visibleSpans, type FrameRun } from './caption-plan.js';
import { asKnownRenderError, isBrowserCrash } from './classify-render-error.js';
import { RenderError } from './render-errors.js';

/**
 * Runs buffered between capture and encoder. A run is one frame buffer and its repeat count, so
 * capture can work ahead through a whole static stretch while ffmpeg encodes it, and memory stays
 * bounded by this many region-sized buffers whatever the video's length.
 */
export const RUN_QUEUE_CAPACITY = 8;

/** Fewer frames where a cue may show than this: one page does it all (another's open + load would not pay). */
export const MIN_FRAMES_FOR_MORE_PAGES = 150;

export interface PipelineProgress {
  framesDone: number;
  framesTotal: number;
  framesCaptured: number;
  fps: number;
  etaSeconds: number | null;
}

export interface PipelineJob {
  source: ProbedMedia;
  prepared: PreparedScenario;
  /** Plugins from the plugin origin, served to the page from memory. */
  originPlugins?: readonly OriginPlugin[];
  /** Font faces (src/fonts), registered by the page before layout. */
  fonts?: readonly PageFont[];
  /** Seeds the plugins' random numbers (the job id: the same in every segment). */
  seed?: string;
  outputPath: string;
  width: number;
  height: number;
  fps: number;
  quality: number;
  encoder: VideoEncoder;
  x264Preset?: string;
  ffmpegPath?: string;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /**
   * Render only output frames [first, first + count) of the whole video, without audio: one
   * segment of a render split across workers (joined later by stream copy).
   */
  range?: FrameRange;
}

export interface FrameRange {
  first: number;
  count: number;
}

export interface PipelineResult {
  framesTotal: number;
  /** Screenshots taken (one per run of identical caption frames). */
  framesCaptured: number;
  /** Output frames on which a caption is visible. */
  framesWithCaptions: number;
  /** The overlaid region, or null when no caption was visible at all. */
  region: BBox | null;
}

@Injectable()
export class StreamingPipeline {
  private readonly logger = new Logger(StreamingPipeline.name);
  private assets?: Promise<CaptionPageAssets>;
  /** Pages capturing at once (CAPTURE_PAGES); the bench sets it to compare page counts in one run. */
  capturePages: number;
  /** See MIN_FRAMES_FOR_MORE_PAGES; tests lower it to run short videos on several pages. */
  minFramesForMorePages = MIN_FRAMES_FOR_MORE_PAGES;

  constructor(
    private readonly pool: BrowserPool,
    @Inject(ENGINE_CONFIG) config: EngineConfig,
  ) {
    this.capturePages = config.capturePages;
  }

  async run(job: PipelineJob): Promise<PipelineResult> {
    const { width, height, fps, signal } = job;
    const range = job.range;
    const framesTotal = range ? range.count : expectedFrameCount(job.source.durationSec, fps);
    const firstFrame = range?.first ?? 0;
    this.assets ??= loadCaptionPageAssets();
    const assets = await this.assets;
    signal?.throwIfAborted();

    const lease = await this.pool.acquire(signal);
    let browserBroken = false;
    let ffmpeg: FfmpegProcess | undefined;
    let page: CaptionPage | undefined;
    let extraPages: Promise<CaptionPage[]> | undefined;
    try {
      const openPage = async (): Promise<CaptionPage> => {
        const p = await CaptionPage.open(await lease.newPage(), assets, { width, height });
        try {
          const loaded = await p.load(job.prepared.scenario, { originPlugins: job.originPlugins, fonts: job.fonts, seed: job.seed, fps });
          // A face the server resolved but Chromium could not load would be drawn with another one: never silently.
          const fontFailures = loaded.warnings.filter((w) => /^font "/.test(w));
          if (fontFailures.length) throw new RenderError('RENDER_FONT_UNAVAILABLE', fontFailures.join('; '));
          return p;
        } catch (err) {
          await p.close().catch(() => undefined);
          throw err;
        }
      };
      page = await openPage();

      // 1–2. Survey the frames where a cue may show; plan runs of identical frames.
      const activeFrames = framesToSurvey(job.prepared, framesTotal, fps, firstFrame);
      // The other pages open and load while the first one starts the survey, then share it.
      if (this.capturePages > 1 && activeFrames.length >= this.minFramesForMorePages) {
        const n = this.capturePages - 1;
        extraPages = (async () => {
          const opened = await Promise.allSettled(Array.from({ length: n }, openPage));
          const ok = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) {
            await Promise.all(ok.map((p) => p.close().catch(() => undefined)));
            throw failed.reason;
          }
          return ok;
        })();
        extraPages.catch(() => undefined); // awaited below, or in finally
      }
      const surveyors: Array<Promise<CaptionPage>> = [Promise.resolve(page)];
      if (extraPages) for (let k = 0; k < this.capturePages - 1; k++) surveyors.push(extraPages.then((ps) => ps[k]));
      const survey = await surveyOnPages(
        surveyors,
        activeFrames.map((i) => (firstFrame + i) / fps),
        signal,
      );
      signal?.throwIfAborted();
      const { runs, region } = planFromSurvey(framesTotal, activeFrames, survey, width, height);
      const framesWithCaptions = runs.reduce((n, r) => n + (r.signature === EMPTY_SIGNATURE ? 0 : r.count), 0);

      const common = {
        sourcePath: job.source.path,
        output: job.outputPath,
        width,
        height,
        fps,
        durationSec: range ? segmentDurationSec(range.count, fps) : job.source.durationSec,
        startSec: range ? range.first / fps : undefined,
        frames: range?.count,
        encoder: job.encoder,
        quality: job.quality,
        preset: job.encoder === 'libx264' ? job.x264Preset : undefined,
        hasAudio: range ? false : job.source.hasAudio,
        audioCodec: job.source.audioCodec,
      };
      const started = Date.now();
      const report = (framesDone: number, framesCaptured: number) => {
        if (!job.onProgress || (framesDone % 10 !== 0 && framesDone !== framesTotal)) return;
        const elapsed = (Date.now() - started) / 1000;
        const rate = elapsed > 0 ? framesDone / elapsed : 0;
        job.onProgress({
          framesDone,
          framesTotal,
          framesCaptured,
          fps: rate,
          etaSeconds: rate > 0 ? (framesTotal - framesDone) / rate : null,
        });
      };

      if (!region) {
        // Nothing to burn in: the page is not needed any more.
        await page.close();
        page = undefined;
        ffmpeg = FfmpegProcess.start(buildTranscodeArgs(common), {
          signal,
          ffmpegPath: job.ffmpegPath,
          onProgress: (p) => report(Math.min(framesTotal, p.frame ?? 0), 0),
        });
        await ffmpeg.finish();
        report(framesTotal, 0);
        return { framesTotal, framesCaptured: 0, framesWithCaptions: 0, region: null };
      }

      ffmpeg = FfmpegProcess.start(
        buildCompositeArgs({
          ...common,
          captionInput: { kind: 'rgba-pipe', ...region, enable: visibleSpans(runs, fps) },
        }),
        { signal, ffmpegPath: job.ffmpegPath },
      );
      const pages = [page, ...(extraPages ? await extraPages : [])];
      const captured = await this.stream(pages, ffmpeg, runs, region, firstFrame, framesTotal, fps, signal, report);
      return { framesTotal, framesCaptured: captured, framesWithCaptions, region };
    } catch (err) {
      await ffmpeg?.kill();
      if (isBrowserCrash(err)) browserBroken = true;
      throw asKnownRenderError(err, { stage: 'render', signal });
    } finally {
      await page?.close().catch(() => undefined);
      for (const p of (await extraPages?.catch(() => undefined)) ?? []) await p.close().catch(() => undefined);
      await lease.release(browserBroken);
    }
  }

  /** 3–4. One screenshot per visible run, the same buffer for every frame of the run. */
  private async stream(
    pages: readonly CaptionPage[],
    ffmpeg: FfmpegProcess,
    runs: readonly FrameRun[],
    region: BBox,
    firstFrame: number,
    framesTotal: number,
    fps: number,
    signal: AbortSignal | undefined,
    report: (framesDone: number, framesCaptured: number) => void,
  ): Promise<number> {
    const queue = new BoundedQueue<{ frame: Buffer; count: number }>(RUN_QUEUE_CAPACITY);
    const blank = Buffer.alloc(region.width * region.height * 4);
    const frames = new FramePool(blank.length);
    let captured = 0;
    let done = 0;
    let warned = false;

    const capture = async () => {
      try {
        await captureInOrder({
          pages,
          runs,
          needsCapture: (run) => run.signature !== EMPTY_SIGNATURE,
          grab: async (page, run) => {
            const state = await page.seek((firstFrame + run.first) / fps);
            if (state.signature !== run.signature && !warned) {
              warned = true;
              this.logger.warn(`caption state at frame ${run.first} differs from its survey (a non-deterministic plugin?)`);
            }
            const frame = frames.take();
            try {
              decodeRgba(await page.capture(region), region, frame);
            } catch (err) {
              frames.give(frame);
              throw err;
            }
            captured++;
            return frame;
          },
          blank,
          push: (item) => queue.push(item),
          signal,
        });
        queue.close();
      } catch (err) {
        queue.fail(err);
        throw err;
      }
    };
    const encode = async () => {
      try {
        for (let run = await queue.shift(); run; run = await queue.shift()) {
          for (let k = 0; k < run.count; k++) {
            await ffmpeg.write(run.frame);
            report(++done, captured);
          }
          // write() resolved: ffmpeg's pipe has every byte, the buffer is free again.
          if (run.frame !== blank) frames.give(run.frame);
        }
        await ffmpeg.finish();
      } catch (err) {
        queue.fail(err);
        throw err;
      }
    };
    const results = await Promise.allSettled([capture(), encode()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (done !== framesTotal) throw new RenderError('RENDER_INTERNAL', `sent ${done} of ${framesTotal} frames`);
    return captured;
  }
}

/**
 * The `-t` of a segment of `count` frames: half a frame beyond count/fps, so the cut never falls
 * on the last frame; `-frames:v count` is what makes the count exact.
 */
export function segmentDurationSec(count: number, fps: number): number {
  return (count + 0.5) / fps;
}

/** A screenshot of `region` decoded into `into` (raw RGBA, exactly region-sized). */
function decodeRgba(png: Buffer, region: BBox, into: Buffer): void {
  const size = pngSize(png);
  if (size && (size.width !== region.width || size.height !== region.height)) {
    throw new RenderError('RENDER_INTERNAL', `screenshot is ${size.width}x${size.height}, expected ${region.width}x${region.height}`);
  }
  decodePng(png, into); // anything malformed: PngDecodeError
}
