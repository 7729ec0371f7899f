import { createReadStream } from 'node:fs';
import { rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { writeStreamAtomically } from './file-utils.js';
import { buildSignedUrl } from './signed-url.js';
import {
  parseStorageUrl,
  StorageKeyError,
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

export interface LocalStorageOptions {
  /** Root directory of the objects. */
  dir: string;
  /** Public origin of the API, e.g. https://render.example.com (URLs: ${publicBaseUrl}/api/files/<key>). */
  publicBaseUrl: string;
  /** HMAC secret of the signed URLs (≥ 32 bytes recommended). */
  secret: string;
  defaultTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/**
 * Disk storage for the standalone/CLI modes. Writes are atomic (temp file + rename); download and
 * upload URLs are HMAC-signed and expire; the controller serving them uses verifySignedRequest().
 */
export class LocalStorageDriver implements StorageDriver {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly defaultTtl: number;
  private readonly maxTtl: number;
  private readonly now: () => Date;

  constructor(private readonly options: LocalStorageOptions) {
    if (!options?.dir) throw new Error('LocalStorageDriver: dir is required');
    if (!options.secret || options.secret.length < 16) throw new Error('LocalStorageDriver: secret of at least 16 characters is required');
    if (!options.publicBaseUrl) throw new Error('LocalStorageDriver: publicBaseUrl is required');
    this.root = resolve(options.dir);
    this.defaultTtl = options.defaultTtlSeconds ?? 3600;
    this.maxTtl = options.maxTtlSeconds ?? 7 * 24 * 3600;
    this.now = options.now ?? (() => new Date());
  }

  /** Absolute path of a key, guaranteed inside the root. */
  pathFor(key: string): string {
    validateStorageKey(key);
    const p = resolve(this.root, ...key.split('/'));
    if (!p.startsWith(this.root + sep)) throw new StorageKeyError(key, 'escapes the storage root');
    return p;
  }

  async putFile(key: string, localPath: string, options: PutFileOptions = {}): Promise<PutFileResult> {
    const dest = this.pathFor(key);
    const { bytes } = await writeStreamAtomically(createReadStream(localPath), dest, { signal: options.signal });
    return { key, size: bytes };
  }

  /**
   * Store a stream (the upload controller's PUT body), atomically, with an optional size cap;
   * `exclusive`: refuse (FileExistsError) when the key already holds a file.
   */
  async putStream(
    key: string,
    body: Readable,
    options: { maxBytes?: number; signal?: AbortSignal; exclusive?: boolean } = {},
  ): Promise<PutFileResult> {
    const dest = this.pathFor(key);
    const { bytes } = await writeStreamAtomically(body, dest, options);
    return { key, size: bytes };
  }

  private expiry(ttlSeconds?: number): number {
    const ttl = Math.max(1, Math.min(Math.floor(ttlSeconds ?? this.defaultTtl), this.maxTtl));
    return Math.floor(this.now().getTime() / 1000) + ttl;
  }

  // async although nothing is awaited: a bad key rejects, as with every StorageDriver method
  // eslint-disable-next-line @typescript-eslint/require-await
  async getDownloadUrl(key: string, options: DownloadUrlOptions = {}): Promise<DownloadUrl> {
    validateStorageKey(key);
    const expires = this.expiry(options.ttlSeconds);
    const url = buildSignedUrl(this.options.publicBaseUrl, this.options.secret, {
      method: 'GET',
      key,
      expires,
      filename: options.filename,
    });
    return { url, expiresAt: new Date(expires * 1000) };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a bad key rejects, as above
  async createUploadTarget(key: string, options: UploadTargetOptions = {}): Promise<UploadTarget> {
    validateStorageKey(key);
    const expires = this.expiry(options.ttlSeconds);
    const uploadUrl = buildSignedUrl(this.options.publicBaseUrl, this.options.secret, {
      method: 'PUT',
      key,
      expires,
      contentType: options.contentType,
      size: options.size,
    });
    return {
      uploadUrl,
      method: 'PUT',
      headers: options.contentType ? { 'content-type': options.contentType } : undefined,
      expiresAt: new Date(expires * 1000),
    };
  }

  async openRead(key: string): Promise<Readable> {
    const p = this.pathFor(key);
    if (!(await this.exists(key))) throw new StorageNotFoundError(key);
    return createReadStream(p);
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(key))).isFile();
    } catch (err) {
      if (err instanceof StorageKeyError) throw err;
      return false;
    }
  }

  /** Removes the file, then its folders as far up as they are empty (a job leaves nothing). */
  async delete(key: string): Promise<void> {
    let path = this.pathFor(key);
    await rm(path, { force: true });
    for (path = dirname(path); path.startsWith(this.root + sep); path = dirname(path)) {
      try {
        await rmdir(path);
      } catch {
        break; // not empty (or already gone): stop climbing
      }
    }
  }

  async downloadToFile(key: string, destPath: string, options: DownloadToFileOptions = {}): Promise<{ path: string; bytes: number }> {
    return writeStreamAtomically(await this.openRead(key), destPath, options);
  }

  resolveSourceUrl(url: string): string | null {
    return parseStorageUrl(url);
  }
}
