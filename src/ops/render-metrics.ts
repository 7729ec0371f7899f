// The render metrics the worker and the engine record into (the series are listed in metrics.ts,
// which registers this class in MetricsModule). Only prom-client and the registry token here: the
// render engine imports this file, and the command-line render must load no database or queue.
import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics-registry.js';

export type RenderOutcome = 'completed' | 'failed' | 'cancelled';

/** The jobs a split render is carried out by (its coordinator delegates and is not observed). */
export type RenderStepKind = 'segment' | 'join';

/** The `encoder` of a split render's own observation: its segments' encoders are on theirs. */
export const SPLIT_RENDER_ENCODER = 'segmented';

export interface RenderObservation {
  /** Wall time of the render job, seconds. */
  durationSec: number;
  /** Frames per second achieved (output frames / render seconds); ignored unless > 0. */
  fps?: number;
  /** Frames produced (also for a failed render: the work done). */
  frames?: number;
  /** `h264_nvenc` | `libx264` (or 'none' when the render failed before choosing). */
  encoder?: string;
  outcome: RenderOutcome;
}

/** Wall-time buckets of a render and of a segment or join: from a short clip to two hours. */
const JOB_SECONDS_BUCKETS = [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/** The worker's handle on the render metrics. */
@Injectable()
export class RenderMetrics {
  readonly duration: Histogram<'encoder' | 'outcome'>;
  /** Segments and joins of split renders: not renders (a render in 10 segments is one render). */
  readonly stepDuration: Histogram<'kind' | 'encoder' | 'outcome'>;
  readonly fps: Histogram<'encoder'>;
  readonly frames: Counter<'encoder'>;
  /** NVENC encodes given up and run again on libx264 (GPU degrades per encode, never fails). */
  readonly encoderFallbacks: Counter<'kind'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.encoderFallbacks = new Counter({
      name: 'ecg_render_encoder_fallbacks_total',
      help: 'h264_nvenc encodes that failed and were encoded again on libx264, by kind (render, segment)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'ecg_render_job_duration_seconds',
      help: 'Wall time of a render job, by encoder and outcome',
      labelNames: ['encoder', 'outcome'],
      buckets: JOB_SECONDS_BUCKETS,
      registers: [registry],
    });
    this.stepDuration = new Histogram({
      name: 'ecg_render_step_duration_seconds',
      help: 'Wall time of a segment or join job of a split render, by kind, encoder and outcome',
      labelNames: ['kind', 'encoder', 'outcome'],
      buckets: JOB_SECONDS_BUCKETS,
      registers: [registry],
    });
    this.fps = new Histogram({
      name: 'ecg_render_fps',
      help: 'Frames per second of completed renders, by encoder',
      labelNames: ['encoder'],
      buckets: [0.5, 1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120],
      registers: [registry],
    });
    this.frames = new Counter({
      name: 'ecg_render_frames_total',
      help: 'Output frames produced by renders, by encoder',
      labelNames: ['encoder'],
      registers: [registry],
    });
  }

  /**
   * Call once per render attempt, after it ends (completed, failed or cancelled); for a split
   * render, once, when it ends (its segments and join are observeStep's).
   */
  observeRender(o: RenderObservation): void {
    const encoder = o.encoder ?? 'none';
    if (validDuration(o.durationSec)) this.duration.observe({ encoder, outcome: o.outcome }, o.durationSec);
    if (o.outcome === 'completed' && o.fps !== undefined && Number.isFinite(o.fps) && o.fps > 0) {
      this.fps.observe({ encoder }, o.fps);
    }
    this.countFrames(encoder, o.frames);
  }

  /** Call once per segment or join attempt of a split render, after it ends; its frames count as produced. */
  observeStep(o: RenderObservation & { kind: RenderStepKind }): void {
    const encoder = o.encoder ?? 'none';
    if (validDuration(o.durationSec)) this.stepDuration.observe({ kind: o.kind, encoder, outcome: o.outcome }, o.durationSec);
    this.countFrames(encoder, o.frames);
  }

  private countFrames(encoder: string, frames: number | undefined): void {
    if (frames !== undefined && Number.isFinite(frames) && frames > 0) this.frames.inc({ encoder }, frames);
  }
}

function validDuration(sec: number): boolean {
  return Number.isFinite(sec) && sec >= 0;
}
