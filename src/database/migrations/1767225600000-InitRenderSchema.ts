import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written initial schema. Names are unqualified on purpose: they land in the first schema
 * of the connection's search_path (see data-source.ts), so per-test schemas work unchanged.
 */
export class InitRenderSchema1767225600000 implements MigrationInterface {
  name = 'InitRenderSchema1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TYPE render_job_status AS ENUM ('queued', 'processing', 'completed', 'failed', 'cancelled')
    `);
    await q.query(`
      CREATE TABLE render_jobs (
        id                uuid PRIMARY KEY,
        user_id           text NOT NULL,
        status            render_job_status NOT NULL DEFAULT 'queued',
        progress          real NOT NULL DEFAULT 0,
        phase             text NULL,
        video_url         text NOT NULL,
        video_name        text NOT NULL,
        scenario          jsonb NOT NULL,
        options           jsonb NOT NULL DEFAULT '{}'::jsonb,
        callback_url      text NULL,
        output_key        text NULL,
        file_size         bigint NULL,
        duration_sec      real NULL,
        error_code        text NULL,
        error_message     text NULL,
        failure_kind      text NULL,
        attempts          integer NOT NULL DEFAULT 0,
        lease_until       timestamptz NULL,
        worker_id         text NULL,
        estimated_seconds real NOT NULL DEFAULT 0,
        request_hash      text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        started_at        timestamptz NULL,
        completed_at      timestamptz NULL,
        updated_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chk_render_jobs_progress CHECK (progress >= 0 AND progress <= 100),
        CONSTRAINT chk_render_jobs_phase
          CHECK (phase IS NULL OR phase IN ('downloading', 'rendering', 'encoding', 'uploading')),
        CONSTRAINT chk_render_jobs_failure_kind
          CHECK (failure_kind IS NULL OR failure_kind IN ('server', 'input')),
        CONSTRAINT chk_render_jobs_file_size CHECK (file_size IS NULL OR file_size >= 0),
        CONSTRAINT chk_render_jobs_attempts CHECK (attempts >= 0)
      )
    `);
    // history and quota counts: WHERE user_id = $1 [AND created_at >= $2] ORDER BY created_at DESC
    await q.query(`CREATE INDEX idx_render_jobs_user_created ON render_jobs (user_id, created_at)`);
    await q.query(`CREATE INDEX idx_render_jobs_status ON render_jobs (status)`);
    // concurrent-quota count and the reconciler only ever look at live jobs: keep that index tiny
    await q.query(`
      CREATE INDEX idx_render_jobs_live ON render_jobs (user_id, status, lease_until)
        WHERE status IN ('queued', 'processing')
    `);

    await q.query(`
      CREATE TABLE user_quota_overrides (
        user_id          text PRIMARY KEY,
        daily_limit      integer NULL CHECK (daily_limit IS NULL OR daily_limit >= 0),
        monthly_limit    integer NULL CHECK (monthly_limit IS NULL OR monthly_limit >= 0),
        concurrent_limit integer NULL CHECK (concurrent_limit IS NULL OR concurrent_limit >= 0),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )
    `);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id      text NOT NULL,
        key          text NOT NULL,
        request_hash text NOT NULL,
        job_id       uuid NOT NULL REFERENCES render_jobs (id) ON DELETE CASCADE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (user_id, key)
      )
    `);
    await q.query(`CREATE INDEX idx_idempotency_keys_job ON idempotency_keys (job_id)`);
    await q.query(`CREATE INDEX idx_idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
    await q.query(`DROP TABLE IF EXISTS user_quota_overrides`);
    await q.query(`DROP TABLE IF EXISTS render_jobs`);
    await q.query(`DROP TYPE IF EXISTS render_job_status`);
  }
}
