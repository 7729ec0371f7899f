// Puts render jobs on the `render` queue. The Bull job id derives from the render id, so
// enqueueing the same render twice is a no-op while the first is still waiting or running.
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ResolvedRenderOptions } from '../render/render-options.js';
import {
  RENDER_JOB,
  RENDER_JOB_OPTIONS,
  RENDER_JOIN_JOB,
  RENDER_QUEUE,
  RENDER_SEGMENT_JOB,
  joinBullJobId,
  renderBullJobId,
  segmentBullJobId,
} from './queue.constants.js';

/** A segment job: which frames of which render, with the options the whole render resolved. */
export interface SegmentJobData {
  renderId: string;
  idx: number;
  firstFrame: number;
  frameCount: number;
  options: ResolvedRenderOptions;
}

export type RenderQueueData = { renderId: string } | SegmentJobData;

@Injectable()
export class RenderQueueProducer {
  constructor(@InjectQueue(RENDER_QUEUE) readonly queue: Queue<RenderQueueData>) {}

  private connectedOnce = false;

  /**
   * Whether Redis answers now: the API refuses new work fast (503) when it does not. Right after
   * start-up the first connection may still be on its way: that one is waited for (briefly).
   */
  async isReady(startupWaitMs = 3000): Promise<boolean> {
    const ready = () => (this.queue.client as { status?: string }).status === 'ready';
    if (ready()) return (this.connectedOnce = true);
    if (this.connectedOnce) return false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.queue.isReady().catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, startupWaitMs))),
    ]).finally(() => clearTimeout(timer));
    return (this.connectedOnce = ready());
  }

  async enqueue(renderId: string): Promise<void> {
    await this.queue.add(RENDER_JOB, { renderId }, { ...RENDER_JOB_OPTIONS, jobId: renderBullJobId(renderId) });
  }

  /**
   * Makes sure a render has a live Bull job (reconciliation): a finished or failed Bull job with
   * the same id is removed first, since Bull would otherwise ignore the add.
   */
  ensureEnqueued(renderId: string): Promise<'present' | 'enqueued'> {
    return this.ensure(RENDER_JOB, { renderId }, renderBullJobId(renderId));
  }

  async ensureSegmentEnqueued(data: SegmentJobData): Promise<void> {
    await this.ensure(RENDER_SEGMENT_JOB, data, segmentBullJobId(data.renderId, data.idx));
  }

  async ensureJoinEnqueued(renderId: string): Promise<void> {
    await this.ensure(RENDER_JOIN_JOB, { renderId }, joinBullJobId(renderId));
  }

  private async ensure(name: string, data: RenderQueueData, jobId: string): Promise<'present' | 'enqueued'> {
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'paused') return 'present';
      await existing.remove();
    }
    await this.queue.add(name, data, { ...RENDER_JOB_OPTIONS, jobId });
    return 'enqueued';
  }

  /** Removes a waiting render (cancelled before it started); a running one stops via its watchdog. */
  async removeIfWaiting(renderId: string): Promise<void> {
    const job = await this.queue.getJob(renderBullJobId(renderId));
    if (!job) return;
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'paused') await job.remove().catch(() => undefined);
  }
}
