import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-user Standard Webhooks secrets (issue 12 item 2): one row per user, replaced on rotation. */
export class UserWebhookSecrets1767484800000 implements MigrationInterface {
  name = 'UserWebhookSecrets1767484800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_webhook_secrets (
        user_id     text PRIMARY KEY,
        secret      text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_webhook_secrets`);
  }
}
