// Puts render jobs on the `render` queue. The Bull job id derives from the render id, so
// enqueueing the same render twice is a no-op while the first is still waiting or running.
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import type { ResolvedRenderOptions } from '../render/render-options.js';
import { RENDER_JOB, RENDER_JOB_OPTIONS, RENDER_JOIN_JOB, RENDER_QUEUE, RENDER_SEGMENT_JOB, bullJobId } from './queue.constants.js';

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
   * Whether Redis answers now: the API refuses new work fast (503) when it does not. A client not
   * marked ready is asked for a PING (within 0.7 s; 3 s for the very first connection, which
   * may still be on its way right after start-up).
   */
  async isReady(): Promise<boolean> {
    const client = this.queue.client as unknown as { status?: string; ping(): Promise<string> };
    if (client.status === 'ready') return (this.connectedOnce = true);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), this.connectedOnce ? 700 : 3000))),
      ]);
      return (this.connectedOnce = true);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async enqueue(renderId: string): Promise<void> {
    await this.queue.add(RENDER_JOB, { renderId }, { ...RENDER_JOB_OPTIONS, jobId: bullJobId({ kind: 'render', renderId }) });
  }

  /**
   * Makes sure a render has a live Bull job (reconciliation): a finished or failed Bull job with
   * the same id is removed first, since Bull would otherwise ignore the add.
   */
  ensureEnqueued(renderId: string): Promise<'present' | 'enqueued'> {
    return this.ensure(RENDER_JOB, { renderId }, bullJobId({ kind: 'render', renderId }));
  }

  async ensureSegmentEnqueued(data: SegmentJobData): Promise<void> {
    await this.ensure(RENDER_SEGMENT_JOB, data, bullJobId({ kind: 'segment', renderId: data.renderId, idx: data.idx }));
  }

  async ensureJoinEnqueued(renderId: string): Promise<void> {
    await this.ensure(RENDER_JOIN_JOB, { renderId }, bullJobId({ kind: 'join', renderId }));
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
    const job = await this.queue.getJob(bullJobId({ kind: 'render', renderId }));
    if (!job) return;
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'paused') await job.remove().catch(() => undefined);
  }
}
