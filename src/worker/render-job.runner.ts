// Runs one render job on this worker, safely under at-least-once delivery:
//  - the job row is leased with a conditional update (a duplicate delivery finds it taken);
//  - the lease, watchdog, temp folder, failure policy and completion are JobExecution's
//    (src/worker/job-execution.ts), shared with the segments and the join of a long render;
//  - a long render is handed to SegmentedRender, which splits it across workers.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { CallbackNotifier, type CallbackEvent } from '../queue/callback-notifier.js';
import { RenderEngine } from '../render/render-engine.service.js';
import { outputKeyForJob } from '../storage/keys.js';
import { SourceFetcher } from '../storage/source-fetcher.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { JobExecution, type RunPolicy } from './job-execution.js';
import { renderOptionsOf } from './job-options.js';
import type { LiveProgress, RunContext, RunOutcome } from './run-types.js';
import { planSegments } from './segment-plan.js';
import { SegmentedRender } from './segmented-render.js';

/** Progress shares of the phases: download 0–5, render 5–90, upload 90–99. */
const RENDER_START = 5;
const RENDER_END = 90;
const MILESTONES: [number, CallbackEvent][] = [
  [25, 'progress-25'],
  [50, 'progress-50'],
  [75, 'progress-75'],
];

@Injectable()
export class RenderJobRunner {
  private readonly logger = new Logger(RenderJobRunner.name);
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly engine: RenderEngine,
    private readonly sources: SourceFetcher,
    private readonly callbacks: CallbackNotifier,
    private readonly segmented: SegmentedRender,
    private readonly execution: JobExecution,
  ) {}

  async run(renderId: string, ctx: RunContext): Promise<RunOutcome> {
    const job = await this.jobs.findById(renderId);
    if (!job) return 'skipped';
    if (!(await this.acquire(job))) {
      // Terminal already, or another worker holds a live lease: this delivery is a duplicate.
      return 'skipped';
    }
    return this.execution.execute(job, ctx, this.policyFor(job), ({ dir, signal }) => this.render(job, dir, signal, ctx));
  }

  private async render(job: RenderJobEntity, dir: string, signal: AbortSignal, ctx: RunContext): Promise<RunOutcome> {
    const live: LiveProgress = { progress: 0, phase: 'downloading' };
    const publish = async (patch: Partial<LiveProgress>, persist = true) => {
      Object.assign(live, patch);
      if (persist) await this.jobs.updateProgress(job.id, live.progress, live.phase, this.workerId);
      await ctx.report?.({ ...live });
    };
    await publish({ progress: 0, phase: 'downloading' });
    const sourcePath = join(dir, 'source');
    await this.sources.fetchTo(job.videoUrl, sourcePath, signal);

    // Plugins from the plugin origin are resolved here: the origin being down is retryable.
    const inspected = await this.engine.inspect(sourcePath, job.scenario, renderOptionsOf(job), signal);
    // FONT_FALLBACK=warn: what will not be drawn as written (status, history, SSE, callbacks).
    if (inspected.warnings.length) {
      job.warnings = inspected.warnings;
      await this.jobs.setWarnings(job.id, inspected.warnings);
    }
    const segments = planSegments(inspected.framesTotal, inspected.options.fps, {
      segmentSeconds: this.config.worker.segmentSeconds,
      minDurationSeconds: this.config.worker.segmentMinDurationSeconds,
    });
    if (segments.length > 1) {
      // A long video: its segments go to every worker of the queue; the last one joins them.
      await this.segmented.start(job, sourcePath, inspected, segments, signal);
      return 'delegated';
    }

    await publish({ progress: RENDER_START, phase: 'rendering' });
    const outputPath = join(dir, 'output.mp4');
    let lastWrite = 0;
    let nextMilestone = 0;
    const summary = await this.engine.render({
      videoPath: sourcePath,
      scenario: job.scenario,
      outputPath,
      options: renderOptionsOf(job),
      inspected,
      seed: job.id,
      signal,
      onStart: (info) => void publish({ encoder: info.encoder, framesTotal: info.framesTotal, framesDone: 0 }, false),
      onProgress: (p) => {
        const progress = RENDER_START + ((RENDER_END - RENDER_START) * p.framesDone) / Math.max(1, p.framesTotal);
        const now = Date.now();
        const persist = now - lastWrite >= 1000 || p.framesDone === p.framesTotal;
        if (persist) lastWrite = now;
        void publish(
          { progress, phase: 'rendering', framesDone: p.framesDone, framesTotal: p.framesTotal, fps: p.fps, etaSeconds: p.etaSeconds },
          persist,
        ).catch(() => undefined);
        while (nextMilestone < MILESTONES.length && progress >= MILESTONES[nextMilestone][0]) {
          const [pct, event] = MILESTONES[nextMilestone++];
          void this.callbacks.notify(job.callbackUrl, event, {
            jobId: job.id,
            status: 'processing',
            progress: pct,
            warnings: job.warnings,
          });
        }
      },
    });

    signal.throwIfAborted();
    await publish({ progress: RENDER_END, phase: 'uploading' });
    const { outcome } = await this.execution.complete(job, { dir, outputPath, durationSec: summary.durationSec, signal });
    if (outcome === 'completed') {
      this.logger.log(`render ${job.id} completed: ${summary.framesTotal} frames, ${summary.encoder}, ${summary.wallSeconds.toFixed(1)} s`);
    }
    return outcome;
  }

  /** The render's own lease (this worker's id on the row): renewed, given back for a retry, checked before failing. */
  private policyFor(job: RenderJobEntity): RunPolicy {
    const { leaseSeconds } = this.config.worker;
    return {
      name: `render ${job.id}`,
      renew: () => this.jobs.renewLease(job.id, this.workerId, leaseSeconds),
      release: () => this.jobs.releaseLease(job.id, this.workerId),
      stillHeld: () => this.jobs.renewLease(job.id, this.workerId, leaseSeconds),
      // An upload cut short may have left its object (on a race): it must not outlive the cancel.
      discard: async (outcome) => {
        if (outcome === 'cancelled') await this.storage.delete(outputKeyForJob(job.id)).catch(() => undefined);
      },
    };
  }

  /**
   * Takes the job's lease. When another worker holds it, waits once for it to lapse: Bull hands
   * out a dead worker's job as soon as its lock expires, which can be just before the lease does.
   * A live holder renews its lease meanwhile, and then this delivery is a duplicate.
   */
  private async acquire(job: RenderJobEntity): Promise<boolean> {
    const { leaseSeconds } = this.config.worker;
    if (await this.jobs.markProcessing(job.id, this.workerId, leaseSeconds)) return true;
    const current = await this.jobs.findById(job.id);
    if (current?.status !== 'processing' || !current.leaseUntil) return false;
    const waitMs = current.leaseUntil.getTime() - Date.now() + 500;
    if (waitMs > (leaseSeconds + 2) * 1000) return false;
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    return this.jobs.markProcessing(job.id, this.workerId, leaseSeconds);
  }
}
