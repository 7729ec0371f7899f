import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FetchTooLargeError } from '../net/errors.js';

class Limit extends Transform {
  bytes = 0;
  constructor(private readonly max: number | undefined) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.max !== undefined && this.bytes > this.max) return cb(new FetchTooLargeError(this.max, undefined));
    cb(null, chunk);
  }
}

/** An exclusive write found the file already there (a single-use upload URL used twice). */
export class FileExistsError extends Error {
  constructor(readonly path: string) {
    super('the file already exists');
  }
}

/**
 * Stream `source` into `destPath` atomically: write a temp file in the same directory, rename on
 * success, remove it on any failure (including abort and size limit).
 */
export async function writeStreamAtomically(
  source: Readable,
  destPath: string,
  options: { maxBytes?: number; signal?: AbortSignal; exclusive?: boolean } = {},
): Promise<{ path: string; bytes: number }> {
  await mkdir(dirname(destPath), { recursive: true });
  const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomUUID()}.part`);
  const limit = new Limit(options.maxBytes);
  try {
    await pipeline(source, limit, createWriteStream(tmp, { flags: 'wx' }), { signal: options.signal });
    if (options.exclusive) {
      // link() fails when the name exists, atomically: of two racing writers only one wins.
      try {
        await link(tmp, destPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(destPath);
        throw err;
      }
      await rm(tmp, { force: true });
    } else {
      await rename(tmp, destPath);
    }
  } catch (err) {
    source.destroy();
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await removeStaleParts(destPath);
  return { path: destPath, bytes: limit.bytes };
}

/**
 * Temp files of earlier writes of the same file that never finished (their process was killed
 * mid-write: no `finally` ran). The file itself is complete now, so they are garbage.
 */
async function removeStaleParts(destPath: string): Promise<void> {
  const prefix = `.${basename(destPath)}.`;
  const entries = await readdir(dirname(destPath)).catch(() => [] as string[]);
  for (const e of entries) {
    if (e.startsWith(prefix) && /^[0-9a-f-]{36}\.part$/.test(e.slice(prefix.length))) {
      await rm(join(dirname(destPath), e), { force: true }).catch(() => undefined);
    }
  }
}
