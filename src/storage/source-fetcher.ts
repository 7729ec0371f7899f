// Brings a job's source video to a local file: uploads and own-bucket objects from storage,
// s3:// objects from configured buckets, everything else through the guarded fetcher.
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { FetchError } from '../net/errors.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { RenderError } from '../render/render-errors.js';
import { S3SourceResolver } from './s3-source-resolver.js';
import { STORAGE_DRIVER, StorageNotFoundError, type StorageDriver } from './storage-driver.js';

/** How long a source download may take at most. */
const SOURCE_DOWNLOAD_TIMEOUT_MS = 30 * 60_000;

@Injectable()
export class SourceFetcher {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly s3Sources: S3SourceResolver,
    private readonly fetcher: GuardedFetcher,
  ) {}

  async fetchTo(videoUrl: string, destPath: string, signal: AbortSignal): Promise<void> {
    const maxBytes = this.config.limits.maxVideoBytes;
    try {
      const key = this.storage.resolveSourceUrl?.(videoUrl) ?? null;
      if (key) {
        await this.storage.downloadToFile(key, destPath, { maxBytes, signal });
      } else if (this.s3Sources.canResolve(videoUrl)) {
        await this.s3Sources.download(videoUrl, destPath, { maxBytes, signal });
      } else {
        await this.fetcher.download(videoUrl, destPath, { maxBytes, signal, timeoutMs: SOURCE_DOWNLOAD_TIMEOUT_MS });
      }
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      throw sourceError(err);
    }
  }
}

function sourceError(err: unknown): RenderError {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof StorageNotFoundError) {
    return new RenderError('RENDER_SOURCE_UNAVAILABLE', 'the uploaded video was not found (was the upload completed?)', false, undefined, {
      cause: err,
    });
  }
  if (err instanceof FetchError) {
    return new RenderError('RENDER_SOURCE_UNAVAILABLE', `could not download the video: ${message}`, err.retryable, undefined, {
      cause: err,
    });
  }
  // Storage/S3 errors without a classification: treat as transient.
  return new RenderError('RENDER_SOURCE_UNAVAILABLE', `could not download the video: ${message}`, true, undefined, { cause: err });
}
