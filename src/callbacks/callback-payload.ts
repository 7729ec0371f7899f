/** Snake_case callback body (README "HTTP API", callbackUrl). */
export type CallbackStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

export interface CallbackPayload {
  job_id: string;
  status: CallbackStatus;
  progress: number;
  download_url?: string;
  file_size?: number;
  duration?: number;
  error_message?: string;
  error_code?: string;
  /** What renders other than as written (FONT_FALLBACK=warn: missing fonts, tofu); present when any. */
  warnings?: string[];
  /** ISO 8601 time of the event. */
  timestamp: string;
}

export interface CallbackPayloadInput {
  jobId: string;
  status: CallbackStatus;
  progress: number;
  downloadUrl?: string;
  fileSize?: number;
  /** Seconds. */
  duration?: number;
  errorMessage?: string;
  errorCode?: string;
  warnings?: readonly string[];
  timestamp?: Date | string;
}

export function buildCallbackPayload(input: CallbackPayloadInput): CallbackPayload {
  const progress = Math.max(0, Math.min(100, Math.round(Number.isFinite(input.progress) ? input.progress : 0)));
  const ts = input.timestamp === undefined ? new Date() : new Date(input.timestamp);
  const payload: CallbackPayload = { job_id: input.jobId, status: input.status, progress, timestamp: ts.toISOString() };
  if (input.downloadUrl !== undefined) payload.download_url = input.downloadUrl;
  if (input.fileSize !== undefined) payload.file_size = input.fileSize;
  if (input.duration !== undefined) payload.duration = input.duration;
  if (input.errorMessage !== undefined) payload.error_message = input.errorMessage.slice(0, 2000);
  if (input.errorCode !== undefined) payload.error_code = input.errorCode;
  if (input.warnings?.length) payload.warnings = [...input.warnings];
  return payload;
}

/**
 * Deterministic webhook id per (job, event): a retried delivery, or the same event produced twice
 * by a job that ran twice (at-least-once), carries the same id so receivers can de-duplicate.
 * Event names: the terminal status ('completed' | 'failed' | 'cancelled') or e.g. 'processing'.
 */
export function webhookIdFor(jobId: string, event: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  return `msg_${clean(jobId)}_${clean(event)}`;
}
