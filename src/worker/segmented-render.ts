// Long renders, split across workers. The worker that takes the render (the coordinator) stores
// the source, records the segment plan and enqueues one job per segment; any worker renders a
// segment (frames [first, first + count), video only) and stores it; the worker that finishes
// the last segment enqueues the join, which concatenates the segments without re-encoding,
// muxes the source's audio once, stores the result and completes the job.
// Every step is idempotent under at-least-once delivery: deterministic keys and Bull job ids,
// conditional segment and job transitions; a re-delivered coordinator resumes where things are.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { SegmentsRepository, type SegmentSpec } from '../jobs/segments.repository.js';
import { RenderQueueProducer, type SegmentJobData } from '../queue/render-queue.producer.js';
import { RenderEngine, type InspectedRender } from '../render/render-engine.service.js';
import { DEFAULT_QUALITY } from '../render/render-options.js';
import { segmentKeyFor, sourceKeyFor } from '../storage/keys.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { JobExecution, type RunPolicy } from './job-execution.js';
import { renderOptionsOf } from './job-options.js';
import type { RunContext, RunOutcome } from './run-types.js';

/** Progress shares: segments 5–90 %, join and upload 90–99 %. */
const SEGMENTS_START = 5;
const SEGMENTS_END = 90;

@Injectable()
export class SegmentedRender {
  private readonly logger = new Logger(SegmentedRender.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly segments: SegmentsRepository,
    private readonly engine: RenderEngine,
    private readonly producer: RenderQueueProducer,
    private readonly execution: JobExecution,
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
    return this.execution.execute(job, ctx, this.policyFor(job, `render ${job.id} segment ${data.idx}`), async ({ dir, signal }) => {
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
    const outcome = await this.execution.execute(job, ctx, this.policyFor(job, `render ${job.id} join`), async ({ dir, signal }) => {
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
      const done = await this.execution.complete(job, {
        dir,
        outputPath,
        durationSec,
        signal,
        cleanup: () => this.discardArtifacts(job.id),
      });
      if (done.outcome === 'completed') this.logger.log(`render ${job.id} completed: ${rows.length} segments joined`);
      return done.outcome;
    });
    // The join ends the render, whatever its outcome (a failure is told by the failure policy).
    if (outcome === 'completed' || outcome === 'cancelled') ctx.renderEnded?.({ outcome, startedAt: job.startedAt });
    return outcome;
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

  /** Segments and the join hold the parent's lease (not one of their own) and discard the render's artifacts when they end it. */
  private policyFor(job: RenderJobEntity, name: string): RunPolicy {
    return {
      name,
      renew: () => this.jobs.touchLease(job.id, this.holdSeconds()),
      discard: () => this.discardArtifacts(job.id),
    };
  }
}
