// Generates a workload's source video once and keeps it under the cache directory.
import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sourceCacheName, sourceGenerationArgs, type SourceSpec } from './workloads.js';

export async function ensureSource(
  spec: SourceSpec,
  cacheDir: string,
  ffmpegPath = 'ffmpeg',
  log: (line: string) => void = () => undefined,
): Promise<{ path: string; generated: boolean; seconds: number }> {
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, sourceCacheName(spec));
  const existing = await stat(path).catch(() => undefined);
  if (existing && existing.size > 0) return { path, generated: false, seconds: 0 };

  log(`generating ${path} (once; cached afterwards)…`);
  const partial = `${path}.${process.pid}.partial.mp4`;
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpegPath, sourceGenerationArgs(spec, partial), { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (c: string) => (err = (err + c).slice(-4000)));
      child.once('error', reject);
      child.once('close', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`source generation failed (${signal ?? `exit ${code}`}): ${err.trim()}`)),
      );
    });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return { path, generated: true, seconds: (performance.now() - started) / 1000 };
}
