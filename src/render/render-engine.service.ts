// One render from a local video file and a scenario value to a complete MP4 at `outputPath`:
// probe gate, scenario preparation, encoder choice, then the streaming pipeline. The MP4 appears
// at `outputPath` only when it is complete (written beside it, then renamed).
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { EncoderProbe } from '../encoder/encoder-probe.js';
import { expectedFrameCount, type VideoEncoder } from '../encoder/ffmpeg-args.js';
import { MediaRejectedError } from '../encoder/errors.js';
import { MediaProbe, type ProbedMedia } from '../encoder/media-probe.js';
import { prepareScenario, ScenarioValidationError, type PreparedScenario } from '../scenario/prepare-scenario.js';
import { RenderError } from './render-errors.js';
import { resolveRenderOptions, validateRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render-options.js';
import { StreamingPipeline, type PipelineProgress } from './streaming-pipeline.js';

export interface RenderRequest {
  videoPath: string;
  scenario: unknown;
  outputPath: string;
  options?: RenderOptions;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** Called once the inputs passed their gates, before the first frame. */
  onStart?: (info: { source: ProbedMedia; options: ResolvedRenderOptions; encoder: VideoEncoder; framesTotal: number }) => void;
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

  async render(req: RenderRequest): Promise<RenderSummary> {
    const started = Date.now();
    const prepared = this.prepare(req.scenario, req.options);
    let source: ProbedMedia;
    try {
      source = await this.mediaProbe.probe(req.videoPath);
    } catch (err) {
      if (err instanceof MediaRejectedError) {
        throw new RenderError('RENDER_MEDIA_REJECTED', `video rejected: ${err.reason}`, false, undefined, { cause: err });
      }
      throw err;
    }
    const options = resolveRenderOptions(req.options ?? {}, source);
    const encoder = (await this.encoderProbe.select()).encoder;
    const partial = `${req.outputPath}.${randomBytes(4).toString('hex')}.partial.mp4`;
    req.onStart?.({
      source,
      options,
      encoder,
      framesTotal: expectedFrameCount(source.durationSec, options.fps),
    });
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
