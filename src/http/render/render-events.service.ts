// Server-Sent Events for one job: the job row (any process may have written it) plus the live
// figures the worker puts on its Bull job (frames, fps, encoder) — summed over the segments'
// Bull jobs for a split render — polled once a second and sent when they change. The stream ends
// after the terminal state.
import { Injectable, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { isTerminalStatus } from '../../database/index.js';
import { SegmentsRepository } from '../../jobs/segments.repository.js';
import { RenderProgressReader } from '../../queue/render-progress.reader.js';
import { RenderApiService } from './render-api.service.js';
import { aggregateSegmentLive } from './segment-live.js';

export const EVENTS_POLL_MS = 1000;

@Injectable()
export class RenderEventsService {
  constructor(
    private readonly api: RenderApiService,
    private readonly segments: SegmentsRepository,
    private readonly progress: RenderProgressReader,
  ) {}

  /** The live figures of a processing job: its own Bull job's, or its segments' summed. */
  private async liveFigures(jobId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await this.segments.list(jobId);
    if (rows.length > 0) {
      const running = new Map<number, Record<string, unknown>>();
      await Promise.all(
        rows
          .filter((r) => r.status === 'pending')
          .map(async (r) => {
            const p = await this.progress.liveFigures(jobId, r.idx);
            if (p) running.set(r.idx, p);
          }),
      );
      return { ...aggregateSegmentLive(rows, running) };
    }
    return this.progress.liveFigures(jobId);
  }

  stream(userId: string, jobId: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      let last = '';
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = async () => {
        try {
          const status = await this.api.status(userId, jobId);
          let live: Record<string, unknown> | undefined;
          if (status.status === 'processing') live = await this.liveFigures(jobId);
          const data = { ...status, live };
          // downloadUrl is minted per call: compare without it.
          const key = JSON.stringify({ ...data, downloadUrl: undefined, estimatedTimeRemaining: undefined });
          if (key !== last) {
            last = key;
            subscriber.next({ type: 'status', data });
          }
          if (status.status === 'expired' || isTerminalStatus(status.status)) {
            subscriber.complete();
            return;
          }
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (!stopped) timer = setTimeout(() => void tick(), EVENTS_POLL_MS);
      };
      void tick();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    });
  }
}
