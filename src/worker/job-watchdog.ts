// The watchdog of a running job: every second it asks PostgreSQL whether the render was
// cancelled (the worker stops within a second) and, every third of the lease, renews it; losing
// the lease to another worker also stops this one.
import type { Logger } from '@nestjs/common';
import type { JobsRepository } from '../jobs/jobs.repository.js';
import { RenderError } from '../render/render-errors.js';

export interface WatchdogOptions {
  jobs: JobsRepository;
  renderId: string;
  abort: AbortController;
  leaseSeconds: number;
  /** Renews the lease; false means another worker holds it now. */
  renew: () => Promise<boolean>;
  logger: Logger;
}

export function startWatchdog(o: WatchdogOptions): () => void {
  const renewEvery = Math.max(1, Math.floor(o.leaseSeconds / 3));
  let tick = 0;
  let busy = false;
  const check = async () => {
    if (busy || o.abort.signal.aborted) return;
    busy = true;
    try {
      tick++;
      const status = await o.jobs.getStatus(o.renderId);
      if (status === 'cancelled') {
        o.abort.abort(new RenderError('RENDER_CANCELLED', 'the render was cancelled'));
      } else if (status !== 'processing') {
        o.abort.abort(new RenderError('RENDER_CANCELLED', `the render is ${status ?? 'gone'}`));
      } else if (tick % renewEvery === 0 && !(await o.renew())) {
        o.abort.abort(new RenderError('RENDER_INTERNAL', 'lost the job lease to another worker', true));
      }
    } catch (err) {
      o.logger.warn(`watchdog for ${o.renderId}: ${(err as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), 1000);
  timer.unref();
  return () => clearInterval(timer);
}
