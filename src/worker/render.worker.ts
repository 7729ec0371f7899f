// The worker side of the `render` queue: takes jobs with the configured concurrency, runs them,
// and on shutdown stops taking jobs, lets running ones finish within the grace period, then
// gives the rest back (their lease is released and Bull retries them elsewhere).
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { withJobContext } from '../ops/json-logger.js';
import { RenderMetrics } from '../ops/metrics.js';
import { RENDER_JOB, RENDER_QUEUE } from '../queue/queue.constants.js';
import { RenderJobRunner, type LiveProgress, type RunOutcome } from './render-job.runner.js';

export interface RenderJobData {
  renderId: string;
}

/** How long a shutting-down worker lets its renders run before giving them back. */
export const SHUTDOWN_GRACE_MS = Number(process.env.WORKER_SHUTDOWN_GRACE_MS ?? 20_000);

@Injectable()
export class RenderWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RenderWorker.name);
  private running = 0;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(RENDER_QUEUE) private readonly queue: Queue<RenderJobData>,
    private readonly runner: RenderJobRunner,
    private readonly metrics: RenderMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.queue.process(RENDER_JOB, this.config.worker.concurrency, (job) => this.handle(job));
    this.logger.log(`taking render jobs (concurrency ${this.config.worker.concurrency}, worker ${this.runner.workerId})`);
  }

  async handle(job: Job<RenderJobData>): Promise<RunOutcome> {
    this.running++;
    const started = Date.now();
    let last: LiveProgress | undefined;
    let outcome: RunOutcome | 'failed' = 'failed';
    try {
      const attempts = job.opts.attempts ?? 1;
      outcome = await withJobContext(job.data.renderId, () =>
        this.runner.run(job.data.renderId, {
          lastAttempt: job.attemptsMade + 1 >= attempts,
          report: (p) => {
            last = p;
            return job.progress(p).catch(() => undefined);
          },
        }),
      );
      return outcome;
    } finally {
      this.running--;
      if (outcome !== 'skipped') {
        this.metrics.observeRender({
          durationSec: (Date.now() - started) / 1000,
          fps: last?.fps,
          frames: last?.framesDone,
          encoder: last?.encoder,
          outcome,
        });
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Local pause: this worker takes no new job; other workers carry on.
    const paused = this.queue.pause(true, false).catch(() => undefined);
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (this.running > 0) {
      this.logger.warn(`shutting down: giving ${this.running} render(s) back to the queue`);
      this.runner.releaseAll('the worker is shutting down');
      const hard = Date.now() + 5_000;
      while (this.running > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 100));
    }
    await paused;
  }
}
