// Caption frames flow from Chromium into ffmpeg: capture → bounded queue → ffmpeg's stdin, where
// ffmpeg overlays each frame on the decoded source and encodes. Output frame i shows the captions
// at t = i / fps. The queue's capacity is the only buffering, so memory stays flat whatever the
// length, and a slow encoder slows capture down instead of dropping frames.
import { Injectable, Logger } from '@nestjs/common';
import { CaptionPage, loadCaptionPageAssets, type CaptionPageAssets } from '../../libs/caption-page/src/index.js';
import { BrowserPool } from '../browser-pool/browser-pool.service.js';
import { buildCompositeArgs, expectedFrameCount, type VideoEncoder } from '../encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../encoder/ffmpeg-process.js';
import type { ProbedMedia } from '../encoder/media-probe.js';
import { isActiveAt, type PreparedScenario } from '../scenario/prepare-scenario.js';
import { BoundedQueue } from './bounded-queue.js';
import { RenderError, isBrowserCrash, isDiskFull } from './render-errors.js';
import { transparentPng } from './transparent-png.js';

/** Frames buffered between capture and encoder: enough to overlap the two, small enough for RAM. */
export const FRAME_QUEUE_CAPACITY = 8;

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
}

export interface PipelineResult {
  framesTotal: number;
  framesCaptured: number;
}

@Injectable()
export class StreamingPipeline {
  private readonly logger = new Logger(StreamingPipeline.name);
  private assets?: Promise<CaptionPageAssets>;

  constructor(private readonly pool: BrowserPool) {}

  async run(job: PipelineJob): Promise<PipelineResult> {
    const { width, height, fps, signal } = job;
    const framesTotal = expectedFrameCount(job.source.durationSec, fps);
    this.assets ??= loadCaptionPageAssets();
    const assets = await this.assets;
    signal?.throwIfAborted();

    const lease = await this.pool.acquire(signal);
    let browserBroken = false;
    let ffmpeg: FfmpegProcess | undefined;
    let page: CaptionPage | undefined;
    try {
      page = await CaptionPage.open(await lease.newPage(), assets, { width, height });
      await page.load(job.prepared.scenario);

      ffmpeg = FfmpegProcess.start(
        buildCompositeArgs({
          sourcePath: job.source.path,
          output: job.outputPath,
          width,
          height,
          fps,
          durationSec: job.source.durationSec,
          encoder: job.encoder,
          quality: job.quality,
          preset: job.encoder === 'libx264' ? job.x264Preset : undefined,
          hasAudio: job.source.hasAudio,
          audioCodec: job.source.audioCodec,
          captionInput: { kind: 'png-pipe' },
        }),
        { signal, ffmpegPath: job.ffmpegPath },
      );

      const queue = new BoundedQueue<Buffer>(FRAME_QUEUE_CAPACITY);
      const blank = transparentPng(width, height);
      const started = Date.now();
      let framesCaptured = 0;
      let framesDone = 0;

      const capture = async () => {
        try {
          for (let i = 0; i < framesTotal; i++) {
            signal?.throwIfAborted();
            const t = i / fps;
            let frame = blank;
            if (isActiveAt(job.prepared, t)) {
              const state = await page!.seek(t);
              if (state.visible) {
                frame = await page!.capture();
                framesCaptured++;
              }
            }
            await queue.push(frame);
          }
          queue.close();
        } catch (err) {
          queue.fail(err);
          throw err;
        }
      };

      const encode = async () => {
        try {
          for (let frame = await queue.shift(); frame; frame = await queue.shift()) {
            await ffmpeg!.write(frame);
            framesDone++;
            if (job.onProgress && (framesDone % 10 === 0 || framesDone === framesTotal)) {
              const elapsed = (Date.now() - started) / 1000;
              const rate = elapsed > 0 ? framesDone / elapsed : 0;
              job.onProgress({
                framesDone,
                framesTotal,
                framesCaptured,
                fps: rate,
                etaSeconds: rate > 0 ? (framesTotal - framesDone) / rate : null,
              });
            }
          }
          await ffmpeg!.finish();
        } catch (err) {
          queue.fail(err);
          throw err;
        }
      };

      const results = await Promise.allSettled([capture(), encode()]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return { framesTotal, framesCaptured };
    } catch (err) {
      await ffmpeg?.kill();
      if (isBrowserCrash(err)) browserBroken = true;
      throw classify(err, signal);
    } finally {
      await page?.close().catch(() => undefined);
      await lease.release(browserBroken);
    }
  }
}

function classify(err: unknown, signal?: AbortSignal): unknown {
  if (err instanceof RenderError) return err;
  if (signal?.aborted) return new RenderError('RENDER_CANCELLED', 'the render was cancelled', false, undefined, { cause: err });
  if (isDiskFull(err)) return new RenderError('RENDER_DISK_FULL', 'no space left on the render disk', true, undefined, { cause: err });
  if (isBrowserCrash(err)) {
    return new RenderError('RENDER_BROWSER_CRASHED', `the caption browser crashed: ${(err as Error).message}`, true, undefined, { cause: err });
  }
  const name = (err as Error)?.name;
  if (name === 'FfmpegError') {
    return new RenderError('RENDER_ENCODER_FAILED', (err as Error).message, false, undefined, { cause: err });
  }
  return err;
}
