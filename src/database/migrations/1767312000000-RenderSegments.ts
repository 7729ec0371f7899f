import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Segments of a render split across workers (see src/worker/segmented-render.ts). */
export class RenderSegments1767312000000 implements MigrationInterface {
  name = 'RenderSegments1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE render_segments (
        job_id       uuid NOT NULL REFERENCES render_jobs(id) ON DELETE CASCADE,
        idx          integer NOT NULL CHECK (idx >= 0),
        first_frame  integer NOT NULL CHECK (first_frame >= 0),
        frame_count  integer NOT NULL CHECK (frame_count > 0),
        status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        output_key   text NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, idx)
      )
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE render_segments`);
  }
}
