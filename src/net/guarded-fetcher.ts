import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Agent, request as undiciRequest } from 'undici';
import { AddressGuard } from './address-guard.js';
import {
  FetchAbortedError,
  FetchError,
  FetchFailedError,
  FetchHttpError,
  FetchTimeoutError,
  FetchTooManyRedirectsError,
} from './errors.js';
import { headerValue, limitedResponse, startDeadline } from './fetch-limits.js';
import type { DownloadOptions, DownloadResult, GuardedFetcherOptions, GuardedFetchOptions, GuardedResponse } from './fetch-types.js';
import { isRedirectStatus, nextHop, type HopRequest } from './redirects.js';

export type {
  DownloadOptions,
  DownloadResult,
  GuardedFetcherOptions,
  GuardedFetchOptions,
  GuardedResponse,
  HostResolver,
  RequestBody,
  ResolvedAddress,
} from './fetch-types.js';

export const GUARDED_FETCHER_OPTIONS = Symbol('GUARDED_FETCHER_OPTIONS');

const DEFAULTS = {
  maxRedirects: 5,
  timeoutMs: 60_000,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxBytes: 100 * 1024 * 1024,
};

/**
 * The one door to the network. Every outbound request of the service — source videos,
 * callbacks, plugins, fonts, images — goes through here.
 *
 * - Schemes: https only (http when `allowHttp`); file:, data:, ftp:, gopher:, … refused.
 * - Hosts are parsed by the WHATWG URL parser, which normalises numeric forms
 *   (2130706433, 0177.0.0.1, 0x7f.1 → 127.0.0.1) before the check.
 * - DNS is resolved by us inside undici's connect hook, every resolved address is checked
 *   (one bad address refuses the host), and the socket connects to exactly the address checked.
 *   A rebinding DNS server therefore cannot swap the address between check and connect.
 *   TLS still verifies the certificate against the original host name (SNI = host name).
 *   (address-guard.ts, with the address verdicts of ip-policy.ts.)
 * - Redirects are manual, at most maxRedirects hops, each hop re-checked (scheme here, address at
 *   its connect). Authorization/Cookie headers are dropped when the origin changes (redirects.ts).
 * - Limits: total deadline, headers timeout, idle (body) timeout, connect timeout, max bytes
 *   (refused up front when Content-Length announces more, aborted mid-stream otherwise;
 *   fetch-limits.ts).
 */
@Injectable()
export class GuardedFetcher implements OnApplicationShutdown {
  private readonly opts: Required<
    Pick<GuardedFetcherOptions, 'maxRedirects' | 'timeoutMs' | 'headersTimeoutMs' | 'idleTimeoutMs' | 'connectTimeoutMs' | 'maxBytes'>
  > &
    GuardedFetcherOptions;
  private readonly guard: AddressGuard;
  private readonly agent: Agent;

