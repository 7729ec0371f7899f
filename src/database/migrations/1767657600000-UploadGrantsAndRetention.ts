import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 #5: every upload target granted (per-user byte quota, and the retention sweep deletes
 * uploads by it), and when a completed job's output was deleted by retention (status `expired`).
 */
export class UploadGrantsAndRetention1767657600000 implements MigrationInterface {
  name = 'UploadGrantsAndRetention1767657600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upload_grants (
        key         text PRIMARY KEY,
        user_id     text NOT NULL,
        size        bigint NOT NULL CHECK (size > 0),
        created_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
    await q.query(`CREATE INDEX idx_upload_grants_user_created ON upload_grants (user_id, created_at)`);
    await q.query(`CREATE INDEX idx_upload_grants_created ON upload_grants (created_at)`);
    await q.query(`ALTER TABLE render_jobs ADD COLUMN output_expired_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE render_jobs DROP COLUMN output_expired_at`);
    await q.query(`DROP TABLE upload_grants`);
  }
}
