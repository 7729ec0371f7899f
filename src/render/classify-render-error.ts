// What a failure means for a render, decided in one place: every error the engine, the source
// download and the worker meet becomes a RenderError (code, retryable, details) here, by the
// error's type or code — never by its class name. The worker's failure policy (retry or fail),
// the job row, the callbacks and the command line all act on the result.
import { FfmpegError, MediaRejectedError } from '../encoder/errors.js';
import { FontUnavailableError } from '../fonts/font-resolver.js';
import { AssetReferenceError } from '../fonts/font-sources.js';
import { FetchError } from '../net/errors.js';
import { PluginOriginError } from '../plugins/plugin-errors.js';
import { ScenarioValidationError } from '../scenario/prepare-scenario.js';
import { ProtocolError } from 'puppeteer-core';
import { RenderError, type RenderErrorCode } from './render-errors.js';

/**
 * Where the error arose, for errors whose meaning depends on it:
 *  - `source`: downloading the job's video (every failure there but a full disk is RENDER_SOURCE_UNAVAILABLE);
 *  - `fonts`: resolving fonts and images (a failed fetch is a retryable RENDER_FONT_UNAVAILABLE);
 *  - `render`: the streaming pipeline (a browser crash, an ffmpeg failure);
 *  - `join`: concatenating segments (any failure of ffmpeg is RENDER_ENCODER_FAILED);
 *  - `job` (default): anywhere else in a job.
 */
export type RenderErrorStage = 'source' | 'fonts' | 'render' | 'join' | 'job';

export interface ClassifyContext {
  stage?: RenderErrorStage;
  /** The render's signal: once it fired, any failure is the cancel (RENDER_CANCELLED). */
  signal?: AbortSignal;
}

/** `err` as a RenderError; an error of no known kind is RENDER_INTERNAL (retryable). */
export function classifyRenderError(err: unknown, ctx: ClassifyContext = {}): RenderError {
  return knownRenderError(err, ctx) ?? new RenderError('RENDER_INTERNAL', messageOf(err), true, undefined, { cause: err });
}

/**
 * `err` as a RenderError when its kind is known, else `err` itself: for the engine's own steps,
 * whose unknown errors go up as they are (the command line prints their stack; the worker's
 * failure policy makes them RENDER_INTERNAL with classifyRenderError).
 */
export function asKnownRenderError(err: unknown, ctx: ClassifyContext = {}): unknown {
  return knownRenderError(err, ctx) ?? err;
}

function knownRenderError(err: unknown, { stage = 'job', signal }: ClassifyContext): RenderError | undefined {
  if (err instanceof RenderError) return err;
  const message = messageOf(err);
  const as = (code: RenderErrorCode, text: string, retryable: boolean, details?: unknown) =>
    new RenderError(code, text, retryable, details, { cause: err });

  // The request itself: the user's to fix, never worth another attempt (but a plugin origin that is down).
  if (err instanceof ScenarioValidationError) return as('RENDER_INVALID_SCENARIO', err.message, false, err.issues);
  if (err instanceof AssetReferenceError) {
    return as('RENDER_INVALID_SCENARIO', err.message, false, [{ path: err.field, reason: err.message }]);
  }
  if (err instanceof MediaRejectedError) return as('RENDER_MEDIA_REJECTED', `video rejected: ${err.reason}`, false);
  if (err instanceof PluginOriginError) {
    return err.retryable
      ? as('RENDER_PLUGIN_UNAVAILABLE', err.message, true, { plugin: err.plugin })
      : as('RENDER_PLUGIN_REFUSED', err.message, false, { plugin: err.plugin });
  }
  if (err instanceof FontUnavailableError) return as('RENDER_FONT_UNAVAILABLE', err.message, false, err.details);

  // Our disk, not the user's video, wherever it filled up (a download included).
  const diskFull = () => as('RENDER_DISK_FULL', 'no space left on the render disk', true);
  if (stage === 'source') {
    // The caller lets a cancel through before this: here the video could not be had.
    if (isDiskFull(err)) return diskFull();
    if (hasCode(err, 'STORAGE_NOT_FOUND')) {
      return as('RENDER_SOURCE_UNAVAILABLE', 'the uploaded video was not found (was the upload completed?)', false);
    }
    // A FetchError knows whether it is worth another attempt; storage and S3 errors are taken as transient.
    return as('RENDER_SOURCE_UNAVAILABLE', `could not download the video: ${message}`, err instanceof FetchError ? err.retryable : true);
  }
  if (signal?.aborted) return as('RENDER_CANCELLED', 'the render was cancelled', false);
  if (stage === 'fonts') return as('RENDER_FONT_UNAVAILABLE', `fonts could not be fetched: ${message}`, true);
  if (stage === 'join') return as('RENDER_ENCODER_FAILED', `joining segments failed: ${message}`, false);

  if (isDiskFull(err)) return diskFull();
  if (stage === 'render' && isBrowserCrash(err)) return as('RENDER_BROWSER_CRASHED', `the caption browser crashed: ${message}`, true);
  if (stage === 'render' && err instanceof FfmpegError) return as('RENDER_ENCODER_FAILED', message, false);
  // AWS SDK errors carry $metadata (a failed UploadPart answers e.g. SlowDown or InternalError),
  // the storage drivers' own errors a STORAGE_* code: storing (or fetching) an object failed.
  if (isStorageError(err)) return as('RENDER_STORAGE_FAILED', `storing the result failed: ${message}`, true);
  return undefined;
}

function messageOf(err: unknown): string {
  return (err as Error | undefined)?.message ?? String(err);
}

function hasCode(err: unknown, code: string): boolean {
  return (err as { code?: unknown } | undefined)?.code === code;
}

function isStorageError(err: unknown): boolean {
  const e = err as { $metadata?: unknown; code?: unknown } | undefined;
  return !!e && (typeof e.$metadata === 'object' || (typeof e.code === 'string' && e.code.startsWith('STORAGE_')));
}

const BROWSER_CRASH =
  /Target closed|Page crashed|Session closed|Connection closed|Protocol error|browser has disconnected|Navigating frame was detached|TargetCloseError/i;

/**
 * Chromium or its page went away under the render (the browser is then not reused): puppeteer's
 * protocol errors (its TargetCloseError — "Page closed!", "Frame detached." — is one), or a
 * crash told only in the message.
 */
export function isBrowserCrash(err: unknown): boolean {
  return err instanceof ProtocolError || BROWSER_CRASH.test(messageField(err));
}

export function isDiskFull(err: unknown): boolean {
  return hasCode(err, 'ENOSPC') || /No space left on device|ENOSPC/.test(messageField(err));
}

function messageField(err: unknown): string {
  const message = (err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : '';
}