  constructor(@Optional() @Inject(GUARDED_FETCHER_OPTIONS) options: GuardedFetcherOptions = {}) {
    this.opts = {
      ...options,
      maxRedirects: options.maxRedirects ?? DEFAULTS.maxRedirects,
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    };
    this.guard = new AddressGuard(options);
    this.agent = new Agent({
      connect: this.guard.connector(this.opts.connectTimeoutMs),
      headersTimeout: this.opts.headersTimeoutMs,
      bodyTimeout: this.opts.idleTimeoutMs,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  /**
   * Validate a URL against the scheme policy and literal-address policy without any network
   * activity. Throws FetchRefusedError. Host names are checked later, at connect time.
   */
  assertUrlAllowed(input: string | URL): URL {
    return this.guard.assertUrlAllowed(input);
  }

  async fetch(url: string | URL, options: GuardedFetchOptions = {}): Promise<GuardedResponse> {
    const maxBytes = options.maxBytes ?? this.opts.maxBytes;
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const follow = options.followRedirects ?? true;
    const maxRedirects = options.maxRedirects ?? this.opts.maxRedirects;

    let current = this.assertUrlAllowed(url);
    if (options.signal?.aborted) throw new FetchAbortedError('aborted before start', current.href, { cause: options.signal.reason });
    const deadline = startDeadline(timeoutMs, options.signal, () => current.href);

    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.opts.userAgent && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) {
      headers['user-agent'] = this.opts.userAgent;
    }
    let request: HopRequest = { method: (options.method ?? 'GET').toUpperCase(), body: options.body, headers };
    const redirects: string[] = [];

    try {
      for (;;) {
        const res = await this.send(current, request, deadline.signal);
        const location = headerValue(res.headers, 'location');
        if (follow && isRedirectStatus(res.statusCode) && location) {
          await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
          if (redirects.length >= maxRedirects) throw new FetchTooManyRedirectsError(maxRedirects, current.href);
          ({ url: current, request } = nextHop(current, res.statusCode, location, request, (next) => this.assertUrlAllowed(next)));
          redirects.push(current.href);
          continue;
        }
        const finalUrl = current.href;
        return limitedResponse(res, {
          url: finalUrl,
          redirects,
          maxBytes,
          mapError: (err) => this.mapError(err, deadline.signal, finalUrl),
          onClose: () => deadline.cleanup(),
        });
      }
    } catch (err) {
      deadline.cleanup();
      throw err instanceof FetchError ? err : this.mapError(err, deadline.signal, current.href);
    }
  }

  /** One hop through the guarded agent; a failure before the headers becomes a FetchError. */
  private async send(url: URL, request: HopRequest, signal: AbortSignal): Promise<Awaited<ReturnType<typeof undiciRequest>>> {
    try {
      return await undiciRequest(url, {
        dispatcher: this.agent,
        method: request.method as 'GET',
        headers: request.headers,
        body: request.body ?? null,
        signal,
        headersTimeout: this.opts.headersTimeoutMs,
        bodyTimeout: this.opts.idleTimeoutMs,
      });
    } catch (err) {
      throw this.mapError(err, signal, url.href);
    }
  }

  /**
   * GET `url` into `destPath`: streams to a temp file beside it, renames on success, removes the
   * partial file on any failure. Non-2xx answers raise FetchHttpError.
   */
  async download(url: string | URL, destPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const res = await this.fetch(url, {
      method: 'GET',
      headers: options.headers,
      maxBytes: options.maxBytes,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      followRedirects: options.followRedirects ?? true,
    });
    if (res.status < 200 || res.status >= 300) {
      await res.dump();
      throw new FetchHttpError(res.status, res.url);
    }
    const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomUUID()}.part`);
    try {
      await pipeline(res.body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, destPath);
    } catch (err) {
      res.body.destroy();
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err instanceof FetchError ? err : new FetchFailedError(`download failed: ${(err as Error).message}`, res.url, { cause: err });
    }
    const { size } = await stat(destPath);
    return { path: destPath, bytes: size, contentType: headerValue(res.headers, 'content-type'), url: res.url };
  }

  private mapError(err: unknown, signal: AbortSignal, url: string): FetchError {
    if (err instanceof FetchError) return err;
    if (signal.aborted && signal.reason instanceof FetchError) return signal.reason;
    const e = err as { code?: string; message?: string; cause?: unknown; name?: string };
    if (e?.cause instanceof FetchError) return e.cause;
    switch (e?.code) {
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new FetchTimeoutError('headers', this.opts.headersTimeoutMs, url, { cause: err });
      case 'UND_ERR_BODY_TIMEOUT':
        return new FetchTimeoutError('idle', this.opts.idleTimeoutMs, url, { cause: err });
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new FetchTimeoutError('connect', this.opts.connectTimeoutMs, url, { cause: err });
      default:
        return new FetchFailedError(`network error: ${e?.message ?? String(err)}`, url, { cause: err });
    }
  }
}
