// The worker side of the `render` queue: takes jobs with the configured concurrency, runs them,
// and on shutdown stops taking jobs, lets running ones finish within the grace period, then
// gives the rest back (their lease is released and Bull retries them elsewhere).
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { withJobContext } from '../ops/json-logger.js';
import { RenderMetrics, SPLIT_RENDER_ENCODER, type RenderStepKind } from '../ops/render-metrics.js';
import { RENDER_JOIN_JOB, RENDER_QUEUE, RENDER_SEGMENT_JOB } from '../queue/queue.constants.js';
import type { RenderQueueData, SegmentJobData } from '../queue/render-queue.producer.js';
import { JobExecution } from './job-execution.js';
import { RenderJobRunner } from './render-job.runner.js';
import type { LiveProgress, RenderEnd, RunContext, RunOutcome } from './run-types.js';
import { SegmentedRender } from './segmented-render.js';
import { startProcessor } from '../queue/start-processor.js';

@Injectable()
export class RenderWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RenderWorker.name);
  private running = 0;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(RENDER_QUEUE) private readonly queue: Queue<RenderQueueData>,
    private readonly runner: RenderJobRunner,
    private readonly segmented: SegmentedRender,
    private readonly execution: JobExecution,
    private readonly metrics: RenderMetrics,
  ) {}

  onApplicationBootstrap(): void {
    // One handler for every job name of the queue, so concurrency is this worker's total.
    startProcessor(this.queue, '*', this.config.worker.concurrency, (job) => this.handle(job), this.logger);
    this.logger.log(`taking render jobs (concurrency ${this.config.worker.concurrency}, worker ${this.runner.workerId})`);
  }

  async handle(job: Job<RenderQueueData>): Promise<RunOutcome> {
    this.running++;
    const started = Date.now();
    const step: RenderStepKind | undefined =
      job.name === RENDER_SEGMENT_JOB ? 'segment' : job.name === RENDER_JOIN_JOB ? 'join' : undefined;
    let last: LiveProgress | undefined;
    let renderEnd: RenderEnd | undefined;
    let outcome: RunOutcome | 'failed' = 'failed';
    try {
      const attempts = job.opts.attempts ?? 1;
      const ctx: RunContext = {
        lastAttempt: job.attemptsMade + 1 >= attempts,
        report: (p) => {
          last = p;
          return job.progress(p).catch(() => undefined);
        },
        renderEnded: (end) => (renderEnd = end),
      };
      const { renderId } = job.data;
      outcome = await withJobContext(renderId, () => {
        if (step === 'segment') return this.segmented.runSegment(job.data as SegmentJobData, ctx);
        if (step === 'join') return this.segmented.runJoin(renderId, ctx);
        return this.runner.run(renderId, ctx);
      });
      return outcome;
    } finally {
      this.running--;
      if (outcome === 'completed' || outcome === 'failed' || outcome === 'cancelled') {
        const observed = {
          durationSec: (Date.now() - started) / 1000,
          fps: last?.fps,
          frames: last?.framesDone,
          encoder: last?.encoder,
          outcome,
        };
        if (step) this.metrics.observeStep({ kind: step, ...observed });
        else this.metrics.observeRender(observed);
      }
      // A split render counts once as a render: when the segment or join that ended it says so.
      if (step && renderEnd) {
        const since = renderEnd.startedAt?.getTime() ?? started;
        this.metrics.observeRender({ durationSec: (Date.now() - since) / 1000, encoder: SPLIT_RENDER_ENCODER, outcome: renderEnd.outcome });
      }
    }
  }

  /**
   * Runs in Nest's first shutdown phase (module destroy), before the browser pool, the queues and
   * the database close in the application-shutdown phase: renders drain while everything works.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Local pause: this worker takes no new job; other workers carry on.
    const paused = this.queue.pause(true, false).catch(() => undefined);
    const deadline = Date.now() + this.config.worker.shutdownGraceMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (this.running > 0) {
      this.logger.warn(`shutting down: giving ${this.running} render(s) back to the queue`);
      this.execution.releaseAll('the worker is shutting down');
      const hard = Date.now() + 5_000;
      while (this.running > 0 && Date.now() < hard) await new Promise((r) => setTimeout(r, 100));
    }
    await paused;
  }
}
