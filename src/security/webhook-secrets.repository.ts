// Per-user webhook secrets (issue 12 item 2). A user's callbacks are signed with their own secret
// when they have one (else with WEBHOOK_SECRET), so one receiver cannot verify — or forge — another
// tenant's callbacks. The secret is shown once, when it is created or rotated.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WEBHOOK_SECRET_PREFIX } from '../callbacks/webhook-signature.js';

export interface IssuedWebhookSecret {
  secret: string;
  createdAt: Date;
}

@Injectable()
export class WebhookSecretsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates or replaces (rotates) the user's secret; the old one stops signing at once. */
  async rotate(userId: string): Promise<IssuedWebhookSecret> {
    const secret = `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
    const rows: Array<{ created_at: Date }> = await this.dataSource.query(
      `INSERT INTO user_webhook_secrets (user_id, secret, created_at) VALUES ($1, $2, now())
       ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = EXCLUDED.created_at
       RETURNING created_at`,
      [userId, secret],
    );
    return { secret, createdAt: rows[0].created_at };
  }

  /** When the user's secret was made (never the secret itself). */
  async describe(userId: string): Promise<{ createdAt: Date } | null> {
    const rows: Array<{ created_at: Date }> = await this.dataSource.query(
      `SELECT created_at FROM user_webhook_secrets WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? { createdAt: rows[0].created_at } : null;
  }

  async remove(userId: string): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown, number]>(`DELETE FROM user_webhook_secrets WHERE user_id = $1`, [userId]);
    return count > 0;
  }

  async secretFor(userId: string): Promise<string | undefined> {
    const rows: Array<{ secret: string }> = await this.dataSource.query(`SELECT secret FROM user_webhook_secrets WHERE user_id = $1`, [
      userId,
    ]);
    return rows[0]?.secret;
  }

  /** The secret of the user who owns a render job (the callback worker knows the job id only). */
  async secretForJob(jobId: string): Promise<string | undefined> {
    const rows: Array<{ secret: string }> = await this.dataSource.query(
      `SELECT s.secret FROM render_jobs j JOIN user_webhook_secrets s ON s.user_id = j.user_id WHERE j.id = $1`,
      [jobId],
    );
    return rows[0]?.secret;
  }
}
