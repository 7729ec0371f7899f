// Brings a job's source video to a local file: uploads and own-bucket objects from storage,
// s3:// objects from configured buckets, everything else through the guarded fetcher.
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { classifyRenderError } from '../render/classify-render-error.js';
import { S3SourceResolver } from './s3-source-resolver.js';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver.js';

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
      throw classifyRenderError(err, { stage: 'source' });
    }
  }
}
