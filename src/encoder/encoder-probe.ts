import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EncoderUnavailableError } from './errors.js';
import type { VideoEncoder } from './ffmpeg-args.js';
import type { EncoderPreference } from '../config/app-config.js';
import { ENCODER_OPTIONS, type EncoderOptions } from './encoder.options.js';
import { type ProcessRunner, runProcess } from './process-runner.js';

/** The encoder of one encode; release() once the encode has ended (frees an NVENC session). */
export interface EncoderLease {
  readonly encoder: VideoEncoder;
  release(): void;
}

export interface EncoderChoice {
  encoder: VideoEncoder;
  /** Why this encoder: 'probe succeeded', 'forced by configuration', or the probe's failure. */
  reason: string;
}

/** The tiny real encode that decides whether NVENC works here (exact, tested). */
export function buildNvencProbeArgs(): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=black:s=256x256:d=0.1',
    '-frames:v',
    '1',
    '-c:v',
    'h264_nvenc',
    '-f',
    'null',
    '-',
  ];
}

/**
 * Chooses the H.264 encoder by a real probe encode — never by `ffmpeg -encoders`, which lists
 * h264_nvenc on Debian machines without an NVIDIA GPU. The result is memoised on the instance
 * (a Nest singleton, so once per process) and the fallback is logged once.
 */
@Injectable()
export class EncoderProbe {
  private readonly logger = new Logger(EncoderProbe.name);
  private readonly preferred: EncoderPreference;
  private readonly ffmpegPath: string;
  private readonly timeoutMs: number;
  private readonly run: ProcessRunner;
  private readonly nvencMaxSessions: number;
  private nvencInUse = 0;
  private choice?: Promise<EncoderChoice>;

  constructor(@Optional() @Inject(ENCODER_OPTIONS) options?: EncoderOptions) {
    this.preferred = options?.preferred ?? 'auto';
    this.ffmpegPath = options?.ffmpegPath ?? 'ffmpeg';
    this.timeoutMs = options?.encoderProbeTimeoutMs ?? 15_000;
    this.run = options?.runner ?? runProcess;
    this.nvencMaxSessions = options?.nvencMaxSessions ?? 3;
  }

  /** NVENC encodes running now. */
  get nvencSessions(): number {
    return this.nvencInUse;
  }

  /**
   * The encoder for one encode: h264_nvenc when the probe chose it and a session is free,
   * libx264 otherwise (an encode degrades to the CPU rather than waiting or failing).
   */
  async lease(): Promise<EncoderLease> {
    const { encoder } = await this.select();
    if (encoder !== 'h264_nvenc') return { encoder, release: () => undefined };
    if (this.nvencInUse >= this.nvencMaxSessions) {
      this.logger.log(`all ${this.nvencMaxSessions} NVENC sessions are busy: this encode runs on libx264`);
      return { encoder: 'libx264', release: () => undefined };
    }
    this.nvencInUse++;
    let released = false;
    return {
      encoder,
      release: () => {
        if (released) return;
        released = true;
        this.nvencInUse--;
      },
    };
  }

  select(): Promise<EncoderChoice> {
    this.choice ??= this.decide().catch((error) => {
      this.choice = undefined; // a forced-NVENC failure is not cached as success; let callers retry
      throw error;
    });
    return this.choice;
  }

  private async decide(): Promise<EncoderChoice> {
    if (this.preferred === 'x264') {
      this.logger.log('Encoder: libx264 (forced by configuration)');
      return { encoder: 'libx264', reason: 'forced by configuration' };
    }
    const failure = await this.probeNvenc();
    if (failure === undefined) {
      this.logger.log('Encoder: h264_nvenc (probe encode succeeded)');
      return { encoder: 'h264_nvenc', reason: 'probe succeeded' };
    }
    if (this.preferred === 'nvenc') throw new EncoderUnavailableError('h264_nvenc', failure);
    this.logger.warn(`h264_nvenc is not usable, falling back to libx264: ${failure}`);
    return { encoder: 'libx264', reason: `h264_nvenc probe failed: ${failure}` };
  }

  /** undefined when NVENC encoded a frame; otherwise a one-line reason. */
  private async probeNvenc(): Promise<string | undefined> {
    try {
      const r = await this.run(this.ffmpegPath, buildNvencProbeArgs(), { timeoutMs: this.timeoutMs, maxOutputBytes: 256 * 1024 });
      if (r.timedOut) return `probe encode timed out after ${this.timeoutMs} ms`;
      if (r.code === 0) return undefined;
      const lines = r.stderr
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
      // The first line usually names the cause ("Cannot load libcuda.so.1", "No capable devices found").
      const detail =
        lines
          .slice(0, 2)
          .join(' / ')
          .replace(/ @ 0x[0-9a-f]+\]/g, ']') || `exit code ${r.code ?? r.signal}`;
      return detail;
    } catch (error) {
      return `could not run ${this.ffmpegPath}: ${(error as Error).message}`;
    }
  }
}
