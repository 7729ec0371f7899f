/**
 * Pure ffmpeg command builders. Nothing here touches a process or the file system; every
 * builder is tested on its exact argument array (ffmpeg-args.spec.ts).
 *
 * Safety (README "Security"): the source is opened with `-protocol_whitelist file` and
 * `-format_whitelist` (the ffprobe gate's demuxers), the caption layer with
 * `-protocol_whitelist pipe` and a forced demuxer, and every path gets a `file:` prefix so a
 * name containing ':' is never taken for a protocol. Paths must be absolute.
 */
import path from 'node:path';
import { OUTPUT_FRAME_LIMITS, RENDER_OPTION_LIMITS } from '../render/render-limits.js';
import { FORMAT_WHITELIST } from './media-probe.js';

export type VideoEncoder = 'h264_nvenc' | 'libx264';

export const DEFAULT_X264_PRESET = 'veryfast';
export const DEFAULT_NVENC_PRESET = 'p4';
export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
  'placebo',
] as const;
export const NVENC_PRESETS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'] as const;
/** AAC bitrate when the source audio has to be re-encoded. */
export const AAC_BITRATE = '192k';

/**
 * Quality (10..100, the editor's slider) → constant-quality level on H.264's 0..51 scale.
 *
 *     level = round(52 - 0.4 × quality)
 *
 *   quality 100 → 12 (visually lossless)    quality 80 (default) → 20 (≈ x264's "good" default 23, a bit better)
 *   quality  50 → 32 (small, soft)          quality 10 → 48 (tiny, very blocky)
 *
 * libx264 uses it as `-crf level`; h264_nvenc as `-rc vbr -cq level -b:v 0` (NVENC ignores
 * -crf; its -cq is on the same QP scale, and -b:v 0 lifts the default 2 Mb/s cap so only the
 * quality target governs). NVENC's cq 0 would mean "automatic"; the range never reaches it.
 */
export function qualityToLevel(quality: number): number {
  const { min, max } = RENDER_OPTION_LIMITS.quality;
  if (!Number.isFinite(quality) || quality < min || quality > max) {
    throw new RangeError(`quality must be from ${min} to ${max} (got ${quality})`);
  }
  return Math.min(51, Math.max(1, Math.round(52 - 0.4 * quality)));
}

/** Encoder arguments (starting at `-c:v`) for a quality; see qualityToLevel for the mapping. */
export function qualityToEncoderArgs(encoder: VideoEncoder, quality: number, preset?: string): string[] {
  const level = String(qualityToLevel(quality));
  if (encoder === 'h264_nvenc') {
    const p = preset ?? DEFAULT_NVENC_PRESET;
    if (!(NVENC_PRESETS as readonly string[]).includes(p)) throw new RangeError(`unknown NVENC preset '${p}' (p1..p7)`);
    return ['-c:v', 'h264_nvenc', '-preset', p, '-tune', 'hq', '-rc', 'vbr', '-cq', level, '-b:v', '0'];
  }
  if (encoder === 'libx264') {
    const p = preset ?? DEFAULT_X264_PRESET;
    if (!(X264_PRESETS as readonly string[]).includes(p)) throw new RangeError(`unknown x264 preset '${p}'`);
    return ['-c:v', 'libx264', '-preset', p, '-crf', level];
  }
  throw new RangeError(`unknown encoder '${String(encoder)}'`);
}

/** A frame rate as a reduced rational. Accepts 25, 29.97, '30000/1001', '25'. */
export function toRational(fps: number | string): { num: number; den: number } {
  let num: number;
  let den: number;
  if (typeof fps === 'string') {
    const m = /^(\d+)(?:\/(\d+))?$/.exec(fps.trim());
    if (!m) throw new RangeError(`invalid frame rate '${fps}'`);
    num = Number(m[1]);
    den = m[2] === undefined ? 1 : Number(m[2]);
  } else if (Number.isInteger(fps)) {
    num = fps;
    den = 1;
  } else {
    // NTSC family (23.976, 29.97, 59.94, …) → N·1000/1001, anything else to a millihertz.
    const ntsc = Math.round((fps * 1001) / 1000);
    if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.0015) {
      num = ntsc * 1000;
      den = 1001;
    } else {
      num = Math.round(fps * 1000);
      den = 1000;
    }
  }
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0 || num / den > 1000) {
    throw new RangeError(`invalid frame rate '${fps}'`);
  }
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** ffmpeg spelling of a frame rate: '25' or '30000/1001'. */
export function formatRate(fps: number | string): string {
  const { num, den } = toRational(fps);
  return den === 1 ? String(num) : `${num}/${den}`;
}

