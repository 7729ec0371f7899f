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
import { RenderError, isDiskFull } from '../render/render-errors.js';
import type { RenderOptions } from '../render/render-options.js';
import { outputKeyForJob, STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { SourceFetcher } from './source-fetcher.js';

export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

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
  ) {}

  async run(renderId: string, ctx: RunContext): Promise<RunOutcome> {
    const job = await this.jobs.findById(renderId);
    if (!job) return 'skipped';
    if (!(await this.jobs.markProcessing(job.id, this.workerId, this.config.worker.leaseSeconds))) {
      // Terminal already, or another worker holds a live lease: this delivery is a duplicate.
      return 'skipped';
    }

    const abort = new AbortController();
    this.active.add(abort);
    const watchdog = this.startWatchdog(job.id, abort);
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

      await publish({ progress: RENDER_START, phase: 'rendering' });
      const outputPath = join(dir, 'output.mp4');
      let lastWrite = 0;
      let nextMilestone = 0;
      const summary = await this.engine.render({
        videoPath: sourcePath,
        scenario: job.scenario,
        outputPath,
        options: renderOptionsOf(job),
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
            void this.callbacks.notify(job.callbackUrl, event, { jobId: job.id, status: 'processing', progress: pct });
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
        { jobId: job.id, status: 'completed', progress: 100, fileSize: size, duration: summary.durationSec },
        outputKey,
      );
      this.logger.log(`render ${job.id} completed: ${summary.framesTotal} frames, ${summary.encoder}, ${summary.wallSeconds.toFixed(1)} s`);
      return 'completed';
    } catch (err) {
      return await this.handleFailure(job, err, abort.signal, ctx);
    } finally {
      clearInterval(watchdog);
      this.active.delete(abort);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async handleFailure(job: RenderJobEntity, err: unknown, signal: AbortSignal, ctx: RunContext): Promise<RunOutcome> {
    const reason = signal.aborted ? signal.reason : undefined;
    if (reason instanceof RenderError && reason.code === 'RENDER_CANCELLED') return 'cancelled';
    const error = toRenderError(reason ?? err);
    if (error.retryable && !ctx.lastAttempt) {
      this.logger.warn(`render ${job.id} failed, will retry: [${error.code}] ${error.message}`);
      await this.jobs.releaseLease(job.id, this.workerId);
      throw error;
    }
    const failed = await this.jobs.markFailed(job.id, {
      code: error.code,
      message: error.message,
      kind: error.isInputError ? 'input' : 'server',
    });
    if (failed) {
      this.logger.warn(`render ${job.id} failed: [${error.code}] ${error.message}`);
      await this.callbacks.notify(job.callbackUrl, 'failed', {
        jobId: job.id,
        status: 'failed',
        progress: 0,
        errorCode: error.code,
        errorMessage: error.message,
      });
    }
    return 'failed';
  }

  /** Stops every render in progress; each gives its job back for another worker (shutdown). */
  releaseAll(reason: string): void {
    for (const abort of this.active) abort.abort(new RenderError('RENDER_INTERNAL', reason, true));
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Every second: was the job cancelled (or taken by someone else)? Renews the lease as it goes. */
  private startWatchdog(jobId: string, abort: AbortController): NodeJS.Timeout {
    const renewEvery = Math.max(1, Math.floor(this.config.worker.leaseSeconds / 3));
    let tick = 0;
    let busy = false;
    const timer = setInterval(async () => {
      if (busy || abort.signal.aborted) return;
      busy = true;
      try {
        tick++;
        const status = await this.jobs.getStatus(jobId);
        if (status === 'cancelled') {
          abort.abort(new RenderError('RENDER_CANCELLED', 'the render was cancelled'));
        } else if (tick % renewEvery === 0 && !(await this.jobs.renewLease(jobId, this.workerId, this.config.worker.leaseSeconds))) {
          abort.abort(new RenderError('RENDER_INTERNAL', 'lost the job lease to another worker', true));
        }
      } catch (err) {
        this.logger.warn(`watchdog for ${jobId}: ${(err as Error).message}`);
      } finally {
        busy = false;
      }
    }, 1000);
    timer.unref();
    return timer;
  }
}

function renderOptionsOf(job: RenderJobEntity): RenderOptions {
  const o = job.options ?? {};
  const pick = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  return { width: pick('width'), height: pick('height'), fps: pick('fps'), quality: pick('quality') };
}

function toRenderError(err: unknown): RenderError {
  if (err instanceof RenderError) return err;
  if (isDiskFull(err)) return new RenderError('RENDER_DISK_FULL', 'no space left on the render disk', true, undefined, { cause: err });
  const name = (err as Error)?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (/S3|Storage|Upload/i.test(name) || /multipart|upload/i.test(message)) {
    return new RenderError('RENDER_STORAGE_FAILED', `storing the result failed: ${message}`, true, undefined, { cause: err });
  }
  return new RenderError('RENDER_INTERNAL', message, true, undefined, { cause: err });
}

