import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { RenderJobEntity } from '../database/entities/render-job.entity.js';
import type { FailureKind, RenderJobPhase, RenderJobStatus } from '../database/entities/render-job.entity.js';

export interface NewRenderJob {
  /** Generated (UUID v4) when omitted. */
  id?: string;
  userId: string;
  videoUrl: string;
  videoName: string;
  scenario: unknown;
  options?: Record<string, unknown>;
  callbackUrl?: string | null;
  estimatedSeconds?: number;
  requestHash: string;
}

export interface CompletionInfo {
  outputKey: string;
  fileSize: number;
  durationSec: number;
}

export interface FailureInfo {
  code: string;
  message: string;
  /** 'server' failures don't count against daily/monthly quota. */
  kind: FailureKind;
}

export interface StaleJobsQuery {
  /** queued jobs created more than this many seconds ago (default 300). */
  queuedOlderThanSec?: number;
  /** max rows (default 100). */
  limit?: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID_RE.test(s);

const MAX_ERROR_MESSAGE = 2000;

/**
 * Data access for render_jobs. Every state change is ONE conditional
 * `UPDATE … WHERE id = $1 AND status IN (…) RETURNING id`, so concurrent workers, the API's
 * cancel and the reconciler can race freely: exactly the legal transition applies, terminal
 * states never change, a late completion cannot overwrite `cancelled`. Each transition
 * resolves to `true` when it applied.
 *
 * Constructible without Nest: `new JobsRepository(dataSource)`.
 */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get repository(): Repository<RenderJobEntity> {
    return this.dataSource.getRepository(RenderJobEntity);
  }

  /** Schema-qualified, quoted table name (follows the DataSource's `schema`). */
  private get table(): string {
    const md = this.dataSource.getMetadata(RenderJobEntity);
    return md.schema ? `"${md.schema}"."${md.tableName}"` : `"${md.tableName}"`;
  }

  /** Inserts a queued job. Pass `manager` to insert inside a caller's transaction. */
  async create(input: NewRenderJob, manager?: EntityManager): Promise<RenderJobEntity> {
    const repo = (manager ?? this.dataSource.manager).getRepository(RenderJobEntity);
    const id = input.id ?? randomUUID();
    await repo.insert({
      id,
      userId: input.userId,
      status: 'queued',
      progress: 0,
      videoUrl: input.videoUrl,
      videoName: input.videoName,
      scenario: input.scenario as object,
      options: (input.options ?? {}) as object,
      callbackUrl: input.callbackUrl ?? null,
      estimatedSeconds: input.estimatedSeconds ?? 0,
      requestHash: input.requestHash,
      attempts: 0,
    });
    const row = await repo.findOneBy({ id });
    if (!row) throw new Error(`render job ${id} vanished right after insert`);
    return row;
  }

  async findById(id: string, manager?: EntityManager): Promise<RenderJobEntity | null> {
    if (!isUuid(id)) return null;
    return (manager ?? this.dataSource.manager).getRepository(RenderJobEntity).findOneBy({ id });
  }

  /** The job if it exists AND belongs to userId; otherwise null (the HTTP layer answers 404). */
  async findForUser(jobId: string, userId: string): Promise<RenderJobEntity | null> {
    if (!isUuid(jobId)) return null;
    return this.repository.findOneBy({ id: jobId, userId });
  }

  /** Newest first; limit clamped to 1..100 (default 10). */
  async history(userId: string, limit = 10): Promise<RenderJobEntity[]> {
    const take = Math.min(100, Math.max(1, Math.floor(Number.isFinite(limit) ? limit : 10)));
    return this.repository.find({
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take,
    });
  }

