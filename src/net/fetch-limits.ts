import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import { FetchAbortedError, FetchError, FetchTimeoutError, FetchTooLargeError } from './errors.js';
import type { GuardedResponse } from './fetch-types.js';

export function headerValue(h: GuardedResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The whole-request deadline and the caller's signal as one signal; cleanup() once the request is over. */
export interface Deadline {
  signal: AbortSignal;
  cleanup(): void;
}

/** `currentUrl` names the hop under way in the timeout or abort error. */
export function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined, currentUrl: () => string): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new FetchTimeoutError('total', timeoutMs, currentUrl())), timeoutMs);
  const onUserAbort = () => controller.abort(new FetchAbortedError('aborted by caller', currentUrl(), { cause: callerSignal?.reason }));
  callerSignal?.addEventListener('abort', onUserAbort, { once: true });
  let cleaned = false;
  return {
    signal: controller.signal,
    cleanup: () => {
      if (cleaned) return;
      cleaned = true;
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onUserAbort);
    },
  };
}

/** Counts bytes and fails the stream once the limit is passed. */
class ByteLimiter extends Transform {
  bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly url: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      cb(new FetchTooLargeError(this.limit, undefined, this.url));
      return;
    }
    cb(null, chunk);
  }
}

export interface LimitedBodyOptions {
  /** Final URL (after redirects) and the hops followed. */
  url: string;
  redirects: string[];
  maxBytes: number;
  /** Turns a body error (undici timeout, abort) into a FetchError. */
  mapError: (err: unknown) => FetchError;
  /** Called once the body stream has closed, consumed or not (ends the deadline). */
  onClose: () => void;
}

/**
 * The final answer with its body limited: refused up front when Content-Length announces more
 * than maxBytes, aborted mid-stream otherwise. Body errors (timeouts, aborts, size) surface on
 * the returned body; the deadline keeps running until the body ends.
 */
export function limitedResponse(res: Dispatcher.ResponseData<unknown>, o: LimitedBodyOptions): GuardedResponse {
  const headers = res.headers as GuardedResponse['headers'];
  const announced = Number(headerValue(headers, 'content-length'));
  if (Number.isFinite(announced) && announced > o.maxBytes) {
    res.body.destroy();
    throw new FetchTooLargeError(o.maxBytes, announced, o.url);
  }

  const limiter = new ByteLimiter(o.maxBytes, o.url);
  res.body.on('error', () => undefined);
  res.body.pipe(limiter);
  res.body.once('error', (err) => limiter.destroy(o.mapError(err)));
  limiter.once('close', () => {
    o.onClose();
    if (!res.body.destroyed) res.body.destroy();
  });
  limiter.once('error', () => res.body.destroy());

  const collect = async (): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of limiter) chunks.push(chunk as Buffer);
    } catch (err) {
      throw err instanceof FetchError ? err : o.mapError(err);
    }
    return Buffer.concat(chunks);
  };
  return {
    status: res.statusCode,
    headers,
    url: o.url,
    redirects: o.redirects,
    body: limiter,
    buffer: collect,
    text: async () => (await collect()).toString('utf8'),
    json: async <T>() => JSON.parse((await collect()).toString('utf8')) as T,
    dump: () => {
      limiter.destroy();
      return Promise.resolve();
    },
  };
}
