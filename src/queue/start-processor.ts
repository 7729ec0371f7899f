// Starting a Bull processor, the one way every worker does it.
//
// Bull 4 leaves two promises of `queue.process()` unhandled: the one it returns (it rejects
// when the queue closes before processing starts) and the blocking client's CLIENT SETNAME
// (`setWorkerName`, fired inside `process`, rejected "Connection is closed." when the queue
// closes before that client is ready). A worker stopped moments after it started — a scale-down,
// a failed boot, a test — then raises unhandled rejections, which Node turns into a crash.
import type { Logger } from '@nestjs/common';
import type { Job, ProcessPromiseFunction, Queue } from 'bull';

interface BullQueueInternals {
  setWorkerName?: () => Promise<unknown>;
  closing?: Promise<unknown>;
}

export function startProcessor<T>(
  queue: Queue<T>,
  name: string,
  concurrency: number,
  handler: (job: Job<T>) => Promise<unknown>,
  logger: Pick<Logger, 'error'>,
): void {
  const internals = queue as unknown as BullQueueInternals;
  const setWorkerName = internals.setWorkerName;
  if (setWorkerName) {
    internals.setWorkerName = function (this: unknown) {
      const naming = setWorkerName.call(this);
      naming.catch(() => undefined); // only a connection name for CLIENT LIST
      return naming;
    };
  }
  queue.process(name, concurrency, handler as ProcessPromiseFunction<T>).catch((err: unknown) => {
    if (internals.closing) return; // closed before or while starting: nothing to process anyway
    logger.error(`queue ${queue.name}: processing ${name} stopped: ${err instanceof Error ? err.message : String(err)}`);
  });
}