/** Duration as ffmpeg reads it (microsecond precision), e.g. '2.000000'. */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) throw new RangeError(`invalid duration ${sec}`);
  return (Math.round(sec * 1e6) / 1e6).toFixed(6);
}

/**
 * Frames in the output: output frame i is at t = i / fps, and the output keeps every frame
 * with t < duration (that is exactly what ffmpeg's `-t` keeps). So ceil(duration × fps), computed
 * on the microsecond-rounded duration ffmpeg itself sees, in exact integer arithmetic.
 * The composite run is given this as `-frames:v` too, and the caller feeds exactly this many
 * caption frames.
 */
export function expectedFrameCount(durationSec: number, fps: number | string): number {
  const { num, den } = toRational(fps);
  const us = BigInt(Math.round(Number(formatSeconds(durationSec)) * 1e6));
  const n = us * BigInt(num);
  const d = BigInt(den) * 1_000_000n;
  return Number((n + d - 1n) / d);
}

/** PNG frames with alpha on stdin, one per output frame, at W×H (or a strip placed at x,y). */
/** Seconds during which the overlay is blended; outside them frames pass through untouched. */
export interface TimeSpan {
  start: number;
  end: number;
}

export interface PngPipeCaptionInput {
  kind: 'png-pipe';
  enable?: readonly TimeSpan[];
  /** Where the caption frame's top-left lands on the output. Default 0,0 (full-frame layer). */
  x?: number;
  y?: number;
}
/** Raw RGBA frames on stdin (cheaper for ffmpeg to decode than PNG: ~2 ms vs ~21 ms at 1080p). */
export interface RgbaPipeCaptionInput {
  kind: 'rgba-pipe';
  enable?: readonly TimeSpan[];
  width: number;
  height: number;
  x?: number;
  y?: number;
}
export type CaptionInput = PngPipeCaptionInput | RgbaPipeCaptionInput;

export interface TranscodeArgsOptions {
  /** Absolute path of a source that passed MediaProbe. */
  sourcePath: string;
  /** Absolute path of the MP4 to write (overwritten). */
  output: string;
  /** Output size; even integers. The source is scaled to fit and centred (letterbox/pillarbox). */
  width: number;
  height: number;
  /** Output frame rate: integer, decimal or 'N/D'. */
  fps: number | string;
  /** Output duration: normally the source's (MediaProbe.durationSec), or a segment's length. */
  durationSec: number;
  encoder: VideoEncoder;
  /** 10..100. */
  quality: number;
  preset?: string;
  hasAudio: boolean;
  /** Source audio codec; 'aac' is copied as is, anything else re-encoded to AAC. */
  audioCodec?: string;
  /** Start this far into the source (segment rendering). Default 0. */
  startSec?: number;
  /** Exact output frame count (segments); default expectedFrameCount(durationSec, fps). */
  frames?: number;
  /** Encoder threads (`-threads`). Default: ffmpeg's choice. */
  threads?: number;
}

export interface CompositeArgsOptions extends TranscodeArgsOptions {
  captionInput: CaptionInput;
}

/**
 * Source video chain: constant output frame rate first (output frame i at t = i/fps), then
 * scale-to-fit and pad to W×H, centred on black, then endless clone of the last frame so a video
 * stream shorter than the container still yields every frame up to `-frames:v`.
 *
 * Scaling decision: preserve the aspect ratio (scale + pad), never stretch. That is what the
 * editor's HTML <video> element shows (object-fit: contain is the default for video), so the
 * caption layer, laid out on the W×H box, lands where the preview showed it. When W×H equals the
 * source's displayed size (the default) scale and pad are no-ops. Rotation is applied by
 * ffmpeg's autorotate before this chain.
 */
export function buildSourceChain(width: number, height: number, fps: number | string): string {
  checkSize(width, height);
  return [
    `fps=${formatRate(fps)}`,
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
    'setsar=1',
    'tpad=stop=-1:stop_mode=clone',
  ].join(',');
}

