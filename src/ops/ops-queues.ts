// Bull queues are registered by other modules (BullModule.registerQueue in the api producers and
// the worker processors); ops code looks them up by name and copes with their absence, so the
// same modules work in api, worker and standalone roots.
import type { ModuleRef } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { CALLBACK_QUEUE, RENDER_QUEUE } from '../queue/queue.constants.js';

/** The queues ops code watches by default: `render` and `render-callbacks`. */
export const OPS_QUEUE_NAMES: readonly string[] = [RENDER_QUEUE, CALLBACK_QUEUE];

/** The Bull queue registered under `name` anywhere in the app, or undefined. */
export function findQueue(refs: ModuleRef | INestApplicationContext, name: string): Queue | undefined {
  try {
    return refs.get<Queue>(getQueueToken(name), { strict: false }) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Every registered queue among `names` (absent ones are skipped). */
export function findQueues(refs: ModuleRef | INestApplicationContext, names: readonly string[] = OPS_QUEUE_NAMES): Queue[] {
  return names.map((n) => findQueue(refs, n)).filter((q): q is Queue => q !== undefined);
}

/** Resolves `p` or rejects after `ms` with "<what> timed out after N ms"; the timer never holds the process. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
