// Long renders, split across workers. The worker that takes the render (the coordinator) stores
// the source, records the segment plan and enqueues one job per segment; any worker renders a
// segment (frames [first, first + count), video only) and stores it; the worker that finishes
// the last segment enqueues the join, which concatenates the segments without re-encoding,
// muxes the source's audio once, stores the result and completes the job.
// Every step is idempotent under at-least-once delivery: deterministic keys and Bull job ids,
// conditional segment and job transitions; a re-delivered coordinator resumes where things are.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { SegmentsRepository, type SegmentSpec } from '../jobs/segments.repository.js';
import { CallbackNotifier } from '../queue/callback-notifier.js';
import { RenderQueueProducer, type SegmentJobData } from '../queue/render-queue.producer.js';
import { RenderEngine, type InspectedRender } from '../render/render-engine.service.js';
import { RenderError } from '../render/render-errors.js';
import { DEFAULT_QUALITY } from '../render/render-options.js';
import { outputKeyForJob, segmentKeyFor, sourceKeyFor } from '../storage/keys.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { recordFailure, toRenderError } from './job-failure.js';
import { renderOptionsOf } from './job-options.js';
import { startWatchdog } from './job-watchdog.js';
import type { RunContext, RunOutcome } from './render-job.runner.js';

/** Progress shares: segments 5–90 %, join and upload 90–99 %. */
const SEGMENTS_START = 5;
const SEGMENTS_END = 90;

