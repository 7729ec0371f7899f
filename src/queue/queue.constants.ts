// Queue names, job names, Bull job ids and job options in one place; Bull job ids derive from the
// render id, so a duplicate enqueue of the same render is a no-op in Redis.
import type { JobOptions } from 'bull';

export const RENDER_QUEUE = 'render';
export const RENDER_JOB = 'render-video';
/** One segment of a long render (frames [first, first + count)), rendered by any worker. */
export const RENDER_SEGMENT_JOB = 'render-segment';
/** Joins a split render's segments once the last one is done. */
export const RENDER_JOIN_JOB = 'join-segments';

export const CALLBACK_QUEUE = 'render-callbacks';
export const CALLBACK_JOB = 'deliver-callback';

/** Parity checks of finished renders: the API enqueues, a worker runs them (src/parity/parity-queue.ts). */
export const PARITY_QUEUE = 'render-parity';
export const PARITY_JOB = 'parity';

/** What a Bull job is for; its Bull job id is derived from this alone. */
export type BullJobRef =
  | { kind: 'render'; renderId: string }
  | { kind: 'segment'; renderId: string; idx: number }
  | { kind: 'join'; renderId: string }
  | { kind: 'callback'; webhookId: string }
  | { kind: 'parity'; renderId: string; frames: number };

/** The Bull job id of every job the service enqueues, so producers and readers find the same job. */
export function bullJobId(ref: BullJobRef): string {
  switch (ref.kind) {
    case 'render':
      return `render:${ref.renderId}`;
    case 'segment':
      return `segment:${ref.renderId}:${ref.idx}`;
    case 'join':
      return `join:${ref.renderId}`;
    case 'callback':
      return `callback:${ref.webhookId}`;
    case 'parity':
      return `parity:${ref.renderId}:${ref.frames}`;
  }
}

/** Retryable failures (crashed browser, network) get 3 attempts; input errors are discarded. */
export const RENDER_JOB_OPTIONS: JobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1_000,
  removeOnFail: 5_000,
};

export const CALLBACK_JOB_OPTIONS: JobOptions = {
  removeOnComplete: 1_000,
  removeOnFail: 5_000,
};

/** Bull lock: renewed every lockDuration/2 by the worker; a worker that dies loses it. */
export const RENDER_QUEUE_SETTINGS = {
  lockDuration: 60_000,
  stalledInterval: 30_000,
  maxStalledCount: 2,
};
