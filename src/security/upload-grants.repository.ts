// Upload targets granted (issue 12 #5): the per-user byte quota counts the sizes granted within
// UPLOAD_RETENTION_HOURS (what the user may hold at once: older uploads are deleted by the
// retention sweep), and the sweep finds the uploads to delete here.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export class UploadQuotaExceededError extends Error {
  constructor(
    readonly usedBytes: number,
    readonly requestedBytes: number,
    readonly limitBytes: number,
  ) {
    super(`upload quota exceeded: ${usedBytes} bytes granted in the retention window + ${requestedBytes} requested > ${limitBytes}`);
  }
}

@Injectable()
export class UploadGrantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records a grant if the user's window stays within `limitBytes` (serialised per user). */
  async grant(userId: string, key: string, size: number, o: { limitBytes: number; windowHours: number }): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('ecg-upload-quota'), hashtext($1))`, [userId]);
      const [{ used }] = await m.query<Array<{ used: string }>>(
        `SELECT COALESCE(SUM(size), 0)::bigint AS used FROM upload_grants WHERE user_id = $1 AND created_at > now() - make_interval(hours => $2)`,
        [userId, o.windowHours],
      );
      if (Number(used) + size > o.limitBytes) throw new UploadQuotaExceededError(Number(used), size, o.limitBytes);
      await m.query(`INSERT INTO upload_grants (key, user_id, size) VALUES ($1, $2, $3)`, [key, userId, size]);
    });
  }

  /** Grants older than the window whose upload no queued or processing job still needs. */
  async expired(windowHours: number, limit = 500): Promise<string[]> {
    const rows: Array<{ key: string }> = await this.dataSource.query(
      `SELECT g.key FROM upload_grants g
        WHERE g.created_at < now() - make_interval(hours => $1)
          AND NOT EXISTS (SELECT 1 FROM render_jobs j WHERE j.video_url = 'storage://' || g.key AND j.status IN ('queued', 'processing'))
        ORDER BY g.created_at LIMIT $2`,
      [windowHours, limit],
    );
    return rows.map((r) => r.key);
  }

  async forget(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM upload_grants WHERE key = $1`, [key]);
  }
}
