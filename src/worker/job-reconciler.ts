// PostgreSQL is the record, Redis the delivery: on start and every half minute, a queued job
// with no live Bull job (Redis lost it, or the API crashed between insert and enqueue) is
// enqueued again, and a processing job whose lease expired (its worker died) is re-delivered.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { RenderQueueProducer } from '../queue/render-queue.producer.js';

/** Default period (RECONCILE_INTERVAL_MS in the environment overrides it). */
export const RECONCILE_INTERVAL_MS = 30_000;
/** A queued job younger than this is left alone: its enqueue may still be in flight. */
export const QUEUED_GRACE_SECONDS = 30;

@Injectable()
export class JobReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobReconciler.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly jobs: JobsRepository,
    private readonly producer: RenderQueueProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.worker.reconcileIntervalMs ?? RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async reconcile(queuedOlderThanSec = QUEUED_GRACE_SECONDS): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let enqueued = 0;
    try {
      for (const job of await this.jobs.findStaleForReconcile({ queuedOlderThanSec })) {
        if ((await this.producer.ensureEnqueued(job.id)) === 'enqueued') {
          enqueued++;
          this.logger.warn(`re-enqueued ${job.status} job ${job.id}`);
        }
      }
    } catch (err) {
      this.logger.warn(`reconciliation skipped: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
    return enqueued;
  }
}
