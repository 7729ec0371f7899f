import { createHmac, timingSafeEqual } from 'node:crypto';
import { validateStorageKey } from './storage-driver.js';

/**
 * Signed URLs of the local storage driver.
 *
 *   GET  ${publicBaseUrl}/api/files/<key>?expires=<unix s>[&filename=..]&sig=<b64url>
 *   PUT  ${publicBaseUrl}/api/uploads/<key>?expires=<unix s>[&ct=..][&size=..]&sig=<b64url>
 *
 * sig = base64url(HMAC-SHA256(secret, "v1\n<METHOD>\n<key>\n<expires>\n<filename>\n<ct>\n<size>")).
 * The method is part of the signature, so a download URL can never be used to upload.
 */
export const LOCAL_FILES_PATH = '/api/files/';
export const LOCAL_UPLOADS_PATH = '/api/uploads/';

export type SignedMethod = 'GET' | 'PUT';

export interface SignParams {
  method: SignedMethod;
  key: string;
  /** Unix seconds. */
  expires: number;
  filename?: string;
  contentType?: string;
  size?: number;
}

function canonical(p: SignParams): string {
  return ['v1', p.method, p.key, String(p.expires), p.filename ?? '', p.contentType ?? '', p.size === undefined ? '' : String(p.size)].join(
    '\n',
  );
}

export function signParams(secret: string | Buffer, p: SignParams): string {
  return createHmac('sha256', secret).update(canonical(p)).digest('base64url');
}

export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Build a signed URL (path + query) under `baseUrl`. */
export function buildSignedUrl(baseUrl: string, secret: string | Buffer, p: SignParams): string {
  validateStorageKey(p.key);
  const path = (p.method === 'GET' ? LOCAL_FILES_PATH : LOCAL_UPLOADS_PATH) + encodeKeyPath(p.key);
  const q = new URLSearchParams({ expires: String(p.expires) });
  if (p.filename !== undefined) q.set('filename', p.filename);
  if (p.contentType !== undefined) q.set('ct', p.contentType);
  if (p.size !== undefined) q.set('size', String(p.size));
  q.set('sig', signParams(secret, p));
  return `${baseUrl.replace(/\/+$/, '')}${path}?${q.toString()}`;
}

export type VerifyResult =
  | { ok: true; key: string; expiresAt: Date; filename?: string; contentType?: string; size?: number }
  | { ok: false; reason: 'malformed' | 'invalid-key' | 'expired' | 'bad-signature' };

type Query = Record<string, string | string[] | undefined> | URLSearchParams;

function q1(query: Query, name: string): string | undefined {
  if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
  const v = query[name];
  return Array.isArray(v) ? undefined /* duplicated parameters are refused */ : v;
}

/**
 * Verify a request the controller received: `key` from the route (already URL-decoded),
 * `query` the parsed query string. Constant-time signature comparison; expiry enforced.
 */
export function verifySignedRequest(
  secret: string | Buffer,
  req: { method: string; key: string; query: Query },
  now: Date = new Date(),
): VerifyResult {
  const method = req.method.toUpperCase();
  if (method !== 'GET' && method !== 'PUT' && method !== 'HEAD') return { ok: false, reason: 'malformed' };
  try {
    validateStorageKey(req.key);
  } catch {
    return { ok: false, reason: 'invalid-key' };
  }
  const expiresRaw = q1(req.query, 'expires');
  const sig = q1(req.query, 'sig');
  const sizeRaw = q1(req.query, 'size');
  if (!expiresRaw || !/^\d{1,12}$/.test(expiresRaw) || !sig || (sizeRaw !== undefined && !/^\d{1,15}$/.test(sizeRaw))) {
    return { ok: false, reason: 'malformed' };
  }
  const p: SignParams = {
    method: method === 'PUT' ? 'PUT' : 'GET', // HEAD is verified as GET
    key: req.key,
    expires: Number(expiresRaw),
    filename: q1(req.query, 'filename'),
    contentType: q1(req.query, 'ct'),
    size: sizeRaw === undefined ? undefined : Number(sizeRaw),
  };
  const expected = Buffer.from(signParams(secret, p));
  const given = Buffer.from(sig);
  // Check the signature before the expiry so that a tampered URL is reported as such.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (p.expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, key: p.key, expiresAt: new Date(p.expires * 1000), filename: p.filename, contentType: p.contentType, size: p.size };
}

/** Verify a full signed URL (absolute, or a path+query). The method is implied by the path. */
export function verifySignedUrl(secret: string | Buffer, url: string | URL, now: Date = new Date()): VerifyResult {
  let u: URL;
  try {
    u = new URL(url, 'http://placeholder.invalid');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const path = u.pathname;
  let method: SignedMethod;
  let rawKey: string;
  const files = path.indexOf(LOCAL_FILES_PATH);
  const uploads = path.indexOf(LOCAL_UPLOADS_PATH);
  if (files >= 0) {
    method = 'GET';
    rawKey = path.slice(files + LOCAL_FILES_PATH.length);
  } else if (uploads >= 0) {
    method = 'PUT';
    rawKey = path.slice(uploads + LOCAL_UPLOADS_PATH.length);
  } else return { ok: false, reason: 'malformed' };
  let key: string;
  try {
    key = rawKey.split('/').map(decodeURIComponent).join('/');
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  return verifySignedRequest(secret, { method, key, query: u.searchParams }, now);
}
