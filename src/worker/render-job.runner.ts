// Runs one render job on this worker, safely under at-least-once delivery:
//  - the job row is leased with a conditional update (a duplicate delivery finds it taken);
//  - a watchdog renews the lease and stops the render within a second of a cancel;
//  - the output key is deterministic (a re-run overwrites the same object);
//  - completion is conditional (a late completion cannot overwrite `cancelled`);
//  - callbacks carry one webhook id per event.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import type { RenderJobPhase } from '../database/index.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { CallbackNotifier, type CallbackEvent } from '../queue/callback-notifier.js';
import { RenderEngine } from '../render/render-engine.service.js';
import { RenderError } from '../render/render-errors.js';
import { outputKeyForJob } from '../storage/keys.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { recordFailure, toRenderError } from './job-failure.js';
import { startWatchdog } from './job-watchdog.js';
import { planSegments } from './segment-plan.js';
import { renderOptionsOf } from './job-options.js';
import { SegmentedRender } from './segmented-render.js';
import { SourceFetcher } from '../storage/source-fetcher.js';

/** `delegated`: a long render was split; its segments and the join finish it elsewhere. */
export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped' | 'delegated';

/** What the worker shows on the Bull job and the SSE stream while rendering. */
export interface LiveProgress {
  progress: number;
  phase: RenderJobPhase;
  framesDone?: number;
  framesTotal?: number;
  fps?: number;
  etaSeconds?: number | null;
  encoder?: string;
}

export interface RunContext {
  /** This is the last delivery Bull will make: a retryable failure now fails the job. */
  lastAttempt: boolean;
  report?: (p: LiveProgress) => void | Promise<void>;
}

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
  private readonly active = new Set<AbortController>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly engine: RenderEngine,
    private readonly sources: SourceFetcher,
    private readonly callbacks: CallbackNotifier,
    private readonly segmented: SegmentedRender,
  ) {}

  async run(renderId: string, ctx: RunContext): Promise<RunOutcome> {
    const job = await this.jobs.findById(renderId);
    if (!job) return 'skipped';
    if (!(await this.acquire(job))) {
      // Terminal already, or another worker holds a live lease: this delivery is a duplicate.
      return 'skipped';
    }

    const abort = new AbortController();
    this.active.add(abort);
    const stopWatchdog = startWatchdog({
      jobs: this.jobs,
      renderId: job.id,
      abort,
      leaseSeconds: this.config.worker.leaseSeconds,
      renew: () => this.jobs.renewLease(job.id, this.workerId, this.config.worker.leaseSeconds),
      logger: this.logger,
    });
    const dir = await mkdtemp(join(this.config.engine.tempDir, `ecg-${job.id}-`));
    const live: LiveProgress = { progress: 0, phase: 'downloading' };
    const publish = async (patch: Partial<LiveProgress>, persist = true) => {
      Object.assign(live, patch);
      if (persist) await this.jobs.updateProgress(job.id, live.progress, live.phase, this.workerId);
      await ctx.report?.({ ...live });
    };
    try {
      await publish({ progress: 0, phase: 'downloading' });
      const sourcePath = join(dir, 'source');
      await this.sources.fetchTo(job.videoUrl, sourcePath, abort.signal);

      // Plugins from the plugin origin are resolved here: the origin being down is retryable.
      const inspected = await this.engine.inspect(sourcePath, job.scenario, renderOptionsOf(job), abort.signal);
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
        await this.segmented.start(job, sourcePath, inspected, segments, abort.signal);
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
        signal: abort.signal,
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

      abort.signal.throwIfAborted();
      await publish({ progress: RENDER_END, phase: 'uploading' });
      const outputKey = outputKeyForJob(job.id);
      const { size } = await this.storage.putFile(outputKey, outputPath, { contentType: 'video/mp4', signal: abort.signal });
      // Temp files go before the job is reported finished: a terminal job has nothing left behind.
      await rm(dir, { recursive: true, force: true });

      const completed = await this.jobs.markCompleted(job.id, { outputKey, fileSize: size, durationSec: summary.durationSec });
      if (!completed) {
        // Cancelled while we uploaded: the object must not outlive the job's record of it.
        if ((await this.jobs.getStatus(job.id)) === 'cancelled') await this.storage.delete(outputKey).catch(() => undefined);
        return 'cancelled';
      }
      await this.callbacks.notify(
        job.callbackUrl,
        'completed',
        { jobId: job.id, status: 'completed', progress: 100, fileSize: size, duration: summary.durationSec, warnings: job.warnings },
        outputKey,
      );
      this.logger.log(`render ${job.id} completed: ${summary.framesTotal} frames, ${summary.encoder}, ${summary.wallSeconds.toFixed(1)} s`);
      return 'completed';
    } catch (err) {
      // As on success: temp files go before the job can be reported finished (failed).
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return await this.handleFailure(job, err, abort.signal, ctx);
    } finally {
      stopWatchdog();
      this.active.delete(abort);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async handleFailure(job: RenderJobEntity, err: unknown, signal: AbortSignal, ctx: RunContext): Promise<RunOutcome> {
    const reason = signal.aborted ? signal.reason : undefined;
    if (reason instanceof RenderError && reason.code === 'RENDER_CANCELLED') {
      // An upload cut short may have left its folder (or, on a race, its object): none may stay.
      await this.storage.delete(outputKeyForJob(job.id)).catch(() => undefined);
      return 'cancelled';
    }
    const error = toRenderError(reason ?? err);
    if (error.retryable && !ctx.lastAttempt) {
      this.logger.warn(`render ${job.id} failed, will retry: [${error.code}] ${error.message}`);
      await this.jobs.releaseLease(job.id, this.workerId);
      throw error;
    }
    // Only the lease holder may fail the job: a stale run (its event loop blocked past the lease,
    // the job since taken by another worker) must not fail the render that replaced it.
    if (!(await this.jobs.renewLease(job.id, this.workerId, this.config.worker.leaseSeconds).catch(() => true))) {
      this.logger.warn(`render ${job.id}: not failing it, another worker holds it now ([${error.code}] ${error.message})`);
      return 'skipped';
    }
    await recordFailure(this.jobs, this.callbacks, this.logger, job, error);
    return 'failed';
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

  /** Stops every render in progress; each gives its job back for another worker (shutdown). */
  releaseAll(reason: string): void {
    for (const abort of this.active) abort.abort(new RenderError('RENDER_INTERNAL', reason, true));
  }

  get activeCount(): number {
    return this.active.size;
  }
}
