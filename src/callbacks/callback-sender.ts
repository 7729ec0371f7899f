import { Inject, Injectable, Optional } from '@nestjs/common';
import { FetchError, FetchRefusedError } from '../net/errors.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import type { CallbackPayload } from './callback-payload.js';
import { decodeWebhookSecret, signWebhook } from './webhook-signature.js';

/** Bull queue of callback deliveries (one Bull job per (render job, event), jobId = webhook id). */
export { CALLBACK_QUEUE } from '../queue/queue.constants.js';
/** Name to register callbackBackoff under in the queue's `settings.backoffStrategies`. */
export const CALLBACK_BACKOFF_STRATEGY = 'callback-backoff';
export const CALLBACK_SENDER_OPTIONS = Symbol('CALLBACK_SENDER_OPTIONS');

export interface CallbackSenderOptions {
  /** Standard Webhooks secret, `whsec_<base64>` (WEBHOOK_SECRET); unset: each send names the user's own. */
  secret?: string;
  /** Whole-delivery timeout (default 10 s). */
  timeoutMs?: number;
  /** Response bytes read before the body is dropped (default 64 KiB). */
  maxResponseBytes?: number;
  userAgent?: string;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/**
 * delivered — 2xx.
 * retry     — 429, 5xx, 408, timeouts, network failures: throw and let Bull back off.
 * stop      — 410 Gone: the receiver asked us to stop; never retried.
 * give-up   — 3xx (never followed), other 4xx, refused URLs (SSRF policy): retrying cannot help.
 */
export type CallbackOutcome =
  | { result: 'delivered'; status: number; webhookId: string }
  | { result: 'retry'; status?: number; reason: string; webhookId: string }
  | { result: 'stop'; status: 410; reason: string; webhookId: string }
  | { result: 'give-up'; status?: number; reason: string; webhookId: string };

/** What a Bull processor throws for a retryable outcome (so Bull applies the backoff). */
export class CallbackDeliveryError extends Error {
  readonly retryable: boolean;
  constructor(readonly outcome: Exclude<CallbackOutcome, { result: 'delivered' }>) {
    super(`callback ${outcome.webhookId}: ${outcome.result} (${outcome.reason})`);
    this.name = 'CallbackDeliveryError';
    this.retryable = outcome.result === 'retry';
  }
}

@Injectable()
export class CallbackSender {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly fetcher: GuardedFetcher,
    @Optional() @Inject(CALLBACK_SENDER_OPTIONS) private readonly options: CallbackSenderOptions,
  ) {
    if (!options) throw new Error('CallbackSender: options are required');
    if (options.secret !== undefined) decodeWebhookSecret(options.secret); // fail fast on a malformed secret
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;
    this.now = options.now ?? Date.now;
  }

  /** `secret`: the user's own webhook secret, which wins over WEBHOOK_SECRET. */
  async send(url: string, payload: CallbackPayload, webhookId: string, secret?: string): Promise<CallbackOutcome> {
    const body = JSON.stringify(payload);
    const key = secret ?? this.options.secret;
    if (key === undefined)
      return { result: 'give-up', reason: 'no webhook secret to sign with (WEBHOOK_SECRET unset, user has none)', webhookId };
    const headers: Record<string, string> = {
      ...signWebhook(key, webhookId, Math.floor(this.now() / 1000), body),
      'content-type': 'application/json',
    };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    let status: number;
    try {
      const res = await this.fetcher.fetch(url, {
        method: 'POST',
        headers,
        body,
        followRedirects: false,
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxResponseBytes,
      });
      status = res.status;
      // The answer's body is irrelevant; read a little (keeps the connection reusable) and drop it.
      await res.buffer().catch(() => undefined);
    } catch (err) {
      if (err instanceof FetchRefusedError) return { result: 'give-up', reason: err.message, webhookId };
      if (err instanceof FetchError) {
        return err.retryable ? { result: 'retry', reason: err.message, webhookId } : { result: 'give-up', reason: err.message, webhookId };
      }
      return { result: 'retry', reason: (err as Error)?.message ?? String(err), webhookId };
    }
    return classifyCallbackStatus(status, webhookId);
  }
}

export function classifyCallbackStatus(status: number, webhookId: string): CallbackOutcome {
  if (status >= 200 && status < 300) return { result: 'delivered', status, webhookId };
  if (status === 410) return { result: 'stop', status: 410, reason: 'receiver answered 410 Gone', webhookId };
  if (status >= 300 && status < 400) return { result: 'give-up', status, reason: `redirect ${status} not followed`, webhookId };
  if (status === 429 || status === 408 || status >= 500)
    return { result: 'retry', status, reason: `receiver answered ${status}`, webhookId };
  return { result: 'give-up', status, reason: `receiver answered ${status}`, webhookId };
}

/**
 * Delay before retry number `attempt` (1 = first retry): exponential with full jitter,
 * random() × min(cap, base × 2^(attempt−1)). Defaults: base 5 s, cap 30 min.
 * Bull: `settings.backoffStrategies[CALLBACK_BACKOFF_STRATEGY] = (attemptsMade) => callbackBackoff(attemptsMade)`
 * and `backoff: {type: CALLBACK_BACKOFF_STRATEGY}` on each job.
 */
export function callbackBackoff(attempt: number, options: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  const base = options.baseMs ?? 5_000;
  const cap = options.capMs ?? 30 * 60_000;
  const random = options.random ?? Math.random;
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(cap, base * 2 ** Math.min(n - 1, 52));
  return Math.floor(random() * ceiling);
}
