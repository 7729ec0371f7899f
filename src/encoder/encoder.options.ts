import type { EncoderPreference, EngineConfig } from '../config/app-config.js';
import type { ProcessRunner } from './process-runner.js';

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

/** The encoder's options from the validated engine configuration (ENCODER, FFMPEG_PATH, FFPROBE_PATH, NVENC_MAX_SESSIONS). */
export function encoderOptionsFromConfig(c: EngineConfig): EncoderOptions {
  return { preferred: c.encoder, ffmpegPath: c.ffmpegPath, ffprobePath: c.ffprobePath, nvencMaxSessions: c.nvencMaxSessions };
}