  private async applied(sql: string, params: unknown[]): Promise<boolean> {
    // pg driver: UPDATE … RETURNING answers [rows, rowCount]
    const res: unknown = await this.dataSource.query(sql, params);
    if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0])) return res[0].length > 0;
    return Array.isArray(res) && res.length > 0;
  }

  /**
   * queued → processing, or re-acquire a `processing` job whose lease has expired (the worker
   * that held it died or lost it: at-least-once delivery). Sets worker_id, lease_until,
   * started_at (first time only), attempts += 1, progress/phase reset.
   */
  async markProcessing(id: string, workerId: string, leaseSeconds: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET status = 'processing',
              worker_id = $2,
              lease_until = now() + make_interval(secs => $3::double precision),
              started_at = COALESCE(started_at, now()),
              attempts = attempts + 1,
              progress = 0,
              phase = NULL,
              updated_at = now()
        WHERE id = $1
          AND (status = 'queued' OR (status = 'processing' AND (lease_until IS NULL OR lease_until < now())))
        RETURNING id`,
      [id, workerId, leaseSeconds],
    );
  }

  /** Extends the lease of a processing job still held by workerId. */
  async renewLease(id: string, workerId: string, leaseSeconds: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET lease_until = now() + make_interval(secs => $3::double precision), updated_at = now()
        WHERE id = $1 AND status = 'processing' AND worker_id = $2
        RETURNING id`,
      [id, workerId, leaseSeconds],
    );
  }

  /**
   * Keeps a split render's lease alive while its segments run on other workers (whoever holds
   * the lease: segment workers and the join do not hold it themselves).
   */
  async touchLease(id: string, leaseSeconds: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET lease_until = GREATEST(COALESCE(lease_until, now()), now() + make_interval(secs => $2::double precision)),
              updated_at = now()
        WHERE id = $1 AND status = 'processing'
        RETURNING id`,
      [id, leaseSeconds],
    );
  }

  /**
   * Gives a processing job back after a retryable failure: the lease ends now, so the next
   * delivery (Bull's retry, on any worker) can re-acquire it with markProcessing.
   */
  async releaseLease(id: string, workerId: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET lease_until = now() - interval '1 second', updated_at = now()
        WHERE id = $1 AND status = 'processing' AND worker_id = $2
        RETURNING id`,
      [id, workerId],
    );
  }

  /**
   * Progress (clamped to 0..100) and optionally phase, only while processing. When workerId is
   * given, only the worker currently holding the job may report (a stale duplicate can't).
   */
  async updateProgress(id: string, progress: number, phase?: RenderJobPhase | null, workerId?: string): Promise<boolean> {
    if (!isUuid(id) || !Number.isFinite(progress)) return false;
    const p = Math.min(100, Math.max(0, progress));
    return this.applied(
      `UPDATE ${this.table}
          SET progress = $2::real, phase = COALESCE($3::text, phase), updated_at = now()
        WHERE id = $1 AND status = 'processing' AND ($4::text IS NULL OR worker_id = $4::text)
        RETURNING id`,
      [id, p, phase ?? null, workerId ?? null],
    );
  }

  /** processing → completed only (never from cancelled/failed/queued). */
  async markCompleted(id: string, info: CompletionInfo): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET status = 'completed', progress = 100, phase = NULL,
              output_key = $2, file_size = $3::bigint, duration_sec = $4::real,
              error_code = NULL, error_message = NULL, failure_kind = NULL,
              lease_until = NULL, completed_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'processing'
        RETURNING id`,
      [id, info.outputKey, Math.round(info.fileSize), info.durationSec],
    );
  }

  /**
   * The job's warnings (FONT_FALLBACK=warn: missing fonts, tofu), replaced as a whole: the API
   * sets them at create, the worker again when it resolves the fonts. Not once the job ended.
   */
  async setWarnings(id: string, warnings: readonly string[]): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table} SET warnings = $2::jsonb, updated_at = now()
        WHERE id = $1 AND status IN ('queued', 'processing')
        RETURNING id`,
      [id, JSON.stringify(warnings.map((w) => String(w).slice(0, 2000)).slice(0, 100))],
    );
  }

  /** queued|processing → failed. */
  async markFailed(id: string, info: FailureInfo): Promise<boolean> {
    if (!isUuid(id)) return false;
    const kind: FailureKind = info.kind === 'input' ? 'input' : 'server';
    return this.applied(
      `UPDATE ${this.table}
          SET status = 'failed', phase = NULL,
              error_code = $2, error_message = $3, failure_kind = $4,
              lease_until = NULL, completed_at = now(), updated_at = now()
        WHERE id = $1 AND status IN ('queued', 'processing')
        RETURNING id`,
      [id, info.code, String(info.message ?? '').slice(0, MAX_ERROR_MESSAGE), kind],
    );
  }

  /** queued|processing → cancelled. A worker still running notices via status and stops. */
  async markCancelled(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.applied(
      `UPDATE ${this.table}
          SET status = 'cancelled', phase = NULL, lease_until = NULL,
              completed_at = now(), updated_at = now()
        WHERE id = $1 AND status IN ('queued', 'processing')
        RETURNING id`,
      [id],
    );
  }

  /** Current status, or null if the job doesn't exist (cheap check for workers: "was I cancelled?"). */
  async getStatus(id: string): Promise<RenderJobStatus | null> {
    if (!isUuid(id)) return null;
    const rows: Array<{ status: RenderJobStatus }> = await this.dataSource.query(`SELECT status FROM ${this.table} WHERE id = $1`, [id]);
    return rows[0]?.status ?? null;
  }

  /**
   * Jobs the reconciler should look at: queued for longer than `queuedOlderThanSec` (the Bull
   * job may be lost → re-enqueue, same jobId) and processing with an expired lease (worker
   * died → re-enqueue; markProcessing will re-acquire). Oldest first.
   */
  async findStaleForReconcile(q: StaleJobsQuery = {}): Promise<RenderJobEntity[]> {
    const olderThan = Math.max(0, q.queuedOlderThanSec ?? 300);
    const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
    return this.repository
      .createQueryBuilder('j')
      .where(
        `(j.status = 'queued' AND j.created_at < now() - make_interval(secs => :olderThan))
         OR (j.status = 'processing' AND (j.lease_until IS NULL OR j.lease_until < now()))`,
        { olderThan },
      )
      .orderBy('j.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }
}
