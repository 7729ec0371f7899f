// Decodes chosen frames of a local video to raw RGBA with ffmpeg (local files only).
import { execFile } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { promisify } from 'node:util';
import { buildSourceChain } from '../encoder/ffmpeg-args.js';
import { FORMAT_WHITELIST } from '../encoder/media-probe.js';

const exec = promisify(execFile);

export interface ExtractOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  signal?: AbortSignal;
}

/**
 * Frames `indices` (sorted, distinct) of `path` as RGBA w×h buffers. With `asSource`, the video
 * first goes through the render's own source chain (fps, scale, pad, setsar, tpad), so frame i is
 * exactly the base that output frame i was composited on.
 */
export async function extractFrames(
  path: string,
  indices: number[],
  w: number,
  h: number,
  o: ExtractOptions & { asSource?: { fps: number } } = {},
): Promise<Buffer[]> {
  if (!isAbsolute(path)) throw new RangeError(`extractFrames: ${path} is not an absolute path`);
  if (!indices.length) return [];
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const select = `select=${sorted.map((i) => `eq(n\\,${i})`).join('+')}`;
  const chain = o.asSource ? `${buildSourceChain(w, h, o.asSource.fps)},${select}` : `${select},scale=${w}:${h}`;
  const { stdout } = await exec(
    o.ffmpegPath ?? 'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      // The render's own input whitelists (issue 12 #1): a playlist or concat list cannot make
      // this ffmpeg open another file or URL.
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      FORMAT_WHITELIST,
      '-i',
      `file:${path}`,
      '-vf',
      chain,
      '-fps_mode',
      'passthrough',
      '-frames:v',
      String(sorted.length),
      '-an',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: sorted.length * w * h * 4 + 1024, signal: o.signal },
  );
  const size = w * h * 4;
  const buf = stdout as unknown as Buffer;
  if (buf.length < sorted.length * size) {
    throw new Error(`${path}: got ${Math.floor(buf.length / size)} of ${sorted.length} frames (${sorted.join(', ')})`);
  }
  const byIndex = new Map(sorted.map((i, k) => [i, buf.subarray(k * size, (k + 1) * size)]));
  return indices.map((i) => byIndex.get(i)!);
}

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
}

/** Size, rounded frame rate, frame count and duration of the first video stream. */
export async function probeVideo(path: string, o: ExtractOptions = {}): Promise<VideoInfo> {
  const { stdout } = await exec(
    o.ffprobePath ?? 'ffprobe',
    [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      FORMAT_WHITELIST,
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:format=duration',
      '-of',
      'json',
      `file:${path}`,
    ],
    { signal: o.signal },
  );
  const j = JSON.parse(stdout) as { streams: Array<Record<string, string | number>>; format?: { duration?: string } };
  const s = j.streams[0];
  if (!s) throw new Error(`${path}: no video stream`);
  const rate = (v: string | number | undefined) => {
    const [n, d] = String(v ?? '0/1')
      .split('/')
      .map(Number);
    return d ? n / d : 0;
  };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate);
  const durationSec = Number(s.duration) || Number(j.format?.duration) || 0;
  const frames = Number(s.nb_frames) || Math.round(durationSec * fps);
  return { width: Number(s.width), height: Number(s.height), fps, frames, durationSec };
}
