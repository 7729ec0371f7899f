// The storage key layout, and the only place that knows it:
//   uploads/<user hash>/<uuid>/<file name>   a user's upload (POST /api/uploads)
//   renders/<job id>/output.mp4              a finished render
//   renders/<job id>/source                  a split render's source, shared by its segments
//   renders/<job id>/segments/<idx>.mp4      one segment of a split render
import { createHash, randomUUID } from 'node:crypto';
import { StorageKeyError } from './storage-driver.js';

const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Uploads of a user live under a prefix derived from the user id (not the id itself: it may be an email). */
export function uploadPrefixFor(userId: string): string {
  return `uploads/${createHash('sha256').update(userId).digest('hex').slice(0, 24)}/`;
}

/** A fresh key for a user's upload; the file name is kept, reduced to safe characters. */
export function newUploadKey(userId: string, filename: string): string {
  const safeName =
    filename
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 120) || 'video';
  return `${uploadPrefixFor(userId)}${randomUUID()}/${safeName}`;
}

/** Deterministic output key of a job: a re-run of the same job overwrites the same object. */
export function outputKeyForJob(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new StorageKeyError(String(jobId), 'job id must match [A-Za-z0-9_-]{1,128}');
  return `renders/${jobId}/output.mp4`;
}

/** A split render's source video, uploaded once for all its segments. */
export function sourceKeyFor(renderId: string): string {
  return `renders/${renderId}/source`;
}

/** Segment `idx` of a split render. */
export function segmentKeyFor(renderId: string, idx: number): string {
  return `renders/${renderId}/segments/${String(idx).padStart(5, '0')}.mp4`;
}

/**
 * Keys shaped like the ones the service writes (renders/<job id>/…, uploads/<user hash>/…), in
 * any bucket: a render is never a source, an upload only its own user's (checked at create).
 */
export function serviceKeyOwner(key: string): { kind: 'render' } | { kind: 'upload'; prefix: string } | null {
  const k = key.replace(/^\/+/, '').replace(/\/{2,}/g, '/');
  if (/^renders\//.test(k)) return { kind: 'render' };
  const up = /^(uploads\/[^/]+\/)/.exec(k);
  return up ? { kind: 'upload', prefix: up[1] } : null;
}
