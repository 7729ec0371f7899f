// How the worker carries out a piece of a render (the whole render, one segment of a long one, or
// the join of its segments), the same way for each, under at-least-once delivery:
//  - a watchdog renews the lease and stops the work within a second of a cancel;
//  - the work gets a temp folder of its own, removed before the job can be reported finished;
//  - failure policy: a cancel removes what the run stored; a retryable failure goes back to Bull
//    (another attempt, maybe on another worker) unless this is the last attempt; anything else
//    fails the job once (only while this run still holds it) and calls back once;
//  - one completion path: the output is stored under the job's deterministic key (a re-run
//    overwrites it), completion is conditional (a late completion cannot overwrite `cancelled`),
//    and the `completed` callback carries one webhook id.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { CallbackNotifier } from '../queue/callback-notifier.js';
import { classifyRenderError } from '../render/classify-render-error.js';
import { RenderError } from '../render/render-errors.js';
import { outputKeyForJob } from '../storage/keys.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { recordFailure } from './job-failure.js';
import { startWatchdog } from './job-watchdog.js';
import type { RunContext, RunOutcome } from './run-types.js';

/** What differs between the runs: whose lease they hold, and what they leave in storage. */
export interface RunPolicy {
  /** Names the run in log lines: `render <id>`, `render <id> segment 3`. */
  name: string;
  /** Renews the lease while the work runs; false: another worker holds the job now. */
  renew: () => Promise<boolean>;
  /** Gives a lease of the run's own back before Bull retries it. */
  release?: () => Promise<unknown>;
  /** Whether the run still holds the job when it is about to fail it (only the holder may). */
  stillHeld?: () => Promise<boolean>;
  /** Removes what the run (or its render) stored, once it was cancelled or has failed the job. */
  discard: (outcome: 'cancelled' | 'failed') => Promise<void>;
}

export interface RunWork {
  /** The run's own temp folder. */
  dir: string;
  /** Fires on a cancel, a lost lease or a worker shutdown; its reason says which. */
  signal: AbortSignal;
}

export interface FinishedOutput {
  /** The run's temp folder, removed before the job is reported finished. */
  dir: string;
  /** The finished MP4, inside `dir`. */
  outputPath: string;
  durationSec: number;
  signal: AbortSignal;
  /** Removes what the render stored on its way (segments), whether it completed or was cancelled. */
  cleanup?: () => Promise<void>;
}

@Injectable()
export class JobExecution {
  private readonly logger = new Logger(JobExecution.name);
  private readonly active = new Set<AbortController>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly callbacks: CallbackNotifier,
  ) {}

  /** Runs `work` for `job` under the lease, the watchdog and the failure policy. */
  async execute(
    job: RenderJobEntity,
    ctx: RunContext,
    policy: RunPolicy,
    work: (run: RunWork) => Promise<RunOutcome>,
  ): Promise<RunOutcome> {
    const dir = await mkdtemp(join(this.config.engine.tempDir, `ecg-${job.id}-`));
    const abort = new AbortController();
    this.active.add(abort);
    const stopWatchdog = startWatchdog({
      jobs: this.jobs,
      renderId: job.id,
      abort,
      leaseSeconds: this.config.worker.leaseSeconds,
      renew: policy.renew,
      logger: this.logger,
    });
    try {
      return await work({ dir, signal: abort.signal });
    } catch (err) {
      // As on success: temp files go before the job can be reported finished (failed or cancelled).
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return await this.handleFailure(job, err, abort.signal, ctx, policy);
    } finally {
      stopWatchdog();
      this.active.delete(abort);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * The one completion path: stores the output, completes the job if it still can be, and calls
   * back `completed`. Answers `cancelled` when the job was cancelled meanwhile.
   */
  async complete(job: RenderJobEntity, out: FinishedOutput): Promise<{ outcome: 'completed' | 'cancelled'; fileSize: number }> {
    const outputKey = outputKeyForJob(job.id);
    const { size } = await this.storage.putFile(outputKey, out.outputPath, { contentType: 'video/mp4', signal: out.signal });
    // Temp files go before the job is reported finished: a terminal job has nothing left behind.
    await rm(out.dir, { recursive: true, force: true });
    const completed = await this.jobs.markCompleted(job.id, { outputKey, fileSize: size, durationSec: out.durationSec });
    if (!completed) {
      // Cancelled while we uploaded: the object must not outlive the job's record of it.
      if ((await this.jobs.getStatus(job.id)) === 'cancelled') await this.storage.delete(outputKey).catch(() => undefined);
      await out.cleanup?.();
      return { outcome: 'cancelled', fileSize: size };
    }
    await out.cleanup?.();
    await this.callbacks.notify(
      job.callbackUrl,
      'completed',
      { jobId: job.id, status: 'completed', progress: 100, fileSize: size, duration: out.durationSec, warnings: job.warnings },
      outputKey,
    );
    return { outcome: 'completed', fileSize: size };
  }

  /** Stops every run in progress; each gives its job back for another worker (shutdown). */
  releaseAll(reason: string): void {
    for (const abort of this.active) abort.abort(new RenderError('RENDER_INTERNAL', reason, true));
  }

  private async handleFailure(
    job: RenderJobEntity,
    err: unknown,
    signal: AbortSignal,
    ctx: RunContext,
    policy: RunPolicy,
  ): Promise<RunOutcome> {
    const reason: unknown = signal.aborted ? signal.reason : undefined;
    if (reason instanceof RenderError && reason.code === 'RENDER_CANCELLED') {
      // An upload cut short may have left its folder (or, on a race, its object): none may stay.
      await policy.discard('cancelled');
      return 'cancelled';
    }
    const error = classifyRenderError(reason ?? err);
    if (error.retryable && !ctx.lastAttempt) {
      this.logger.warn(`${policy.name} failed, will retry: [${error.code}] ${error.message}`);
      await policy.release?.();
      throw error;
    }
    // A stale run (its event loop blocked past the lease, the job since taken by another worker)
    // must not fail the render that replaced it.
    if (policy.stillHeld && !(await policy.stillHeld().catch(() => true))) {
      this.logger.warn(`${policy.name}: not failing it, another worker holds it now ([${error.code}] ${error.message})`);
      return 'skipped';
    }
    const failed = await recordFailure(this.jobs, this.callbacks, this.logger, job, error);
    await policy.discard('failed');
    if (failed) ctx.renderEnded?.({ outcome: 'failed', startedAt: job.startedAt });
    return 'failed';
  }
}
