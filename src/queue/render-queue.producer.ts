// Puts render jobs on the `render` queue. The Bull job id derives from the render id, so
// enqueueing the same render twice is a no-op while the first is still waiting or running.
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { RENDER_JOB, RENDER_JOB_OPTIONS, RENDER_QUEUE, renderBullJobId } from './queue.constants.js';

@Injectable()
export class RenderQueueProducer {
  constructor(@InjectQueue(RENDER_QUEUE) readonly queue: Queue<{ renderId: string }>) {}

  /** True when Redis answers right now: the API refuses new work fast (503) when it does not. */
  get ready(): boolean {
    return (this.queue.client as { status?: string }).status === 'ready';
  }

  async enqueue(renderId: string): Promise<void> {
    await this.queue.add(RENDER_JOB, { renderId }, { ...RENDER_JOB_OPTIONS, jobId: renderBullJobId(renderId) });
  }

  /**
   * Makes sure a render has a live Bull job (reconciliation): a finished or failed Bull job with
   * the same id is removed first, since Bull would otherwise ignore the add.
   */
  async ensureEnqueued(renderId: string): Promise<'present' | 'enqueued'> {
    const existing = await this.queue.getJob(renderBullJobId(renderId));
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'paused') return 'present';
      await existing.remove();
    }
    await this.enqueue(renderId);
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
