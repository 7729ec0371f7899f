// Segments of a render split across workers. Every write is conditional or insert-if-absent, so
// duplicate deliveries of a segment or of the coordinating job change nothing.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface SegmentSpec {
  idx: number;
  firstFrame: number;
  frameCount: number;
}

export interface SegmentRow extends SegmentSpec {
  status: 'pending' | 'done';
  outputKey: string | null;
}

@Injectable()
export class SegmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records the plan once; a re-delivered coordinator gets the rows that already exist. */
  async ensurePlan(jobId: string, specs: readonly SegmentSpec[]): Promise<SegmentRow[]> {
    for (const s of specs) {
      await this.dataSource.query(
        `INSERT INTO render_segments (job_id, idx, first_frame, frame_count) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_id, idx) DO NOTHING`,
        [jobId, s.idx, s.firstFrame, s.frameCount],
      );
    }
    return this.list(jobId);
  }

  async list(jobId: string): Promise<SegmentRow[]> {
    const rows: Array<{ idx: number; first_frame: number; frame_count: number; status: 'pending' | 'done'; output_key: string | null }> =
      await this.dataSource.query(
        `SELECT idx, first_frame, frame_count, status, output_key FROM render_segments WHERE job_id = $1 ORDER BY idx`,
        [jobId],
      );
    return rows.map((r) => ({
      idx: r.idx,
      firstFrame: r.first_frame,
      frameCount: r.frame_count,
      status: r.status,
      outputKey: r.output_key,
    }));
  }

  /** pending → done; false when it was done already (a duplicate run). */
  async markDone(jobId: string, idx: number, outputKey: string): Promise<boolean> {
    const res: unknown = await this.dataSource.query(
      `UPDATE render_segments SET status = 'done', output_key = $3, updated_at = now()
        WHERE job_id = $1 AND idx = $2 AND status = 'pending' RETURNING idx`,
      [jobId, idx, outputKey],
    );
    const rows = Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) ? res[0] : res;
    return Array.isArray(rows) && rows.length > 0;
  }

  /** Frames done and frames in all, for the parent's progress. */
  async progress(jobId: string): Promise<{ doneFrames: number; totalFrames: number; pending: number }> {
    const [row]: Array<{ done: string | null; total: string | null; pending: string }> = await this.dataSource.query(
      `SELECT SUM(frame_count) FILTER (WHERE status = 'done') AS done, SUM(frame_count) AS total,
              COUNT(*) FILTER (WHERE status = 'pending') AS pending
         FROM render_segments WHERE job_id = $1`,
      [jobId],
    );
    return { doneFrames: Number(row?.done ?? 0), totalFrames: Number(row?.total ?? 0), pending: Number(row?.pending ?? 0) };
  }
}