@Injectable()
export class SegmentedRender {
  private readonly logger = new Logger(SegmentedRender.name);
  private readonly active = new Set<AbortController>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly segments: SegmentsRepository,
    private readonly engine: RenderEngine,
    private readonly producer: RenderQueueProducer,
    private readonly callbacks: CallbackNotifier,
  ) {}

  /** Coordinator: store the source, record the plan, enqueue what is not done yet. */
  async start(
    job: RenderJobEntity,
    sourcePath: string,
    inspected: InspectedRender,
    plan: SegmentSpec[],
    signal: AbortSignal,
  ): Promise<void> {
    await this.storage.putFile(sourceKeyFor(job.id), sourcePath, { signal });
    const rows = await this.segments.ensurePlan(job.id, plan);
    await this.jobs.touchLease(job.id, this.holdSeconds());
    await this.jobs.updateProgress(job.id, SEGMENTS_START, 'rendering');
    const pending = rows.filter((r) => r.status === 'pending');
    if (pending.length === 0) {
      await this.producer.ensureJoinEnqueued(job.id);
      return;
    }
    for (const r of pending) {
      await this.producer.ensureSegmentEnqueued({
        renderId: job.id,
        idx: r.idx,
        firstFrame: r.firstFrame,
        frameCount: r.frameCount,
        options: inspected.options,
      });
    }
    this.logger.log(`render ${job.id}: ${rows.length} segments (${pending.length} to render)`);
  }

  async runSegment(data: SegmentJobData, ctx: RunContext): Promise<RunOutcome> {
    const job = await this.jobs.findById(data.renderId);
    if (!job || job.status !== 'processing') {
      if (job && job.status !== 'completed') await this.discardArtifacts(job.id);
      return 'skipped';
    }
    const row = (await this.segments.list(job.id)).find((r) => r.idx === data.idx);
    if (!row || row.status === 'done') {
      await this.enqueueJoinIfReady(job.id);
      return 'skipped';
    }
    return this.guarded(job, ctx, async (dir, signal) => {
      const sourcePath = join(dir, 'source');
      await this.storage.downloadToFile(sourceKeyFor(job.id), sourcePath, { signal });
      const outputPath = join(dir, 'segment.mp4');
      await this.engine.renderSegment({
        videoPath: sourcePath,
        scenario: job.scenario,
        outputPath,
        options: data.options,
        range: { first: data.firstFrame, count: data.frameCount },
        seed: job.id,
        signal,
        onProgress: (p) =>
          void ctx.report?.({
            progress: 0,
            phase: 'rendering',
            framesDone: p.framesDone,
            framesTotal: p.framesTotal,
            fps: p.fps,
            etaSeconds: p.etaSeconds,
          }),
      });
      const key = segmentKeyFor(job.id, data.idx);
      await this.storage.putFile(key, outputPath, { contentType: 'video/mp4', signal });
      await this.segments.markDone(job.id, data.idx, key);
      const { doneFrames, totalFrames } = await this.segments.progress(job.id);
      await this.jobs.updateProgress(
        job.id,
        SEGMENTS_START + ((SEGMENTS_END - SEGMENTS_START) * doneFrames) / Math.max(1, totalFrames),
        'rendering',
      );
      await this.enqueueJoinIfReady(job.id);
      return 'completed';
    });
  }

  /** The last step: concatenate, mux audio, store, complete, call back, clean up. */
  async runJoin(renderId: string, ctx: RunContext): Promise<RunOutcome> {
    const job = await this.jobs.findById(renderId);
    if (!job || job.status !== 'processing') {
      if (job && job.status !== 'completed') await this.discardArtifacts(renderId);
      return 'skipped';
    }
    const rows = await this.segments.list(job.id);
    if (rows.length === 0 || rows.some((r) => r.status !== 'done')) return 'skipped';
    return this.guarded(job, ctx, async (dir, signal) => {
      await this.jobs.updateProgress(job.id, SEGMENTS_END, 'encoding');
      const sourcePath = join(dir, 'source');
      await this.storage.downloadToFile(sourceKeyFor(job.id), sourcePath, { signal });
      const segmentPaths: string[] = [];
      for (const r of rows) {
        const p = join(dir, `segment-${String(r.idx).padStart(5, '0')}.mp4`);
        await this.storage.downloadToFile(r.outputKey ?? segmentKeyFor(job.id, r.idx), p, { signal });
        segmentPaths.push(p);
      }
      const outputPath = join(dir, 'output.mp4');
      const { durationSec } = await this.engine.join({
        segmentPaths,
        sourcePath,
        outputPath,
        quality: renderOptionsOf(job).quality ?? DEFAULT_QUALITY,
        signal,
      });
      await this.jobs.updateProgress(job.id, 95, 'uploading');
      const outputKey = outputKeyForJob(job.id);
      const { size } = await this.storage.putFile(outputKey, outputPath, { contentType: 'video/mp4', signal });
      await rm(dir, { recursive: true, force: true });
      if (!(await this.jobs.markCompleted(job.id, { outputKey, fileSize: size, durationSec }))) {
        if ((await this.jobs.getStatus(job.id)) === 'cancelled') await this.storage.delete(outputKey).catch(() => undefined);
        await this.discardArtifacts(job.id);
        return 'cancelled';
      }
      await this.discardArtifacts(job.id);
      await this.callbacks.notify(
        job.callbackUrl,
        'completed',
        { jobId: job.id, status: 'completed', progress: 100, fileSize: size, duration: durationSec, warnings: job.warnings },
        outputKey,
      );
      this.logger.log(`render ${job.id} completed: ${rows.length} segments joined`);
      return 'completed';
    });
  }

  /** Gives every segment or join in progress back to the queue (worker shutdown). */
  releaseAll(reason: string): void {
    for (const abort of this.active) abort.abort(new RenderError('RENDER_INTERNAL', reason, true));
  }

  /** Removes the stored source and segments of a render (idempotent). */
  async discardArtifacts(renderId: string): Promise<void> {
    const rows = await this.segments.list(renderId);
    await Promise.all([
      this.storage.delete(sourceKeyFor(renderId)).catch(() => undefined),
      ...rows.map((r) => this.storage.delete(segmentKeyFor(renderId, r.idx)).catch(() => undefined)),
    ]);
  }

  private async enqueueJoinIfReady(renderId: string): Promise<void> {
    if ((await this.segments.progress(renderId)).pending === 0) await this.producer.ensureJoinEnqueued(renderId);
  }

  /** Segments and joins run while the parent is processing; they keep its lease alive. */
  private holdSeconds(): number {
    return Math.max(this.config.worker.leaseSeconds, 120);
  }

  private async guarded(
    job: RenderJobEntity,
    ctx: RunContext,
    work: (dir: string, signal: AbortSignal) => Promise<RunOutcome>,
  ): Promise<RunOutcome> {
    const abort = new AbortController();
    this.active.add(abort);
    const stop = startWatchdog({
      jobs: this.jobs,
      renderId: job.id,
      abort,
      leaseSeconds: this.config.worker.leaseSeconds,
      renew: () => this.jobs.touchLease(job.id, this.holdSeconds()),
      logger: this.logger,
    });
    const dir = await mkdtemp(join(this.config.engine.tempDir, `ecg-${job.id}-`));
    try {
      return await work(dir, abort.signal);
    } catch (err) {
      // Temp files go before the job can be reported finished (failed or cancelled).
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const reason = abort.signal.aborted ? abort.signal.reason : undefined;
      if (reason instanceof RenderError && reason.code === 'RENDER_CANCELLED') {
        await this.discardArtifacts(job.id);
        return 'cancelled';
      }
      const error = toRenderError(reason ?? err);
      if (error.retryable && !ctx.lastAttempt) throw error;
      await recordFailure(this.jobs, this.callbacks, this.logger, job, error);
      await this.discardArtifacts(job.id);
      return 'failed';
    } finally {
      stop();
      this.active.delete(abort);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