export function buildTranscodeArgs(o: TranscodeArgsOptions): string[] {
  const graph = `[0:v]${buildSourceChain(o.width, o.height, o.fps)},format=yuv420p[vout]`;
  // The source decoder keeps ffmpeg's default thread count here: see COMPOSITE_DECODER_THREADS.
  return [...head(), ...sourceInput(o), '-filter_complex', graph, ...outputArgs(o)];
}

/**
 * Threads of the source's video decoder in a composite run (an input option, before the
 * source's `-i`; the encoder's `-threads` is a separate, output option).
 *
 * Why 1: each of the h264 decoder's frame threads (by default one per core plus one, up to 16)
 * holds frames in flight, memory spent for no gain here — a composite advances at the pace of
 * the Chromium capture (~20 fps at 1080p), far below what one decoding thread does (~330 fps on
 * a 1080p30 x264 source). Measured on the 2-core bench machine, 1080p30 20 s testsrc2 source,
 * 1000×320 RGBA strip piped in, libx264 veryfast, 9 runs each: ffmpeg's peak PSS −18 MB (median
 * of paired runs; 340 → 329 MB median), peak RSS 366 → 347 MB (2 threads: 357 MB), CPU time
 * 12.45 s both, wall time within the machine's noise, the encoded stream bit-identical (decoding
 * is exact at any thread count). Not applied to the plain transcode (nor a re-encoding join):
 * nothing else runs there, so its speed is the decoder's and the encoder's, and one thread
 * decodes that source in 1.8 s against 1.0–1.4 s by default — an NVENC transcode, or x264 on more
 * cores, would be held to it. No hardware decoding is used, so this applies to both encoders.
 */
export const COMPOSITE_DECODER_THREADS = 1;

export function buildCompositeArgs(o: CompositeArgsOptions): string[] {
  const rate = formatRate(o.fps);
  const ci = o.captionInput;
  const x = ci.x ?? 0;
  const y = ci.y ?? 0;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0) {
    throw new RangeError(`caption position must be non-negative integers (got ${x},${y})`);
  }
  let captionArgs: string[];
  if (ci.kind === 'png-pipe') {
    captionArgs = ['-protocol_whitelist', 'pipe', '-f', 'image2pipe', '-framerate', rate, '-c:v', 'png', '-i', 'pipe:0'];
  } else if (ci.kind === 'rgba-pipe') {
    checkSize(ci.width, ci.height, 1);
    captionArgs = [
      '-protocol_whitelist',
      'pipe',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-video_size',
      `${ci.width}x${ci.height}`,
      '-framerate',
      rate,
      '-i',
      'pipe:0',
    ];
  } else {
    throw new RangeError(`unknown caption input kind '${(ci as { kind: string }).kind}'`);
  }
  const graph =
    `[0:v]${buildSourceChain(o.width, o.height, o.fps)}[base];` +
    `[base][1:v]overlay=x=${x}:y=${y}${enableOption(ci.enable)}:eof_action=pass:shortest=0,format=yuv420p[vout]`;
  return [...head(), ...sourceInput(o, COMPOSITE_DECODER_THREADS), ...captionArgs, '-filter_complex', graph, ...outputArgs(o)];
}

/**
 * Timeline editing: outside these spans the overlay filter passes the base frame through without
 * blending, which is most of the cost of an overlay on frames where no caption shows.
 */
export function enableOption(spans: readonly TimeSpan[] | undefined): string {
  if (!spans) return '';
  const terms = spans.map((s) => {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end < s.start) {
      throw new RangeError(`invalid enable span ${JSON.stringify(s)}`);
    }
    return `between(t,${formatSeconds(Math.max(0, s.start))},${formatSeconds(s.end)})`;
  });
  return `:enable='${terms.length ? terms.join('+') : '0'}'`;
}

function head(): string[] {
  // Progress as key=value lines on stdout (FfmpegProcess parses `frame=`); errors only on stderr.
  return ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'];
}

/** The source's input options and `-i`; `decoderThreads` limits its decoder (default: ffmpeg's choice). */
function sourceInput(o: TranscodeArgsOptions, decoderThreads?: number): string[] {
  const seek = o.startSec ? ['-ss', formatSeconds(o.startSec)] : [];
  const threads = decoderThreads === undefined ? [] : ['-threads', String(decoderThreads)];
  return [
    ...seek,
    ...threads,
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    FORMAT_WHITELIST,
    '-i',
    fileUrl(o.sourcePath, 'sourcePath'),
  ];
}

