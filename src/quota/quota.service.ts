import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { UserQuotaOverrideEntity } from '../database/entities/user-quota-override.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import type { NewRenderJob } from '../jobs/jobs.repository.js';
import { QuotaExceededError } from './quota.errors.js';

export interface QuotaLimits {
  daily: number;
  monthly: number;
  concurrent: number;
}

/** The original product's defaults (QUOTA_DAILY / QUOTA_MONTHLY / QUOTA_CONCURRENT, README "Configuration"). */
export const DEFAULT_QUOTA_LIMITS: Readonly<QuotaLimits> = Object.freeze({ daily: 10, monthly: 100, concurrent: 2 });

/** Optional provider token: Partial<QuotaLimits> that replaces DEFAULT_QUOTA_LIMITS app-wide. */
export const QUOTA_DEFAULT_LIMITS = Symbol('QUOTA_DEFAULT_LIMITS');

export interface QuotaUsage {
  /** Counted jobs created since 00:00 UTC today. */
  daily: number;
  /** Counted jobs created since the 1st of this month, 00:00 UTC. */
  monthly: number;
  /** queued + processing right now. */
  concurrent: number;
  dayStart: Date;
  monthStart: Date;
  nextDayStart: Date;
  nextMonthStart: Date;
}

/** 'ECGR' — first key of the per-user admission advisory lock. */
export const ADMISSION_LOCK_NAMESPACE = 0x45434752;

/**
 * Takes the per-user transaction-scoped advisory lock. Every admission of a user's job
 * (quota check + insert, idempotency lookup + insert) runs under it, so they serialise per
 * user while different users proceed in parallel. Released at COMMIT/ROLLBACK.
 */
export async function lockUser(manager: EntityManager, userId: string): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('lockUser needs an active transaction');
  // two-key form: (namespace, hashtext(user_id)) never collides with single-key locks (migrations)
  await manager.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [ADMISSION_LOCK_NAMESPACE, userId]);
}

/**
 * Daily / monthly / concurrent render quotas, exact under concurrency: the counts and the
 * INSERT of the new job happen in ONE transaction that holds pg_advisory_xact_lock for the
 * user, so 50 simultaneous creates with 3 left accept exactly 3.
 *
 * Counting rules:
 * - daily = jobs created since UTC midnight; monthly = since the 1st of the UTC month;
 * - neither counts jobs that failed through our fault (failure_kind = 'server') nor jobs
 *   cancelled before a worker started them (status = 'cancelled' AND started_at IS NULL);
 * - concurrent = jobs queued or processing.
 * Limits: per-user override row (non-null columns) > limits passed to the call > app defaults
 * (QUOTA_DEFAULT_LIMITS provider) > DEFAULT_QUOTA_LIMITS. Checked monthly, daily, concurrent
 * (the first exceeded one is reported).
 */
