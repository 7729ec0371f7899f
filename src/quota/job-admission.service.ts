import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';
import type { AdmissionResult } from './idempotency.service.js';
import { QuotaService } from './quota.service.js';
import type { QuotaLimits } from './quota.service.js';
import { hashRequest } from './request-hash.js';

/** POST /api/render/create body, already validated by the HTTP layer. */
export interface CreateRenderBody {
  videoUrl: string;
  scenario: unknown;
  options?: Record<string, unknown>;
  callbackUrl?: string | null;
}

export interface AdmitInput {
  userId: string;
  /** `Idempotency-Key` header, if any. */
  idempotencyKey?: string;
  body: CreateRenderBody;
  /** Configured limits; per-user overrides in user_quota_overrides still win. */
  limits?: Partial<QuotaLimits>;
  /** estimatedTime to store/answer; default estimateRenderSeconds(body). */
  estimatedSeconds?: number;
}

/**
 * The one call POST /api/render/create makes: idempotency lookup, quota check and INSERT in a
 * single transaction under the user's advisory lock.
 *  → `{job, created}`; enqueue to Bull only when `created` (a replay must not enqueue twice —
 *    though Bull jobId = job.id makes that harmless anyway).
 * Throws QuotaExceededError (403/403/429), IdempotencyConflictError (422),
 * InvalidIdempotencyKeyError (400).
 */
@Injectable()
export class JobAdmission {
  constructor(
    private readonly quota: QuotaService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async admit(input: AdmitInput): Promise<AdmissionResult> {
    const { userId, body } = input;
    const requestHash = hashRequest(body);
    return this.idempotency.createJobIdempotent(userId, input.idempotencyKey, requestHash, (manager) =>
      this.quota.reserveInTransaction(manager, userId, input.limits, {
        id: randomUUID(),
        videoUrl: body.videoUrl,
        videoName: videoNameFromUrl(body.videoUrl),
        scenario: body.scenario,
        options: body.options ?? {},
        callbackUrl: body.callbackUrl ?? null,
        estimatedSeconds: input.estimatedSeconds ?? estimateRenderSeconds(body),
        requestHash,
      }),
    );
  }
}

/** Last path segment of the URL, decoded (`https://x/a/My%20clip.mp4?sig=…` → `My clip.mp4`). */
export function videoNameFromUrl(videoUrl: string): string {
  try {
    const u = new URL(videoUrl);
    const last = u.pathname.split('/').filter(Boolean).pop() ?? '';
    let name = last;
    try {
      name = decodeURIComponent(last);
    } catch {
      /* keep raw */
    }
    return name.slice(0, 255) || u.hostname || 'video';
  } catch {
    return 'video';
  }
}

/**
 * Rough render-time guess before the source is probed: the scenario's last cue end stands in
 * for the video duration (1.5 s of work per second of video at 1080p on 2 cores, plus 15 s of
 * start-up); 60 s when nothing is known. Workers refine progress/remaining time later.
 */
export function estimateRenderSeconds(body: CreateRenderBody): number {
  const end = lastTimeIn(body.scenario, 0);
  if (!(end > 0)) return 60;
  const fps = Number((body.options as { fps?: unknown } | undefined)?.fps) || 30;
  return Math.round(15 + end * 1.5 * Math.max(0.5, fps / 30));
}

function lastTimeIn(node: unknown, depth: number): number {
  if (depth > 12 || node === null || typeof node !== 'object') return 0;
  let max = 0;
  if (Array.isArray(node)) {
    for (const v of node) max = Math.max(max, lastTimeIn(v, depth + 1));
    return max;
  }
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'end' || k === 'absEnd' || k === 'hintTime' || k === 'duration') && typeof v === 'number' && Number.isFinite(v)) {
      max = Math.max(max, v);
    } else if ((k === 'time' || k === 'displayTime' || k === 'domLifetime') && Array.isArray(v)) {
      for (const t of v) if (typeof t === 'number' && Number.isFinite(t)) max = Math.max(max, t);
    } else {
      max = Math.max(max, lastTimeIn(v, depth + 1));
    }
  }
  return Math.min(max, 6 * 3600);
}
