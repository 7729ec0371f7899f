/**
 * Errors raised by the GuardedFetcher. Every error carries `retryable` so that queue processors
 * (source download, callbacks, plugin fetches) can decide between "retry later" and "give up".
 *
 *  - FetchRefusedError      policy refusal (scheme, address, redirect target). Never retryable.
 *  - FetchFailedError       network failure (refused connection, reset, DNS failure). Retryable.
 *  - FetchTimeoutError      total / headers / idle / connect time limit hit. Retryable.
 *  - FetchTooLargeError     body larger than maxBytes (announced or streamed). Not retryable.
 *  - FetchTooManyRedirectsError  more than maxRedirects hops. Not retryable.
 *  - FetchHttpError         non-2xx answer where the caller asked for success (download()).
 *                           Retryable for 408/425/429/5xx.
 *  - FetchAbortedError      the caller's AbortSignal fired. Not retryable (the caller decided).
 */
export abstract class FetchError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class FetchRefusedError extends FetchError {
  readonly code = 'FETCH_REFUSED';
  readonly retryable = false;
  /** Human-readable reason, e.g. "address 127.0.0.1 is loopback" or "scheme file: is not allowed". */
  constructor(
    readonly reason: string,
    url?: string,
  ) {
    super(`request refused: ${reason}`, url);
  }
}

export class FetchFailedError extends FetchError {
  readonly code = 'FETCH_FAILED';
  readonly retryable = true;
}

export class FetchTimeoutError extends FetchError {
  readonly code = 'FETCH_TIMEOUT';
  readonly retryable = true;
  constructor(
    readonly kind: 'total' | 'headers' | 'idle' | 'connect',
    readonly timeoutMs: number | undefined,
    url?: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind} timeout${timeoutMs ? ` after ${timeoutMs} ms` : ''}`, url, options);
  }
}

export class FetchTooLargeError extends FetchError {
  readonly code = 'FETCH_TOO_LARGE';
  readonly retryable = false;
  constructor(
    readonly maxBytes: number,
    readonly announcedBytes: number | undefined,
    url?: string,
  ) {
    super(
      announcedBytes !== undefined
        ? `response of ${announcedBytes} bytes exceeds the limit of ${maxBytes} bytes`
        : `response exceeds the limit of ${maxBytes} bytes`,
      url,
    );
  }
}

export class FetchTooManyRedirectsError extends FetchError {
  readonly code = 'FETCH_TOO_MANY_REDIRECTS';
  readonly retryable = false;
  constructor(
    readonly maxRedirects: number,
    url?: string,
  ) {
    super(`more than ${maxRedirects} redirects`, url);
  }
}

export class FetchHttpError extends FetchError {
  readonly code = 'FETCH_HTTP_ERROR';
  readonly retryable: boolean;
  constructor(
    readonly status: number,
    url?: string,
  ) {
    super(`unexpected HTTP status ${status}`, url);
    this.retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  }
}

export class FetchAbortedError extends FetchError {
  readonly code = 'FETCH_ABORTED';
  readonly retryable = false;
}
