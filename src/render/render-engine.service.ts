// One render from a local video file and a scenario value to a complete MP4 at `outputPath`:
// probe gate, scenario preparation, encoder choice, then the streaming pipeline. The MP4 appears
// at `outputPath` only when it is complete (written beside it, then renamed).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { EncoderProbe } from '../encoder/encoder-probe.js';
import { buildConcatList, buildJoinArgs, expectedFrameCount, type VideoEncoder } from '../encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../encoder/ffmpeg-process.js';
import { MediaRejectedError } from '../encoder/errors.js';
import { MediaProbe, type ProbedMedia } from '../encoder/media-probe.js';
import { joinMismatch } from '../encoder/stream-signature.js';
import { prepareScenario, ScenarioValidationError, type PreparedScenario } from '../scenario/prepare-scenario.js';
import { RenderError } from './render-errors.js';
import { resolveRenderOptions, validateRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render-options.js';
import { StreamingPipeline, type FrameRange, type PipelineProgress } from './streaming-pipeline.js';

export interface RenderRequest {
  videoPath: string;
  scenario: unknown;
  outputPath: string;
  options?: RenderOptions;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** The gates already passed (RenderEngine.inspect), so they are not run twice. */
  inspected?: InspectedRender;
  /** Called once the inputs passed their gates, before the first frame. */
  onStart?: (info: { source: ProbedMedia; options: ResolvedRenderOptions; encoder: VideoEncoder; framesTotal: number }) => void;
}

export interface InspectedRender {
  prepared: PreparedScenario;
  source: ProbedMedia;
  options: ResolvedRenderOptions;
  framesTotal: number;
}

export interface SegmentRequest {
  videoPath: string;
  scenario: unknown;
  outputPath: string;
  options: ResolvedRenderOptions;
  range: FrameRange;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
}

export interface JoinRequest {
  /** Segment files in output order, all in one folder. */
  segmentPaths: string[];
  /** The source video (for its audio and duration). */
  sourcePath: string;
  outputPath: string;
  /** The render's quality, used only if the segments cannot be joined by copy. */
  quality: number;
  signal?: AbortSignal;
}

export interface JoinResult {
  durationSec: number;
  /** 'copy' normally; 'reencode' when the segments' encoder parameters differ (mixed fleet). */
  method: 'copy' | 'reencode';
}

export interface RenderSummary {
  outputPath: string;
  framesTotal: number;
  framesCaptured: number;
  durationSec: number;
  width: number;
  height: number;
  fps: number;
  encoder: VideoEncoder;
  wallSeconds: number;
  realtimeFactor: number;
}

@Injectable()
export class RenderEngine {
  private readonly logger = new Logger(RenderEngine.name);

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly mediaProbe: MediaProbe,
    private readonly encoderProbe: EncoderProbe,
    private readonly pipeline: StreamingPipeline,
  ) {}

  /** Checks the scenario and options without touching the video: for early 4xx answers. */
  prepare(scenario: unknown, options: RenderOptions = {}): PreparedScenario {
    validateRenderOptions(options);
    return toRenderError(() => prepareScenario(scenario));
  }

  /** The gates of a render: scenario, media probe, resolved options. Touches no output. */
  async inspect(videoPath: string, scenario: unknown, options: RenderOptions = {}): Promise<InspectedRender> {
    const prepared = this.prepare(scenario, options);
    const source = await this.probe(videoPath);
    const resolved = resolveRenderOptions(options, source);
    return { prepared, source, options: resolved, framesTotal: expectedFrameCount(source.durationSec, resolved.fps) };
  }

  async render(req: RenderRequest): Promise<RenderSummary> {
    const started = Date.now();
    const { prepared, source, options, framesTotal } = req.inspected ?? (await this.inspect(req.videoPath, req.scenario, req.options));
    const encoder = (await this.encoderProbe.select()).encoder;
    const partial = `${req.outputPath}.${randomBytes(4).toString('hex')}.partial.mp4`;
    req.onStart?.({ source, options, encoder, framesTotal });
    try {
      const result = await this.pipeline.run({
        source,
        prepared,
        outputPath: partial,
        ...options,
        encoder,
        x264Preset: this.config.x264Preset,
        ffmpegPath: this.config.ffmpegPath,
        signal: req.signal,
        onProgress: req.onProgress,
      });
      await rename(partial, req.outputPath);
      const wallSeconds = (Date.now() - started) / 1000;
      return {
        outputPath: req.outputPath,
        framesTotal: result.framesTotal,
        framesCaptured: result.framesCaptured,
        durationSec: source.durationSec,
        width: options.width,
        height: options.height,
        fps: options.fps,
        encoder,
        wallSeconds,
        realtimeFactor: source.durationSec / wallSeconds,
      };
    } finally {
      await rm(partial, { force: true });
    }
  }

  /**
   * Output frames [range.first, range.first + range.count) of a render, video only, with the
   * options the whole render resolved (every segment must share them to be joined by copy).
   */
  async renderSegment(req: SegmentRequest): Promise<{ framesCaptured: number; encoder: VideoEncoder }> {
    const prepared = this.prepare(req.scenario);
    const source = await this.probe(req.videoPath);
    const encoder = (await this.encoderProbe.select()).encoder;
    const partial = `${req.outputPath}.${randomBytes(4).toString('hex')}.partial.mp4`;
    try {
      const result = await this.pipeline.run({
        source,
        prepared,
        outputPath: partial,
        ...req.options,
        encoder,
        x264Preset: this.config.x264Preset,
        ffmpegPath: this.config.ffmpegPath,
        signal: req.signal,
        onProgress: req.onProgress,
        range: req.range,
      });
      await rename(partial, req.outputPath);
      return { framesCaptured: result.framesCaptured, encoder };
    } finally {
      await rm(partial, { force: true });
    }
  }

  /**
   * Joins segment files (in order, all in one folder) into the final MP4 without re-encoding
   * and muxes the source's audio once. Answers the output's duration (the source's). Segments
   * from different encoders (an NVENC worker and a libx264 one) cannot share one MP4 track: they
   * are then decoded and encoded once more, with this worker's encoder — slower, never wrong.
   */
  async join(req: JoinRequest): Promise<JoinResult> {
    const source = await this.probe(req.sourcePath);
    const signatures = await Promise.all(req.segmentPaths.map((p) => this.mediaProbe.streamSignature(p, req.signal)));
    const mismatch = joinMismatch(signatures);
    let reencode: { encoder: VideoEncoder; quality: number; preset?: string } | undefined;
    if (mismatch) {
      const encoder = (await this.encoderProbe.select()).encoder;
      reencode = { encoder, quality: req.quality, preset: encoder === 'libx264' ? this.config.x264Preset : undefined };
      this.logger.warn(`segments cannot be joined by copy (${mismatch}): encoding the join with ${encoder}`);
    }
    const dir = dirname(req.segmentPaths[0]);
    if (req.segmentPaths.some((p) => dirname(p) !== dir)) throw new RenderError('RENDER_INTERNAL', 'segments must share one folder');
    const listPath = join(dir, 'segments.ffconcat');
    await writeFile(listPath, buildConcatList(req.segmentPaths.map((p) => basename(p))));
    const partial = `${req.outputPath}.${randomBytes(4).toString('hex')}.partial.mp4`;
    try {
      const ffmpeg = FfmpegProcess.start(
        buildJoinArgs({
          listPath,
          sourcePath: source.path,
          output: partial,
          durationSec: source.durationSec,
          hasAudio: source.hasAudio,
          audioCodec: source.audioCodec,
          reencode,
        }),
        { signal: req.signal, ffmpegPath: this.config.ffmpegPath },
      );
      try {
        await ffmpeg.finish();
      } catch (err) {
        await ffmpeg.kill();
        if (req.signal?.aborted) throw new RenderError('RENDER_CANCELLED', 'the render was cancelled', false, undefined, { cause: err });
        throw new RenderError('RENDER_ENCODER_FAILED', `joining segments failed: ${(err as Error).message}`, false, undefined, { cause: err });
      }
      await rename(partial, req.outputPath);
      return { durationSec: source.durationSec, method: reencode ? 'reencode' : 'copy' };
    } finally {
      await rm(partial, { force: true });
      await rm(listPath, { force: true });
    }
  }

  private async probe(videoPath: string): Promise<ProbedMedia> {
    try {
      return await this.mediaProbe.probe(videoPath);
    } catch (err) {
      if (err instanceof MediaRejectedError) {
        throw new RenderError('RENDER_MEDIA_REJECTED', `video rejected: ${err.reason}`, false, undefined, { cause: err });
      }
      throw err;
    }
  }
}

function toRenderError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ScenarioValidationError) {
      throw new RenderError('RENDER_INVALID_SCENARIO', err.message, false, err.issues, { cause: err });
    }
    throw err;
  }
}
