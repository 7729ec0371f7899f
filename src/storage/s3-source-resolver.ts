import type { S3Client } from '@aws-sdk/client-s3';
import type { OnApplicationShutdown } from '@nestjs/common';
import { FetchRefusedError } from '../net/errors.js';
import { serviceKeyOwner } from './keys.js';
import { createS3Client, downloadS3Object, type S3ConnectionOptions } from './s3-storage.driver.js';
import type { DownloadToFileOptions } from './storage-driver.js';

export interface S3SourceResolverOptions extends S3ConnectionOptions {
  /** Buckets a job's `videoUrl` may name as s3://bucket/key. Empty: s3:// sources refused. */
  allowedBuckets: string[];
  /** Default size cap of a source download. */
  maxBytes?: number;
  /**
   * The results bucket (S3_BUCKET): it holds every user's uploads and renders, so it is never a
   * source, even when S3_SOURCE_BUCKETS lists it (issue 12 #11); uploads go by storage://.
   */
  resultsBucket?: string;
}

/**
 * `s3://bucket/key` sources, read with the service's own credentials — so only from buckets the
 * operator listed (otherwise any user could make the service read any bucket it can access).
 */
export class S3SourceResolver implements OnApplicationShutdown {
  private readonly client: S3Client;
  private readonly allowed: Set<string>;

  constructor(private readonly options: S3SourceResolverOptions = { allowedBuckets: [] }) {
    this.client = options.client ?? createS3Client(options);
    this.allowed = new Set(options.allowedBuckets ?? []);
  }

  /** Releases the client's sockets (only when the resolver created the client itself). */
  onApplicationShutdown(): void {
    if (!this.options.client) this.client.destroy();
  }

  canResolve(url: string): boolean {
    return /^s3:\/\//i.test(url);
  }

  /** Parse and authorise; throws FetchRefusedError for malformed URLs or buckets not allowed. */
  parse(url: string): { bucket: string; key: string } {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(url);
    if (!m) throw new FetchRefusedError('malformed s3:// URL (expected s3://bucket/key)', url);
    const [, bucket, rawKey] = m;
    if (!this.allowed.has(bucket)) throw new FetchRefusedError(`bucket ${bucket} is not an allowed source bucket`, url);
    if (bucket === this.options.resultsBucket) {
      throw new FetchRefusedError(
        `bucket ${bucket} holds the service's results and uploads and cannot be a source (use the storage:// videoUrl of POST /api/uploads)`,
        url,
      );
    }
    let key: string;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      throw new FetchRefusedError('malformed s3:// key encoding', url);
    }
    if (serviceKeyOwner(key)?.kind === 'render') throw new FetchRefusedError(`key ${key} is a render of the service, not a source`, url);
    return { bucket, key };
  }

  async download(url: string, destPath: string, options: DownloadToFileOptions = {}): Promise<{ path: string; bytes: number }> {
    const { bucket, key } = this.parse(url);
    return downloadS3Object(this.client, bucket, key, destPath, {
      maxBytes: options.maxBytes ?? this.options.maxBytes,
      signal: options.signal,
    });
  }
}
