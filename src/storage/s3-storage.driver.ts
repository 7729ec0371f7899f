import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { OnApplicationShutdown } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FetchTooLargeError } from '../net/errors.js';
import { writeStreamAtomically } from './file-utils.js';
import {
  contentDisposition,
  parseStorageUrl,
  StorageNotFoundError,
  validateStorageKey,
  type DownloadToFileOptions,
  type DownloadUrl,
  type DownloadUrlOptions,
  type PutFileOptions,
  type PutFileResult,
  type StorageDriver,
  type UploadTarget,
  type UploadTargetOptions,
} from './storage-driver.js';

export interface S3ConnectionOptions {
  region?: string;
  /** Custom endpoint (MinIO, R2, s3rver…); omit for AWS. */
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Pre-built client (tests inject an aws-sdk-client-mock'ed one). */
  client?: S3Client;
}

export interface S3StorageOptions extends S3ConnectionOptions {
  bucket: string;
  /** Optional key prefix, e.g. "prod/". */
  prefix?: string;
  /** Endpoint clients see in presigned URLs when it differs from the internal one (e.g. compose). */
  publicEndpoint?: string;
  /** Multipart part size (min 5 MiB; default 8 MiB). */
  partSize?: number;
  /** Parts uploaded in parallel (default 4). */
  queueSize?: number;
  defaultTtlSeconds?: number;
}

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_TTL = 7 * 24 * 3600;

export function createS3Client(o: S3ConnectionOptions, endpointOverride?: string): S3Client {
  const config: S3ClientConfig = {
    region: o.region ?? 'us-east-1',
    endpoint: endpointOverride ?? o.endpoint,
    forcePathStyle: o.forcePathStyle,
    credentials: o.credentials,
    // S3-compatible stores (MinIO, R2, s3rver) reject the SDK's default flexible checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  return new S3Client(config);
}

export function isS3NotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * S3 storage. Uploads stream from disk with lib-storage multipart (leavePartsOnError: false, so a
 * failed upload is aborted server-side, and the caller's AbortSignal aborts it too). Download and
 * upload URLs are presigned, minted fresh per call.
 */
export class S3StorageDriver implements StorageDriver, OnApplicationShutdown {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly presignClient: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly defaultTtl: number;

  constructor(options: S3StorageOptions) {
    if (!options?.bucket) throw new Error('S3StorageDriver: bucket is required');
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    if (this.prefix) validateStorageKey(this.prefix.replace(/\/$/, ''));
    this.client = options.client ?? createS3Client(options);
    this.presignClient = options.publicEndpoint ? createS3Client(options, options.publicEndpoint) : this.client;
    this.partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 4;
    this.defaultTtl = options.defaultTtlSeconds ?? 3600;
  }

  onApplicationShutdown(): void {
    this.client.destroy();
    if (this.presignClient !== this.client) this.presignClient.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix + validateStorageKey(key);
  }

  private ttl(ttlSeconds?: number): number {
    return Math.max(1, Math.min(Math.floor(ttlSeconds ?? this.defaultTtl), MAX_PRESIGN_TTL));
  }

  async putFile(key: string, localPath: string, options: PutFileOptions = {}): Promise<PutFileResult> {
    const Key = this.objectKey(key);
    const { size } = await stat(localPath);
    if (options.signal?.aborted) throw abortError();
    const body = createReadStream(localPath);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType: options.contentType, ContentLength: size },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const onAbort = () => void upload.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      return { key, size };
    } catch (err) {
      // lib-storage aborts the multipart upload itself on part failure; on a caller abort its
      // own cleanup runs only after in-flight parts settle, so abort explicitly as well.
      const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
      if (options.signal?.aborted && uploadId) {
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }))
          .catch(() => undefined /* already aborted by lib-storage */);
      }
      if (options.signal?.aborted) throw abortError(err);
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      body.destroy();
    }
  }

  async getDownloadUrl(key: string, options: DownloadUrlOptions = {}): Promise<DownloadUrl> {
    const expiresIn = this.ttl(options.ttlSeconds);
    const expiresAt = new Date(Date.now() + expiresIn * 1000);
    const url = await getSignedUrl(
      this.presignClient,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ResponseContentDisposition: options.filename ? contentDisposition(options.filename) : undefined,
      }),
      { expiresIn },
    );
    return { url, expiresAt };
  }

  async createUploadTarget(key: string, options: UploadTargetOptions = {}): Promise<UploadTarget> {
    const expiresIn = this.ttl(options.ttlSeconds);
    const expiresAt = new Date(Date.now() + expiresIn * 1000);
    const uploadUrl = await getSignedUrl(
      this.presignClient,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ContentType: options.contentType,
        ContentLength: options.size,
        // Single use (issue 12 #1): S3 refuses the PUT (412) once the object exists.
        IfNoneMatch: '*',
      }),
      // content-type, content-length and if-none-match are signed headers: the uploader must send them.
      { expiresIn, signableHeaders: new Set(['content-type', 'if-none-match', ...(options.size !== undefined ? ['content-length'] : [])]) },
    );
    const headers: Record<string, string> = { 'if-none-match': '*' };
    if (options.contentType) headers['content-type'] = options.contentType;
    return { uploadUrl, method: 'PUT', headers: Object.keys(headers).length ? headers : undefined, expiresAt };
  }

  async openRead(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return out.Body as Readable;
    } catch (err) {
      if (isS3NotFound(err)) throw new StorageNotFoundError(key);
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isS3NotFound(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async downloadToFile(key: string, destPath: string, options: DownloadToFileOptions = {}): Promise<{ path: string; bytes: number }> {
    return downloadS3Object(this.client, this.bucket, this.objectKey(key), destPath, options, key);
  }

  resolveSourceUrl(url: string): string | null {
    const own = parseStorageUrl(url);
    if (own) return own;
    const prefix = `s3://${this.bucket}/${this.prefix}`;
    if (url.startsWith(prefix)) return validateStorageKey(decodeURIComponent(url.slice(prefix.length)));
    return null;
  }
}

function abortError(cause?: unknown): Error {
  return Object.assign(new Error('upload aborted', { cause }), { name: 'AbortError' });
}

/** GetObject → local file (temp + rename), refusing objects larger than maxBytes. */
export async function downloadS3Object(
  client: S3Client,
  Bucket: string,
  Key: string,
  destPath: string,
  options: DownloadToFileOptions,
  displayKey = Key,
): Promise<{ path: string; bytes: number }> {
  let out;
  try {
    out = await client.send(new GetObjectCommand({ Bucket, Key }), { abortSignal: options.signal });
  } catch (err) {
    if (isS3NotFound(err)) throw new StorageNotFoundError(displayKey);
    throw err;
  }
  const body = out.Body as Readable;
  if (options.maxBytes !== undefined && out.ContentLength !== undefined && out.ContentLength > options.maxBytes) {
    body.destroy();
    throw new FetchTooLargeError(options.maxBytes, out.ContentLength, `s3://${Bucket}/${Key}`);
  }
  return writeStreamAtomically(body, destPath, options);
}
