import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity.js';
import { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { IdempotencyConflictError, InvalidIdempotencyKeyError } from './quota.errors.js';
import { lockUser } from './quota.service.js';

/** Optional provider token: seconds an Idempotency-Key stays bound to its job (default 24 h). */
export const IDEMPOTENCY_TTL_SECONDS = Symbol('IDEMPOTENCY_TTL_SECONDS');
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

const KEY_RE = /^[\x21-\x7e]{1,255}$/; // printable ASCII, no spaces, 1..255 chars

export interface AdmissionResult {
  job: RenderJobEntity;
  /** false when an earlier request with the same Idempotency-Key already created it. */
  created: boolean;
}

export function validateIdempotencyKey(key: string): string {
  if (!KEY_RE.test(key)) throw new InvalidIdempotencyKeyError('1–255 printable ASCII characters, no spaces');
  return key;
}

const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: string; driverError?: { code?: string } })?.code === '23505' ||
  (err as { driverError?: { code?: string } })?.driverError?.code === '23505';

/**
 * Idempotency-Key handling (Stripe-style) for job creation.
 * - same user + key + same request hash → the existing job, `created: false` (also for
 *   concurrent duplicates: the per-user advisory lock serialises them and the
 *   (user_id, key) primary key is the backstop);
 * - same key + different hash → IdempotencyConflictError (HTTP 422);
 * - a key older than the TTL is forgotten and may be reused.
 * If createFn throws (e.g. quota exceeded), nothing is recorded: a retry is evaluated afresh.
 */
@Injectable()
export class IdempotencyService {
  private readonly ttlSeconds: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(IDEMPOTENCY_TTL_SECONDS) ttlSeconds?: number,
  ) {
    this.ttlSeconds = ttlSeconds && ttlSeconds > 0 ? ttlSeconds : DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  }

  async createJobIdempotent(
    userId: string,
    idempotencyKey: string | undefined,
    requestHash: string,
    createFn: (manager: EntityManager) => Promise<RenderJobEntity>,
  ): Promise<AdmissionResult> {
    const key = idempotencyKey === undefined || idempotencyKey === '' ? undefined : validateIdempotencyKey(idempotencyKey);
    try {
      return await this.attempt(userId, key, requestHash, createFn);
    } catch (err) {
      // Only reachable if someone inserted the key without the lock: the row exists now.
      if (key && isUniqueViolation(err)) return this.attempt(userId, key, requestHash, createFn);
      throw err;
    }
  }

  private attempt(
    userId: string,
    key: string | undefined,
    requestHash: string,
    createFn: (manager: EntityManager) => Promise<RenderJobEntity>,
  ): Promise<AdmissionResult> {
    return this.dataSource.transaction(async (manager) => {
      await lockUser(manager, userId);
      const keys = manager.getRepository(IdempotencyKeyEntity);
      if (key) {
        const existing = await keys.findOneBy({ userId, key });
        if (existing) {
          const ageSec = (Date.now() - existing.createdAt.getTime()) / 1000;
          const job = await manager.getRepository(RenderJobEntity).findOneBy({ id: existing.jobId, userId });
          if (ageSec <= this.ttlSeconds && job) {
            if (existing.requestHash !== requestHash) throw new IdempotencyConflictError(key, existing.jobId);
            return { job, created: false };
          }
          await keys.delete({ userId, key }); // expired (or its job is gone): the key is free again
        }
      }
      const job = await createFn(manager);
      if (key) await keys.insert({ userId, key, requestHash, jobId: job.id });
      return { job, created: true };
    });
  }

  /** Deletes keys older than the TTL; returns how many. Run by the retention sweep (src/security/retention-sweeper.ts). */
  async purgeExpired(): Promise<number> {
    const res = await this.dataSource
      .getRepository(IdempotencyKeyEntity)
      .createQueryBuilder()
      .delete()
      .where('created_at < now() - make_interval(secs => :ttl)', { ttl: this.ttlSeconds })
      .execute();
    return res.affected ?? 0;
  }
}
