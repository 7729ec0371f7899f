/**
 * Media helpers for tests: generate small real videos, count and extract frames, make PNGs.
 * They run ffmpeg/ffprobe directly (test-only; production code goes through src/encoder).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const MAX_BUFFER = 512 * 1024 * 1024;

export interface TestVideoOptions {
  path: string;
  seconds: number;
  width: number;
  height: number;
  fps: number;
  audio: boolean;
  /** Extra output arguments (e.g. ['-metadata:s:v', 'rotate=90']). */
  extraArgs?: string[];
}

/** testsrc2 video (+ 440 Hz sine when `audio`), libx264 ultrafast yuv420p, AAC, container from the extension. */
export async function makeTestVideo(o: TestVideoOptions): Promise<string> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`,
    ...(o.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
    ...(o.extraArgs ?? []),
    o.path,
  ];
  await exec('ffmpeg', args, { maxBuffer: MAX_BUFFER });
  return o.path;
}

/** Decoded video frames of the first video stream (ffprobe -count_frames). */
export async function countFrames(path: string): Promise<number> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(stdout.trim());
}

/** Container duration in seconds. */
export async function probeDuration(path: string): Promise<number> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

/** Per-stream info: codec type, codec name, duration (seconds, NaN when unknown). */
export async function probeStreams(path: string): Promise<Array<{ type: string; codec: string; duration: number }>> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { streams: Array<{ codec_type: string; codec_name: string; duration?: string }> };
  return json.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name, duration: Number(s.duration) }));
}

/** Frame `index` (0-based, decode order of the first video stream) scaled to w×h, as raw RGBA. */
export async function extractFrameRgba(path: string, index: number, w: number, h: number): Promise<Buffer> {
  const { stdout } = await exec(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      path,
      '-vf',
      `select=eq(n\\,${index}),scale=${w}:${h}`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: MAX_BUFFER },
  );
  const buf = stdout as unknown as Buffer;
  if (buf.length !== w * h * 4) throw new Error(`frame ${index} of ${path}: got ${buf.length} bytes, want ${w * h * 4}`);
  return buf;
}

/** RGBA pixel at (x, y) of a raw RGBA buffer of width w. */
export function pixelAt(rgba: Buffer, w: number, x: number, y: number): [number, number, number, number] {
  const i = (y * w + x) * 4;
  return [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]];
}

export { encodePng } from '../../src/render/png.js';
import { encodePng } from '../../src/render/png.js';

/**
 * A w×h PNG, transparent except an opaque rectangle of `color` (RGBA) — enough to see
 * whether, and where, a caption frame was overlaid.
 */
export function makeCaptionPng(
  w: number,
  h: number,
  rect?: { x: number; y: number; w: number; h: number; color: [number, number, number, number] },
): Buffer {
  const rgba = Buffer.alloc(w * h * 4); // all transparent
  if (rect) {
    for (let y = rect.y; y < Math.min(h, rect.y + rect.h); y++) {
      for (let x = rect.x; x < Math.min(w, rect.x + rect.w); x++) rgba.set(rect.color, (y * w + x) * 4);
    }
  }
  return encodePng(rgba, w, h);
}

/**
 * State of a process from /proc ('R', 'S', 'Z' for a zombie, …), or undefined when it no longer
 * exists (exited and reaped). For "no process left behind" checks on a specific pid.
 */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

// Pixel measurements on decoded RGBA frames

/** Mean absolute RGB difference of two RGBA frames over the rows [y0, y1). */
export function meanDiff(a: Buffer, b: Buffer, w: number, y0: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
      n += 3;
    }
  }
  return sum / n;
}

/** Pixels of rows [y0, y1) whose largest RGB channel difference exceeds `threshold`. */
export function changedPixels(a: Buffer, b: Buffer, w: number, y0: number, y1: number, threshold = 80): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2])) > threshold) n++;
    }
  }
  return n;
}

/** Count of near-white pixels (all channels ≥ 230) in rows [y0, y1). */
export function whitePixels(a: Buffer, w: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (a[i] >= 230 && a[i + 1] >= 230 && a[i + 2] >= 230) n++;
    }
  }
  return n;
}
