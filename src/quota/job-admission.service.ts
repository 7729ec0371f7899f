import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service.js';
import type { AdmissionResult } from './idempotency.service.js';
import { QuotaService } from './quota.service.js';
import type { QuotaLimits } from './quota.service.js';
import { hashRequest } from './request-hash.js';
import { estimateRenderSeconds } from '../scenario/render-time-estimate.js';

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
