// One render from a local video file and a scenario value to a complete MP4 at `outputPath`:
// probe gate, scenario preparation, encoder choice, then the streaming pipeline. The MP4 appears
// at `outputPath` only when it is complete (written beside it, then renamed).
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { encodeWithFallback } from '../encoder/encoder-fallback.js';
import { RenderMetrics } from '../ops/render-metrics.js';
import { EncoderProbe } from '../encoder/encoder-probe.js';
import { buildConcatList, buildJoinArgs, expectedFrameCount, type VideoEncoder } from '../encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../encoder/ffmpeg-process.js';
import { MediaProbe, type ProbedMedia } from '../encoder/media-probe.js';
import { joinMismatch } from '../encoder/stream-signature.js';
import type { OriginPlugin, PageFont } from '../../libs/caption-page/src/load-options.js';
import { FontResolver } from '../fonts/font-resolver.js';
import { PluginCatalog } from '../plugins/plugin-catalog.service.js';
import { prepareForRender } from '../plugins/scenario-plugins.js';
import type { PreparedScenario } from '../scenario/prepare-scenario.js';
import { asKnownRenderError, classifyRenderError } from './classify-render-error.js';
import { RenderError } from './render-errors.js';
import { resolveRenderOptions, validateRenderOptions, type RenderOptions, type ResolvedRenderOptions } from './render-options.js';
import { StreamingPipeline, type FrameRange, type PipelineJob, type PipelineProgress } from './streaming-pipeline.js';

export interface RenderRequest {
  videoPath: string;
  scenario: unknown;
  outputPath: string;
  options?: RenderOptions;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** The gates already passed (RenderEngine.inspect), so they are not run twice. */
  inspected?: InspectedRender;
  /** Seeds the plugins' random numbers: the job id in the service, a hash of the scenario on the command line. */
  seed?: string;
  /** Called once the inputs passed their gates, before the first frame. */
  onStart?: (info: { source: ProbedMedia; options: ResolvedRenderOptions; encoder: VideoEncoder; framesTotal: number }) => void;
}

export interface InspectedRender {
  prepared: PreparedScenario;
  /** The scenario's plugins from the plugin origin (none without PLUGIN_ORIGIN). */
  originPlugins: readonly OriginPlugin[];
  /** Font faces the page registers before layout (src/fonts). */
  fonts: readonly PageFont[];
  /** What is not drawn as written (FONT_FALLBACK=warn: missing families, tofu); empty otherwise. */
  warnings: string[];
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
  /** The whole render's seed (the job id): the same in every segment. */
  seed?: string;
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
  /** Why h264_nvenc was given up and the render encoded again on libx264, when it was. */
  encoderFallback?: string;
  wallSeconds: number;
  realtimeFactor: number;
  /** Fonts not drawn as written (FONT_FALLBACK=warn). */
  warnings: string[];
}

