export type QuotaScope = 'daily' | 'monthly' | 'concurrent';

export const QUOTA_ERROR_CODES = {
  daily: 'RENDER_QUOTA_DAILY_EXCEEDED',
  monthly: 'RENDER_QUOTA_MONTHLY_EXCEEDED',
  concurrent: 'RENDER_QUOTA_CONCURRENT_EXCEEDED',
} as const;
export type QuotaErrorCode = (typeof QUOTA_ERROR_CODES)[QuotaScope];

/** HTTP status the API answers for each code (403 / 403 / 429). */
export const QUOTA_HTTP_STATUS: Record<QuotaErrorCode, number> = {
  RENDER_QUOTA_DAILY_EXCEEDED: 403,
  RENDER_QUOTA_MONTHLY_EXCEEDED: 403,
  RENDER_QUOTA_CONCURRENT_EXCEEDED: 429,
};

export class QuotaExceededError extends Error {
  readonly code: QuotaErrorCode;
  readonly httpStatus: number;
  constructor(
    readonly scope: QuotaScope,
    readonly limit: number,
    readonly used: number,
    /** daily/monthly: when the window resets (next UTC midnight / first of next UTC month). */
    readonly resetsAt?: Date,
  ) {
    const what = scope === 'concurrent' ? 'running/queued renders' : `renders ${scope === 'daily' ? 'today' : 'this month'}`;
    super(`${scope} render quota exceeded: ${used} ${what}, limit ${limit}`);
    this.name = 'QuotaExceededError';
    this.code = QUOTA_ERROR_CODES[scope];
    this.httpStatus = QUOTA_HTTP_STATUS[this.code];
  }

  /** For `{"detail": {..., "details"}}`. */
  get details(): Record<string, unknown> {
    return { scope: this.scope, limit: this.limit, used: this.used, ...(this.resetsAt ? { resetsAt: this.resetsAt.toISOString() } : {}) };
  }
}

/** Same Idempotency-Key reused with a different request body → HTTP 422. */
export class IdempotencyConflictError extends Error {
  readonly code = 'RENDER_IDEMPOTENCY_CONFLICT';
  readonly httpStatus = 422;
  constructor(
    readonly idempotencyKey: string,
    readonly existingJobId: string,
  ) {
    super('Idempotency-Key was already used with a different request body');
    this.name = 'IdempotencyConflictError';
  }
}

/** Malformed Idempotency-Key header → HTTP 400 RENDER_VALIDATION_FAILED. */
export class InvalidIdempotencyKeyError extends Error {
  readonly code = 'RENDER_VALIDATION_FAILED';
  readonly httpStatus = 400;
  constructor(reason: string) {
    super(`invalid Idempotency-Key: ${reason}`);
    this.name = 'InvalidIdempotencyKeyError';
  }
}
