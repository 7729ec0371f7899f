import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a job renders other than as written (issue 11): with FONT_FALLBACK=warn, font families
 * that could not be loaded and characters no face covers. Status, history, SSE and callbacks carry it.
 */
export class JobWarnings1767571200000 implements MigrationInterface {
  name = 'JobWarnings1767571200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE render_jobs ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE render_jobs DROP COLUMN warnings`);
  }
}
