import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { OUTPUT_FRAME_LIMITS } from '../render/render-limits.js';
import { MediaRejectedError } from './errors.js';
import { type ProcessRunner, runProcess } from './process-runner.js';
import { ENCODER_OPTIONS, type EncoderOptions } from './encoder.options.js';
import { parseStreamSignature, type StreamSignature } from './stream-signature.js';

/**
 * Demuxers the gate accepts. ffprobe (and the composite ffmpeg run) get them as
 * `-format_whitelist`, so any other demuxer — hls, concat, image2, lavfi, tty, sdp, rtp, … — is
 * refused by libavformat itself before it opens anything that file may reference; the reported
 * `format_name` is then checked again against ACCEPTED_FORMAT_NAMES.
 *
 * - mov     : mov, mp4, m4a, 3gp, 3g2, mj2 (phones, cameras, editors; the common case)
 * - matroska: mkv and webm (screen recorders, browsers' MediaRecorder)
 * - avi     : legacy cameras and capture tools
 * - mpegts  : .ts / .mts / .m2ts (AVCHD camcorders, broadcast and OBS recordings). Accepted because
 *             it is a plain self-contained container; it can reference nothing outside the file.
 * Not accepted: flv, mxf, asf/wmv, ogg, nut, raw elementary streams (h264, hevc, …), images and
 * every playlist/meta format. Widening the list is a one-line change plus a test.
 */
