// Measuring: wall time and the process tree's memory around a step (bench/proc-sampler.ts), the
// figures of an output file, and rounding.
import { execFile } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { MediaProbe } from '../src/encoder/media-probe.js';
import type { Context } from './context.js';
import { startSamplerProcess, type SampleReport } from './proc-sampler.js';

export interface Measured<T> {
  value: T;
  wallSeconds: number;
  memory: SampleReport & { samplerCpuSeconds: number };
}

/** Runs fn with a fresh process-tree sampler around it, sampling every `sampleMs`. */
export async function measured<T>(sampleMs: number, fn: () => Promise<T>): Promise<Measured<T>> {
  const sampler = await startSamplerProcess(process.pid, sampleMs);
  const t0 = performance.now();
  try {
    const value = await fn();
    const wallSeconds = (performance.now() - t0) / 1000;
    return { value, wallSeconds, memory: await sampler.stop() };
  } catch (err) {
    await sampler.stop().catch(() => undefined);
    throw err;
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const r2 = (x: number) => Math.round(x * 100) / 100;
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export interface OutputFigures {
  durationSec: number;
  sizeMb: number;
  videoFrames: number;
}

export async function outputCheck(ctx: Context, path: string): Promise<OutputFigures> {
  const probed = await ctx.app.get(MediaProbe).probe(path);
  const size = (await stat(path)).size;
  const videoFrames = await countVideoFrames(ctx.config.ffprobePath, path);
  await rm(path, { force: true });
  return { durationSec: r2(probed.durationSec), sizeMb: r1(size / 1e6), videoFrames };
}

const execFileAsync = promisify(execFile);

/** Video frames of an MP4 (packets of its first video stream, counted by ffprobe). */
export async function countVideoFrames(ffprobePath: string, path: string): Promise<number> {
  const { stdout } = await execFileAsync(ffprobePath, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(stdout.trim());
}
