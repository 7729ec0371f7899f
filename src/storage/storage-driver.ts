import type { Readable } from 'node:stream';

/** Nest injection token of the configured StorageDriver (S3 or local). */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

export interface PutFileOptions {
  contentType?: string;
  signal?: AbortSignal;
}
export interface PutFileResult {
  key: string;
  size: number;
}
export interface DownloadUrlOptions {
  /** Lifetime of the URL (default: the driver's default, e.g. 1 h). */
  ttlSeconds?: number;
  /** File name offered to the browser (Content-Disposition: attachment). */
  filename?: string;
}
export interface DownloadUrl {
  url: string;
  expiresAt: Date;
}
export interface UploadTargetOptions {
  contentType?: string;
  size?: number;
  ttlSeconds?: number;
}
export interface UploadTarget {
  uploadUrl: string;
  method: 'PUT';
  /** Headers the uploader must send with the PUT (e.g. content-type). */
  headers?: Record<string, string>;
  expiresAt: Date;
}
export interface DownloadToFileOptions {
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Where rendered outputs (and client uploads) live. Keys are validated relative paths
 * (see validateStorageKey); every write of the same key overwrites (idempotent per job).
 */
export interface StorageDriver {
  readonly kind: 's3' | 'local';
  /** Store a local file under `key` (overwrites). */
  putFile(key: string, localPath: string, options?: PutFileOptions): Promise<PutFileResult>;
  /** A fresh short-lived download URL, minted on each call. */
  getDownloadUrl(key: string, options?: DownloadUrlOptions): Promise<DownloadUrl>;
  /** A short-lived URL the client may PUT an object to. */
  createUploadTarget(key: string, options?: UploadTargetOptions): Promise<UploadTarget>;
  openRead(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Copy the object to a local file (temp + rename; partial file removed on failure). */
  downloadToFile(key: string, destPath: string, options?: DownloadToFileOptions): Promise<{ path: string; bytes: number }>;
  /**
   * If `url` names an object of this storage (`storage://<key>`, or `s3://<own bucket>/<key>`
   * for S3), its key; otherwise null (then the source is fetched by the guarded fetcher).
   */
  resolveSourceUrl?(url: string): string | null;
}

export class StorageKeyError extends Error {
  readonly code = 'STORAGE_INVALID_KEY';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'StorageKeyError';
  }
}

export class StorageNotFoundError extends Error {
  readonly code = 'STORAGE_NOT_FOUND';
  constructor(readonly key: string) {
    super(`storage object ${key} not found`);
    this.name = 'StorageNotFoundError';
  }
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
export const MAX_KEY_LENGTH = 1024;

/**
 * Keys are relative, '/'-separated paths of segments made of [A-Za-z0-9._-] that do not start
 * with '.' (so no '..', no hidden files), no empty segments, no absolute paths, no backslashes.
 * Returns the key; throws StorageKeyError.
 */
export function validateStorageKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new StorageKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new StorageKeyError(key.slice(0, 64) + '…', 'too long');
  if (key.startsWith('/')) throw new StorageKeyError(key, 'absolute path');
  for (const seg of key.split('/')) {
    if (seg === '') throw new StorageKeyError(key, 'empty path segment');
    if (seg === '.' || seg === '..') throw new StorageKeyError(key, 'path traversal');
    if (!SEGMENT.test(seg)) throw new StorageKeyError(key, `segment ${JSON.stringify(seg)} has forbidden characters`);
  }
  return key;
}

/** RFC 6266 attachment header with an ASCII fallback and the UTF-8 name. */
export function contentDisposition(filename: string): string {
  const clean = filename.replace(/[\r\n"\\/]/g, '_');
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** `storage://<key>` → key (validated), else null. */
export function parseStorageUrl(url: string): string | null {
  if (!url.startsWith('storage://')) return null;
  return validateStorageKey(decodeURIComponent(url.slice('storage://'.length)));
}
