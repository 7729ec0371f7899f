import type { ProcessRunner } from './process-runner.js';

export type EncoderPreference = 'auto' | 'nvenc' | 'x264';

/** Options of the encoder module (all optional). Provided under the ENCODER_OPTIONS token. */
export interface EncoderOptions {
  /** 'auto' (default): probe h264_nvenc, fall back to libx264. 'nvenc': probe, fail if unusable. 'x264': no probe. */
  preferred?: EncoderPreference;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Timeout of the NVENC probe encode. Default 15 s. */
  encoderProbeTimeoutMs?: number;
  /**
   * Concurrent NVENC encodes at most (per process; consumer cards allow a few sessions per GPU).
   * An encode beyond it runs on libx264. Default 3.
   */
  nvencMaxSessions?: number;
  /** Replaces the process runner of the probes (tests only). */
  runner?: ProcessRunner;
}

export const ENCODER_OPTIONS = Symbol('ENCODER_OPTIONS');

/** Reads `ECG_RENDER_ENCODER` (auto|nvenc|x264), `FFMPEG_PATH`, `FFPROBE_PATH`. */
export function encoderOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): EncoderOptions {
  const raw = env.ECG_RENDER_ENCODER?.trim().toLowerCase();
  const preferred: EncoderPreference | undefined =
    raw === undefined || raw === '' ? undefined : raw === 'auto' || raw === 'nvenc' || raw === 'x264' ? raw : invalid(raw);
  return {
    ...(preferred ? { preferred } : {}),
    ...(env.FFMPEG_PATH ? { ffmpegPath: env.FFMPEG_PATH } : {}),
    ...(env.FFPROBE_PATH ? { ffprobePath: env.FFPROBE_PATH } : {}),
  };
}

function invalid(raw: string): never {
  throw new Error(`ECG_RENDER_ENCODER must be auto, nvenc or x264 (got '${raw}')`);
}