@Injectable()
export class RenderEngine {
  private readonly logger = new Logger(RenderEngine.name);

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly mediaProbe: MediaProbe,
    private readonly encoderProbe: EncoderProbe,
    private readonly pipeline: StreamingPipeline,
    @Optional() private readonly plugins?: PluginCatalog,
    @Optional() private readonly fontResolver?: FontResolver,
    /** Global in the service (counts NVENC fallbacks); absent on the command line. */
    @Optional() private readonly metrics?: RenderMetrics,
  ) {}

  /**
   * The font faces of a render (bundled, system, fetched from FONT_ORIGINS / ASSET_ORIGINS) and
   * what cannot be drawn as written. FONT_FALLBACK=refuse: RENDER_FONT_UNAVAILABLE naming the
   * families and characters; warn: the same as warnings. A font origin that fails mid-fetch is
   * retryable.
   */
  async planFonts(
    prepared: PreparedScenario,
    signal?: AbortSignal,
  ): Promise<{ prepared: PreparedScenario; fonts: PageFont[]; warnings: string[] }> {
    if (!this.fontResolver) throw new RenderError('RENDER_INTERNAL', 'no FontResolver: import FontsModule (EngineModule does)');
    try {
      const plan = await this.fontResolver.plan(prepared.scenario, { signal });
      // Images (ASSET_ORIGINS) go to the page inline, as data: URLs.
      const images = await this.fontResolver.inlineImages(prepared.scenario, { signal });
      const warnings = [...plan.problems, ...images.warnings];
      for (const w of warnings) this.logger.warn(w);
      return { prepared: { ...prepared, scenario: images.scenario }, fonts: plan.fonts, warnings };
    } catch (err) {
      throw classifyRenderError(err, { stage: 'fonts', signal });
    }
  }

  /**
   * The engine's one preparation of a scenario (prepare or throw): normalised and checked, its
   * plugins resolved through the plugin catalog — origin plugins loaded (disk cache or origin),
   * unknown ones refused. Invalid scenarios are RENDER_INVALID_SCENARIO; the origin being down is
   * RENDER_PLUGIN_UNAVAILABLE (retryable), a refused plugin (pin mismatch, …) RENDER_PLUGIN_REFUSED.
   */
  async preparePlugins(scenario: unknown, signal?: AbortSignal): Promise<{ prepared: PreparedScenario; originPlugins: OriginPlugin[] }> {
    try {
      return await prepareForRender(scenario, this.plugins, signal);
    } catch (err) {
      throw asKnownRenderError(err);
    }
  }

  /** The gates of a render: scenario and plugins, media probe, resolved options. Touches no output. */
  async inspect(videoPath: string, scenario: unknown, options: RenderOptions = {}, signal?: AbortSignal): Promise<InspectedRender> {
    validateRenderOptions(options);
    const plugged = await this.preparePlugins(scenario, signal);
    const { prepared, fonts, warnings } = await this.planFonts(plugged.prepared, signal);
    const { originPlugins } = plugged;
    const source = await this.probe(videoPath);
    const resolved = resolveRenderOptions(options, source);
    return {
      prepared,
      originPlugins,
      fonts,
      warnings,
      source,
      options: resolved,
      framesTotal: expectedFrameCount(source.durationSec, resolved.fps),
    };
  }

  async render(req: RenderRequest): Promise<RenderSummary> {
    const started = Date.now();
    const { prepared, originPlugins, fonts, warnings, source, options, framesTotal } =
      req.inspected ?? (await this.inspect(req.videoPath, req.scenario, req.options, req.signal));
    const { result, encoder, fallback } = await this.encodeTo(
      req.outputPath,
      'render',
      { source, prepared, originPlugins, fonts, seed: req.seed, ...options, signal: req.signal, onProgress: req.onProgress },
      (encoder) => req.onStart?.({ source, options, encoder, framesTotal }),
    );
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
      ...(fallback ? { encoderFallback: fallback } : {}),
      wallSeconds,
      realtimeFactor: source.durationSec / wallSeconds,
      warnings,
    };
  }

  /**
   * Output frames [range.first, range.first + range.count) of a render, video only, with the
   * options the whole render resolved (every segment must share them to be joined by copy).
   */
  async renderSegment(req: SegmentRequest): Promise<{ framesCaptured: number; encoder: VideoEncoder; encoderFallback?: string }> {
    const plugged = await this.preparePlugins(req.scenario, req.signal);
    const { prepared, fonts } = await this.planFonts(plugged.prepared, req.signal);
    const { originPlugins } = plugged;
    const source = await this.probe(req.videoPath);
    const { result, encoder, fallback } = await this.encodeTo(req.outputPath, 'segment', {
      source,
      prepared,
      originPlugins,
      fonts,
      seed: req.seed,
      ...req.options,
      signal: req.signal,
      onProgress: req.onProgress,
      range: req.range,
    });
    return { framesCaptured: result.framesCaptured, encoder, ...(fallback ? { encoderFallback: fallback } : {}) };
  }

  /**
   * One encode into `outputPath`: written beside it and renamed only when complete; NVENC failing
   * falls back to libx264 (logged and counted by `kind`).
   */
  private async encodeTo(
    outputPath: string,
    kind: 'render' | 'segment',
    job: Omit<PipelineJob, 'outputPath' | 'encoder' | 'x264Preset' | 'ffmpegPath'>,
    onEncoder?: (encoder: VideoEncoder) => void,
  ) {
    const partial = `${outputPath}.${randomBytes(4).toString('hex')}.partial.mp4`;
    try {
      const outcome = await encodeWithFallback(
        this.encoderProbe,
        (encoder) => {
          onEncoder?.(encoder);
          return this.pipeline.run({
            ...job,
            outputPath: partial,
            encoder,
            x264Preset: this.config.x264Preset,
            ffmpegPath: this.config.ffmpegPath,
          });
        },
        job.signal,
      );
      if (outcome.fallback) {
        this.logger.warn(`h264_nvenc failed on a ${kind}, encoded again on libx264: ${outcome.fallback}`);
        this.metrics?.encoderFallbacks.inc({ kind });
      }
      await rename(partial, outputPath);
      return outcome;
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
        throw classifyRenderError(err, { stage: 'join', signal: req.signal });
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
      throw asKnownRenderError(err);
    }
  }
}