function outputArgs(o: TranscodeArgsOptions): string[] {
  const audio = o.hasAudio ? ['-map', '0:a:0', ...(o.audioCodec === 'aac' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', AAC_BITRATE])] : [];
  const threads = o.threads === undefined ? [] : ['-threads', String(positiveInt(o.threads, 'threads'))];
  return [
    '-map',
    '[vout]',
    ...audio,
    ...qualityToEncoderArgs(o.encoder, o.quality, o.preset),
    ...threads,
    '-frames:v',
    String(o.frames === undefined ? expectedFrameCount(o.durationSec, o.fps) : positiveInt(o.frames, 'frames')),
    '-t',
    formatSeconds(o.durationSec),
    '-max_muxing_queue_size',
    '1024',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileUrl(o.output, 'output'),
  ];
}

function fileUrl(p: string, what: string): string {
  if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('\0')) {
    throw new RangeError(`${what} must be an absolute local path (got '${p}')`);
  }
  return `file:${p}`;
}

/** A frame size inside OUTPUT_FRAME_LIMITS (a requested size, or the probed source's). */
function checkSize(width: number, height: number, multiple = 2): void {
  const { minSide, maxLongSide } = OUTPUT_FRAME_LIMITS;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < minSide || v > maxLongSide || v % multiple !== 0) {
      throw new RangeError(`${name} must be ${multiple === 2 ? 'an even' : 'an'} integer from ${minSide} to ${maxLongSide} (got ${v})`);
    }
  }
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer (got ${v})`);
  return v;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export interface JoinArgsOptions {
  /** Absolute path of an ffconcat list naming the segment files relative to its own folder. */
  listPath: string;
  /** The probed source, for its audio (muxed once, here). */
  sourcePath: string;
  output: string;
  /** The source's duration: the joined output is cut to it like a single render. */
  durationSec: number;
  hasAudio: boolean;
  audioCodec?: string;
  /**
   * Decode and encode the video again instead of copying it: only for segments whose encoder
   * parameters differ (see stream-signature.ts), which one MP4 track cannot hold.
   */
  reencode?: { encoder: VideoEncoder; quality: number; preset?: string };
}

/**
 * Joins segment files (video only, same encoder settings) without re-encoding and muxes the
 * source's audio once. The list may only name relative paths (concat's safe mode) and is read
 * with the file protocol alone. No decoder thread limit: a copy decodes nothing, and a re-encode
 * is a plain transcode of the segments (see COMPOSITE_DECODER_THREADS).
 */
export function buildJoinArgs(o: JoinArgsOptions): string[] {
  const audioInput = o.hasAudio
    ? ['-protocol_whitelist', 'file', '-format_whitelist', FORMAT_WHITELIST, '-i', fileUrl(o.sourcePath, 'sourcePath')]
    : [];
  const audioOut = o.hasAudio
    ? ['-map', '1:a:0', ...(o.audioCodec === 'aac' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', AAC_BITRATE])]
    : [];
  if (typeof o.listPath !== 'string' || !path.isAbsolute(o.listPath)) throw new RangeError('listPath must be absolute');
  return [
    ...head(),
    '-protocol_whitelist',
    'file',
    '-f',
    'concat',
    '-safe',
    '1',
    '-i',
    o.listPath,
    ...audioInput,
    '-map',
    '0:v:0',
    ...audioOut,
    ...(o.reencode
      ? [...qualityToEncoderArgs(o.reencode.encoder, o.reencode.quality, o.reencode.preset), '-pix_fmt', 'yuv420p']
      : ['-c:v', 'copy']),
    '-t',
    formatSeconds(o.durationSec),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileUrl(o.output, 'output'),
  ];
}

/** The ffconcat list of segment files (plain names in the list's folder). */
export function buildConcatList(fileNames: readonly string[]): string {
  for (const n of fileNames) {
    if (!/^[A-Za-z0-9._-]+$/.test(n) || n.startsWith('.')) throw new RangeError(`unsafe segment file name '${n}'`);
  }
  return ['ffconcat version 1.0', ...fileNames.map((n) => `file '${n}'`), ''].join('\n');
}