export const ACCEPTED_DEMUXERS = ['mov', 'matroska', 'avi', 'mpegts'] as const;
export const ACCEPTED_FORMAT_NAMES: ReadonlySet<string> = new Set(['mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'avi', 'mpegts']);
/** Value for ffmpeg/ffprobe `-format_whitelist`. */
export const FORMAT_WHITELIST = ACCEPTED_DEMUXERS.join(',');
/**
 * How ffprobe and ffmpeg open an untrusted input: local files only (a playlist or concat list inside cannot
 * reach another file or URL) and the accepted containers only.
 */
export const INPUT_WHITELIST_ARGS: readonly string[] = ['-protocol_whitelist', 'file', '-format_whitelist', FORMAT_WHITELIST];

export interface MediaLimits {
  /** Longest accepted duration, seconds. Default 4 h. */
  maxDurationSec: number;
  /** Long side of the displayed picture, pixels. Default 7680 (so 8K portrait passes too). */
  maxLongSide: number;
  /** Short side of the displayed picture, pixels. Default 4320. */
  maxShortSide: number;
  /** Smallest accepted width and height. Default 16. */
  minSide: number;
  /** Most streams in the container (video + audio + subtitles + data). Default 16. */
  maxStreams: number;
  /** Largest accepted file. Default 8 GiB. */
  maxSizeBytes: number;
  /** Highest accepted average frame rate. Default 240. */
  maxFps: number;
  /** ffprobe is SIGKILLed past this. Default 30 s. */
  probeTimeoutMs: number;
}

export const DEFAULT_MEDIA_LIMITS: Readonly<MediaLimits> = Object.freeze({
  maxDurationSec: 4 * 3600,
  maxLongSide: OUTPUT_FRAME_LIMITS.maxLongSide,
  maxShortSide: OUTPUT_FRAME_LIMITS.maxShortSide,
  minSide: OUTPUT_FRAME_LIMITS.minSide,
  maxStreams: 16,
  maxSizeBytes: 8 * 1024 ** 3,
  maxFps: 240,
  probeTimeoutMs: 30_000,
});

export interface ProbedMedia {
  /** Absolute path of the probed file. */
  path: string;
  /** ffprobe's format_name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'. */
  formatName: string;
  durationSec: number;
  /** Displayed size: coded size with the rotation applied (what ffmpeg's autorotate decodes to). */
  width: number;
  height: number;
  /** Coded (stored) size of the video stream, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Frame rate as a number, from avg_frame_rate (r_frame_rate when avg is unknown). */
  fps: number;
  /** The same rate as ffprobe printed it, e.g. '30000/1001'. */
  fpsFraction: string;
  /** Clockwise rotation to apply for display: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  hasAudio: boolean;
  audioDurationSec?: number;
  audioCodec?: string;
  videoCodec: string;
  sizeBytes: number;
}

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: Array<Record<string, unknown>>;
}
interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; nb_streams?: number };
  streams?: FfprobeStream[];
}

/**
 * The ffprobe gate: the only way a downloaded source reaches ffmpeg. Thin class owning the I/O;
 * the decision itself is `evaluateProbe`, pure and tested on ffprobe JSON.
 */
@Injectable()
export class MediaProbe {
  private readonly ffprobePath: string;
  private readonly run: ProcessRunner;

  constructor(@Optional() @Inject(ENCODER_OPTIONS) options?: EncoderOptions) {
    this.ffprobePath = options?.ffprobePath ?? 'ffprobe';
    this.run = options?.runner ?? runProcess;
  }

  async probe(localPath: string, limits: Partial<MediaLimits> = {}, signal?: AbortSignal): Promise<ProbedMedia> {
    const lim: MediaLimits = { ...DEFAULT_MEDIA_LIMITS, ...limits };
    if (typeof localPath !== 'string' || localPath.length === 0) throw new MediaRejectedError('no file path given');
    if (localPath.includes('://') || /^[a-z][a-z0-9+.-]*:/i.test(localPath)) {
      throw new MediaRejectedError('only local files are accepted, not URLs or protocol specifiers');
    }
    if (localPath.includes('\0')) throw new MediaRejectedError('invalid file path');
    const abs = path.resolve(localPath);

    let st;
    try {
      st = await lstat(abs);
    } catch {
      throw new MediaRejectedError('file does not exist');
    }
    if (st.isSymbolicLink()) throw new MediaRejectedError('symbolic links are not accepted');
    if (!st.isFile()) throw new MediaRejectedError('not a regular file (device, pipe, socket or directory)');
    if (st.size === 0) throw new MediaRejectedError('the file is empty (0 bytes)');
    if (st.size > lim.maxSizeBytes) {
      throw new MediaRejectedError(`file too large: ${formatBytes(st.size)} (limit ${formatBytes(lim.maxSizeBytes)})`);
    }

    const result = await this.run(this.ffprobePath, buildProbeArgs(abs), {
      timeoutMs: lim.probeTimeoutMs,
      maxOutputBytes: 4 * 1024 * 1024,
      signal,
    });
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    if (result.timedOut) {
      throw new MediaRejectedError(`probing took longer than ${Number((lim.probeTimeoutMs / 1000).toFixed(1))} s`);
    }
    if (result.outputOverflow) throw new MediaRejectedError('probe output too large (too much metadata)');
    if (result.code !== 0) throw new MediaRejectedError(reasonFromStderr(result.stderr, abs));

    let json: FfprobeOutput;
    try {
      json = JSON.parse(result.stdout) as FfprobeOutput;
    } catch {
      throw new MediaRejectedError('not a readable video: ffprobe output could not be parsed');
    }
    return evaluateProbe(json, { path: abs, sizeBytes: st.size }, lim);
  }

  /**
   * The parameters of a file's first video stream that joining by stream copy depends on. Only
   * for files we wrote ourselves (segments); anything from outside goes through probe() first.
   */
  async streamSignature(absPath: string, signal?: AbortSignal): Promise<StreamSignature> {
    if (!path.isAbsolute(absPath) || absPath.includes('\0')) throw new MediaRejectedError('invalid file path');
    const result = await this.run(this.ffprobePath, buildStreamSignatureArgs(absPath), {
      timeoutMs: DEFAULT_MEDIA_LIMITS.probeTimeoutMs,
      maxOutputBytes: 64 * 1024,
      signal,
    });
    if (result.timedOut || result.code !== 0) {
      throw new MediaRejectedError(
        `could not read the stream parameters of ${path.basename(absPath)}: ${result.stderr.trim() || 'ffprobe failed'}`,
      );
    }
    return parseStreamSignature(JSON.parse(result.stdout));
  }
}

/** ffprobe arguments: the first video stream's parameters and a hash of its extradata. */
export function buildStreamSignatureArgs(absPath: string): string[] {
  return [
    '-v',
    'error',
    ...INPUT_WHITELIST_ARGS,
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,profile,level,pix_fmt,width,height,r_frame_rate,time_base,extradata_hash',
    '-show_data_hash',
    'sha256',
    '-of',
    'json',
    `file:${absPath}`,
  ];
}

/** ffprobe arguments for the gate (exact, tested). */
export function buildProbeArgs(absPath: string): string[] {
  return [
    '-v',
    'error',
    ...INPUT_WHITELIST_ARGS,
    '-show_format',
    '-show_streams',
    '-of',
    'json',
    // `file:` so that a name containing ':' is never read as a protocol specifier.
    `file:${absPath}`,
  ];
}

/** Pure decision on ffprobe's JSON. Throws MediaRejectedError, or returns the accepted media. */
export function evaluateProbe(
  json: FfprobeOutput,
  file: { path: string; sizeBytes: number },
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): ProbedMedia {
  const formatName = json.format?.format_name;
  if (!formatName) throw new MediaRejectedError('not a video: the container format could not be recognised');
  if (!ACCEPTED_FORMAT_NAMES.has(formatName)) {
    throw new MediaRejectedError(`not a video: format '${formatName}' is not accepted`);
  }
  const streams = json.streams ?? [];
  const streamCount = Math.max(streams.length, json.format?.nb_streams ?? 0);
  if (streamCount > limits.maxStreams) {
    throw new MediaRejectedError(`too many streams: ${streamCount} (limit ${limits.maxStreams})`);
  }
  const video = streams.find(
    (s) =>
      s.codec_type === 'video' &&
      !s.disposition?.attached_pic &&
      typeof s.codec_name === 'string' &&
      s.codec_name !== '' &&
      s.codec_name !== 'none' &&
      (s.width ?? 0) > 0 &&
      (s.height ?? 0) > 0,
  );
  if (!video) throw new MediaRejectedError('not a video: the file has no decodable video stream');

  const duration = firstFinitePositive(json.format?.duration, video.duration);
  if (duration === undefined) throw new MediaRejectedError('the video has no known duration');
  if (duration > limits.maxDurationSec) {
    throw new MediaRejectedError(`video too long: ${formatDuration(duration)} (limit ${formatDuration(limits.maxDurationSec)})`);
  }

  const rotation = readRotation(video);
  const codedWidth = video.width!;
  const codedHeight = video.height!;
  const [width, height] = rotation % 180 === 0 ? [codedWidth, codedHeight] : [codedHeight, codedWidth];
  if (Math.min(width, height) < limits.minSide) {
    throw new MediaRejectedError(`video too small: ${width}×${height} (minimum ${limits.minSide} px a side)`);
  }
  if (Math.max(width, height) > limits.maxLongSide || Math.min(width, height) > limits.maxShortSide) {
    throw new MediaRejectedError(`video too large: ${width}×${height} (limit ${limits.maxLongSide}×${limits.maxShortSide})`);
  }

  const rate = parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate);
  if (!rate) throw new MediaRejectedError('the video has no known frame rate');
  if (rate.value > limits.maxFps) {
    throw new MediaRejectedError(`frame rate too high: ${round3(rate.value)} fps (limit ${limits.maxFps})`);
  }

  const audio = streams.find((s) => s.codec_type === 'audio' && typeof s.codec_name === 'string' && s.codec_name !== '');
  const audioDurationSec = audio ? firstFinitePositive(audio.duration) : undefined;

  return {
    path: file.path,
    formatName,
    durationSec: duration,
    width,
    height,
    codedWidth,
    codedHeight,
    fps: rate.value,
    fpsFraction: rate.fraction,
    rotation,
    hasAudio: audio !== undefined,
    ...(audioDurationSec !== undefined ? { audioDurationSec } : {}),
    ...(audio ? { audioCodec: audio.codec_name } : {}),
    videoCodec: video.codec_name!,
    sizeBytes: file.sizeBytes,
  };
}

/** Parses 'N/D' (or an integer) into a positive rate; undefined for '0/0', garbage or non-positive. */
export function parseRate(text: string | undefined): { value: number; fraction: string } | undefined {
  if (!text) return undefined;
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!(num > 0) || !(den > 0)) return undefined;
  const value = num / den;
  return Number.isFinite(value) ? { value, fraction: `${num}/${den}` } : undefined;
}

function readRotation(stream: FfprobeStream): 0 | 90 | 180 | 270 {
  let degrees: number | undefined;
  for (const sd of stream.side_data_list ?? []) {
    if (typeof sd.rotation === 'number') {
      // Display matrix rotation is counter-clockwise; the clockwise correction is its negation.
      degrees = -sd.rotation;
      break;
    }
  }
  if (degrees === undefined && stream.tags?.rotate !== undefined) degrees = Number(stream.tags.rotate);
  if (degrees === undefined || !Number.isFinite(degrees)) return 0;
  const normalised = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
  return normalised as 0 | 90 | 180 | 270;
}

function firstFinitePositive(...values: Array<string | undefined>): number | undefined {
  for (const v of values) {
    if (v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) return n;
  }
  return undefined;
}

/** Turns ffprobe's stderr into a reason a user can read; never echoes the server's file path. */
export function reasonFromStderr(stderr: string, absPath: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.split(absPath).join(path.basename(absPath)).trim())
    .filter((l) => l.length > 0);
  const whitelist = lines.map((l) => /^\[([^\s@\]]+) @ [^\]]+\] Format not on whitelist/.exec(l)).find(Boolean);
  if (whitelist) return `not a video: format '${whitelist[1]}' is not accepted`;
  if (lines.some((l) => l.includes('moov atom not found'))) {
    return 'not a readable video: the MP4/MOV index (moov atom) is missing — the file is truncated or not a video';
  }
  if (lines.some((l) => l.includes('Invalid data found when processing input'))) {
    return 'not a readable video: unrecognised or corrupt data';
  }
  if (lines.some((l) => /Protocol not on whitelist|not on whitelist/.test(l))) {
    return 'not a video: the file refers to resources outside itself';
  }
  const last = lines.at(-1);
  return last ? `not a readable video: ${last.replace(/^\[[^\]]*\]\s*/, '')}` : 'not a readable video';
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${round3(n / 1024 ** 3)} GiB`;
  if (n >= 1024 ** 2) return `${round3(n / 1024 ** 2)} MiB`;
  return `${n} bytes`;
}
function formatDuration(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = Math.round(sec % 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${round3(sec)} s`;
}
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
