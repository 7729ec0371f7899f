// Retention (issue 12 #5): uploads are deleted UPLOAD_RETENTION_HOURS after they were granted
// (unless a queued or processing job still needs them), outputs OUTPUT_RETENTION_DAYS after the job
// completed; such a job's status then answers `expired` instead of a link to nothing; and
// Idempotency-Keys past their TTL (already ignored by admission) leave the table. Runs on
// workers every RETENTION_SWEEP_INTERVAL_MS, one sweeper at a time in the cluster (advisory lock).
// With STORAGE_DRIVER=s3, bucket lifecycle rules should expire uploads/ and renders/ a little
// later as a backstop (README "Security").
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { IdempotencyService } from '../quota/idempotency.service.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { UploadGrantsRepository } from './upload-grants.repository.js';

export interface SweepResult {
  uploads: number;
  outputs: number;
  /** false when another process held the sweep lock. */
  ran: boolean;
}

@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly grants: UploadGrantsRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((err) => this.logger.warn(`retention sweep failed: ${(err as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.security.retentionSweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(): Promise<SweepResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext('ecg-retention-sweep')) AS locked`)) as Array<{
        locked: boolean;
      }>;
      if (!locked) return { uploads: 0, outputs: 0, ran: false };
      try {
        const uploads = await this.sweepUploads();
        const outputs = await this.sweepOutputs();
        const keys = await this.idempotency.purgeExpired();
        if (uploads || outputs || keys) {
          this.logger.log(`retention: ${uploads} upload(s), ${outputs} output(s) and ${keys} expired idempotency key(s) deleted`);
        }
        return { uploads, outputs, ran: true };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('ecg-retention-sweep'))`);
      }
    } finally {
      await runner.release();
    }
  }

  private async sweepUploads(): Promise<number> {
    let n = 0;
    for (const key of await this.grants.expired(this.config.security.uploadRetentionHours)) {
      await this.storage.delete(key);
      await this.grants.forget(key);
      n++;
    }
    return n;
  }

  private async sweepOutputs(): Promise<number> {
    const rows: Array<{ id: string; output_key: string }> = await this.dataSource.query(
      `SELECT id, output_key FROM render_jobs
        WHERE status = 'completed' AND output_key IS NOT NULL AND output_expired_at IS NULL
          AND completed_at < now() - make_interval(days => $1)
        ORDER BY completed_at LIMIT 500`,
      [this.config.security.outputRetentionDays],
    );
    for (const r of rows) {
      await this.storage.delete(r.output_key);
      await this.dataSource.query(`UPDATE render_jobs SET output_expired_at = now() WHERE id = $1 AND output_expired_at IS NULL`, [r.id]);
    }
    return rows.length;
  }
}
