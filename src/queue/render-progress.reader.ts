// The live figures a worker puts on a render's Bull job (frames, fps, encoder), read back for the
// API's event stream: the API asks by render (and segment), never by Bull job id.
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { RENDER_QUEUE, bullJobId } from './queue.constants.js';
import type { RenderQueueData } from './render-queue.producer.js';

@Injectable()
export class RenderProgressReader {
  constructor(@InjectQueue(RENDER_QUEUE) private readonly queue: Queue<RenderQueueData>) {}

  /** A render's live figures, or one of its segments' (`segmentIdx`); undefined when there are none. */
  async liveFigures(renderId: string, segmentIdx?: number): Promise<Record<string, unknown> | undefined> {
    const id = bullJobId(segmentIdx === undefined ? { kind: 'render', renderId } : { kind: 'segment', renderId, idx: segmentIdx });
    const job = await this.queue.getJob(id).catch(() => null);
    const p: unknown = job?.progress();
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : undefined;
  }
}
