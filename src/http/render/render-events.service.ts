// Server-Sent Events for one job: the job row (any process may have written it) plus the live
// figures the worker puts on its Bull job (frames, fps, encoder), polled once a second and sent
// when they change. The stream ends after the terminal state.
import { InjectQueue } from '@nestjs/bull';
import { Injectable, type MessageEvent } from '@nestjs/common';
import type { Queue } from 'bull';
import { Observable } from 'rxjs';
import { isTerminalStatus } from '../../database/index.js';
import { RENDER_QUEUE, renderBullJobId } from '../../queue/queue.constants.js';
import { RenderApiService } from './render-api.service.js';

export const EVENTS_POLL_MS = 1000;

@Injectable()
export class RenderEventsService {
  constructor(
    private readonly api: RenderApiService,
    @InjectQueue(RENDER_QUEUE) private readonly queue: Queue,
  ) {}

  stream(userId: string, jobId: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let last = '';
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = async () => {
        try {
          const status = await this.api.status(userId, jobId);
          let live: Record<string, unknown> | undefined;
          if (status.status === 'processing') {
            const bullJob = await this.queue.getJob(renderBullJobId(jobId)).catch(() => null);
            const p = bullJob?.progress();
            if (p && typeof p === 'object') live = p as Record<string, unknown>;
          }
          const data = { ...status, live };
          // downloadUrl is minted per call: compare without it.
          const key = JSON.stringify({ ...data, downloadUrl: undefined, estimatedTimeRemaining: undefined });
          if (key !== last) {
            last = key;
            subscriber.next({ type: 'status', data });
          }
          if (isTerminalStatus(status.status)) {
            subscriber.complete();
            return;
          }
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (!stopped) timer = setTimeout(tick, EVENTS_POLL_MS);
      };
      void tick();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
