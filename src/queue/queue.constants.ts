// Queue names, job names and job options in one place; Bull job ids derive from the render id,
// so a duplicate enqueue of the same render is a no-op in Redis.
import type { JobOptions } from 'bull';

export const RENDER_QUEUE = 'render';
export const RENDER_JOB = 'render-video';
/** One segment of a long render (frames [first, first + count)), rendered by any worker. */
export const RENDER_SEGMENT_JOB = 'render-segment';
/** Joins a split render's segments once the last one is done. */
export const RENDER_JOIN_JOB = 'join-segments';

export const CALLBACK_QUEUE = 'render-callbacks';
export const CALLBACK_JOB = 'deliver-callback';

export function renderBullJobId(renderId: string): string {
  return `render:${renderId}`;
}

export function segmentBullJobId(renderId: string, idx: number): string {
  return `segment:${renderId}:${idx}`;
}

export function joinBullJobId(renderId: string): string {
  return `join:${renderId}`;
}

export function callbackBullJobId(webhookId: string): string {
  return `callback:${webhookId}`;
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