@Injectable()
export class QuotaService {
  private readonly defaults: QuotaLimits;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobsRepository,
    @Optional() @Inject(QUOTA_DEFAULT_LIMITS) defaults?: Partial<QuotaLimits>,
  ) {
    this.defaults = { ...DEFAULT_QUOTA_LIMITS, ...stripUndefined(defaults ?? {}) };
  }

  private get table(): string {
    const md = this.dataSource.getMetadata(RenderJobEntity);
    return md.schema ? `"${md.schema}"."${md.tableName}"` : `"${md.tableName}"`;
  }

  /** Limits that apply to userId (override row beats `limits`, which beats the defaults). */
  async effectiveLimits(userId: string, limits?: Partial<QuotaLimits>, manager?: EntityManager): Promise<QuotaLimits> {
    const base: QuotaLimits = { ...this.defaults, ...stripUndefined(limits ?? {}) };
    const override = await (manager ?? this.dataSource.manager).getRepository(UserQuotaOverrideEntity).findOneBy({ userId });
    return {
      daily: override?.dailyLimit ?? base.daily,
      monthly: override?.monthlyLimit ?? base.monthly,
      concurrent: override?.concurrentLimit ?? base.concurrent,
    };
  }

  /** Current usage (one indexed query). */
  async usage(userId: string, manager?: EntityManager): Promise<QuotaUsage> {
    const rows: Array<Record<string, unknown>> = await (manager ?? this.dataSource.manager).query(
      `WITH bounds AS (
         SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day_start,
                date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month_start
       )
       SELECT
         count(*) FILTER (WHERE j.status IN ('queued', 'processing'))::int AS concurrent,
         count(*) FILTER (WHERE j.created_at >= b.day_start AND ${COUNTED})::int AS daily,
         count(*) FILTER (WHERE j.created_at >= b.month_start AND ${COUNTED})::int AS monthly,
         min(b.day_start) AS day_start,
         min(b.month_start) AS month_start
       FROM bounds b
       LEFT JOIN ${this.table} j
         ON j.user_id = $1 AND (j.created_at >= b.month_start OR j.status IN ('queued', 'processing'))`,
      [userId],
    );
    const r = rows[0] ?? {};
    const dayStart = new Date(r.day_start as string | Date);
    const monthStart = new Date(r.month_start as string | Date);
    return {
      daily: Number(r.daily ?? 0),
      monthly: Number(r.monthly ?? 0),
      concurrent: Number(r.concurrent ?? 0),
      dayStart,
      monthStart,
      nextDayStart: new Date(dayStart.getTime() + 86_400_000),
      nextMonthStart: new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1)),
    };
  }

  /**
   * Within a transaction that already holds (or will take here) the user's lock: throws
   * QuotaExceededError if one more job would exceed a limit.
   */
  async assertWithinQuota(manager: EntityManager, userId: string, limits?: Partial<QuotaLimits>): Promise<void> {
    await lockUser(manager, userId);
    const eff = await this.effectiveLimits(userId, limits, manager);
    const used = await this.usage(userId, manager);
    if (used.monthly >= eff.monthly) throw new QuotaExceededError('monthly', eff.monthly, used.monthly, used.nextMonthStart);
    if (used.daily >= eff.daily) throw new QuotaExceededError('daily', eff.daily, used.daily, used.nextDayStart);
    if (used.concurrent >= eff.concurrent) throw new QuotaExceededError('concurrent', eff.concurrent, used.concurrent);
  }

  /** Check + insert inside the caller's transaction (used by IdempotencyService / JobAdmission). */
  async reserveInTransaction(
    manager: EntityManager,
    userId: string,
    limits: Partial<QuotaLimits> | undefined,
    job: Omit<NewRenderJob, 'userId'>,
  ): Promise<RenderJobEntity> {
    await this.assertWithinQuota(manager, userId, limits);
    return this.jobs.create({ ...job, userId }, manager);
  }

  /**
   * Atomically: lock the user, count, check, INSERT the queued job, COMMIT.
   * Throws QuotaExceededError (code RENDER_QUOTA_{DAILY,MONTHLY,CONCURRENT}_EXCEEDED).
   */
  async reserve(userId: string, limits: Partial<QuotaLimits> | undefined, job: Omit<NewRenderJob, 'userId'>): Promise<RenderJobEntity> {
    return this.dataSource.transaction((manager) => this.reserveInTransaction(manager, userId, limits, job));
  }

  /** Upserts a per-user override (null = fall back to the default for that limit). */
  async setOverride(userId: string, o: { daily?: number | null; monthly?: number | null; concurrent?: number | null }): Promise<void> {
    await this.dataSource.getRepository(UserQuotaOverrideEntity).upsert(
      {
        userId,
        dailyLimit: o.daily ?? null,
        monthlyLimit: o.monthly ?? null,
        concurrentLimit: o.concurrent ?? null,
        updatedAt: new Date(),
      },
      ['userId'],
    );
  }
}

/** A job counts toward daily/monthly unless it failed server-side or was cancelled before starting. */
const COUNTED = `j.failure_kind IS DISTINCT FROM 'server' AND NOT (j.status = 'cancelled' AND j.started_at IS NULL)`;

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}
