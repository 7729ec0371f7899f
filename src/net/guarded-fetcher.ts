import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, buildConnector, request as undiciRequest } from 'undici';
import {
  FetchAbortedError,
  FetchError,
  FetchFailedError,
  FetchHttpError,
  FetchRefusedError,
  FetchTimeoutError,
  FetchTooLargeError,
  FetchTooManyRedirectsError,
} from './errors.js';
import { checkAddress, isLocalhostName } from './ip-policy.js';

export const GUARDED_FETCHER_OPTIONS = Symbol('GUARDED_FETCHER_OPTIONS');

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** DNS resolution used at connect time. Injectable so tests can simulate DNS (e.g. evil.test → 127.0.0.1). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface GuardedFetcherOptions {
  /** Allow plain http: URLs (default false: https only). */
  allowHttp?: boolean;
  /** Redirect hops followed when followRedirects is on (default 5). */
  maxRedirects?: number;
  /** Whole-request deadline, including reading the body (default 60 s). */
  timeoutMs?: number;
  /** Time allowed until the response headers arrive (default 15 s). */
  headersTimeoutMs?: number;
  /** Longest silence allowed while the body streams (default 30 s). */
  idleTimeoutMs?: number;
  /** TCP/TLS connect timeout per address (default 10 s). */
  connectTimeoutMs?: number;
  /** Default body limit (default 100 MiB); per-call maxBytes overrides it. */
  maxBytes?: number;
  /** DNS resolver (default: the system resolver, all addresses). */
  resolver?: HostResolver;
  /** User-Agent sent when the caller sets none. */
  userAgent?: string;
  /**
   * TEST / LOCAL DEVELOPMENT ONLY — NEVER SET IN PRODUCTION.
   * Entries "host" or "host:port" (IPv6 as "[::1]:8080") exempt from the address policy, e.g.
   * ["127.0.0.1:41234"] for a loopback test server. Scheme checks still apply.
   */
  allowHosts?: string[];
  /**
   * TEST / LOCAL DEVELOPMENT ONLY — NEVER SET IN PRODUCTION.
   * Disables the address policy entirely (loopback/private/link-local/metadata all allowed).
   */
  allowPrivateNetworks?: boolean;
}

export type RequestBody = string | Buffer | Uint8Array | Readable;

export interface GuardedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  maxBytes?: number;
  timeoutMs?: number;
  /** Default true for fetch/download; callbacks pass false (3xx answered as-is). */
  followRedirects?: boolean;
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Final URL after redirects. */
  url: string;
  /** URLs of the hops followed, in order (empty when none). */
  redirects: string[];
  /** Size-limited body stream. Consume it or call dump(); it errors with FetchTooLargeError / FetchTimeoutError. */
  body: Readable;
  buffer(): Promise<Buffer>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  /** Discard the body and release the connection. */
  dump(): Promise<void>;
}

export interface DownloadOptions {
  maxBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  followRedirects?: boolean;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType?: string;
  url: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULTS = {
  maxRedirects: 5,
  timeoutMs: 60_000,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxBytes: 100 * 1024 * 1024,
};

const defaultResolver: HostResolver = async (hostname) => {
  const all = await dnsLookup(hostname, { all: true, order: 'verbatim' });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function headerValue(h: GuardedResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
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

/**
 * The one door to the network (DESIGN §5). Every outbound request of the service — source
 * videos, callbacks, plugins, fonts, images — goes through here.
 *
 * - Schemes: https only (http when `allowHttp`); file:, data:, ftp:, gopher:, … refused.
 * - Hosts are parsed by the WHATWG URL parser, which normalises numeric forms
 *   (2130706433, 0177.0.0.1, 0x7f.1 → 127.0.0.1) before the check.
 * - DNS is resolved by us inside undici's connect hook, every resolved address is checked
 *   (one bad address refuses the host), and the socket connects to exactly the address checked.
 *   A rebinding DNS server therefore cannot swap the address between check and connect.
 *   TLS still verifies the certificate against the original host name (SNI = host name).
 * - Redirects are manual, at most maxRedirects hops, each hop re-checked (scheme here, address at
 *   its connect). Authorization/Cookie headers are dropped when the origin changes.
 * - Limits: total deadline, headers timeout, idle (body) timeout, connect timeout, max bytes
 *   (refused up front when Content-Length announces more, aborted mid-stream otherwise).
 */
@Injectable()
export class GuardedFetcher implements OnApplicationShutdown {
  private readonly opts: Required<
    Pick<GuardedFetcherOptions, 'maxRedirects' | 'timeoutMs' | 'headersTimeoutMs' | 'idleTimeoutMs' | 'connectTimeoutMs' | 'maxBytes'>
  > &
    GuardedFetcherOptions;
  private readonly resolver: HostResolver;
  private readonly allowHosts: Set<string>;
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
    this.resolver = options.resolver ?? defaultResolver;
    this.allowHosts = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()));
    const baseConnect = buildConnector({ timeout: this.opts.connectTimeoutMs });

    const guardedConnect: buildConnector.connector = (connectOpts, callback) => {
      const host = stripBrackets(connectOpts.hostname);
      const port = Number(connectOpts.port) || (connectOpts.protocol === 'https:' ? 443 : 80);
      this.resolveChecked(host, port).then(
        (addresses) => {
          // Connect to the checked addresses only, in resolver order, falling back on failure.
          const attempt = (i: number, lastErr?: Error): void => {
            if (i >= addresses.length) {
              callback(lastErr ?? new FetchFailedError(`no address for ${host}`), null);
              return;
            }
            baseConnect(
              {
                ...connectOpts,
                hostname: addresses[i].address,
                // Keep SNI + certificate check on the real host name.
                servername: isIP(host) ? undefined : host,
              },
              (err, socket) => {
                if (err) attempt(i + 1, err);
                else callback(null, socket!);
              },
            );
          };
          attempt(0);
        },
        (err: Error) => callback(err, null),
      );
    };

    this.agent = new Agent({
      connect: guardedConnect,
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
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : new URL(input.href);
    } catch {
      throw new FetchRefusedError('invalid URL', String(input));
    }
    if (url.protocol === 'http:') {
      if (!this.opts.allowHttp) throw new FetchRefusedError('scheme http: is not allowed (https only)', url.href);
    } else if (url.protocol !== 'https:') {
      throw new FetchRefusedError(`scheme ${url.protocol} is not allowed`, url.href);
    }
    if (!url.hostname) throw new FetchRefusedError('URL has no host', url.href);
    const host = stripBrackets(url.hostname);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    if (!this.isExempt(host, port)) {
      if (isIP(host)) {
        const verdict = checkAddress(host);
        if (!verdict.allowed) throw new FetchRefusedError(verdict.reason!, url.href);
      } else if (isLocalhostName(host)) {
        throw new FetchRefusedError(`host ${host} is loopback`, url.href);
      }
    }
    return url;
  }

  private isExempt(host: string, port: number): boolean {
    if (this.opts.allowPrivateNetworks) return true;
    if (this.allowHosts.size === 0) return false;
    const h = host.toLowerCase();
    const shown = isIP(h) === 6 ? `[${h}]` : h;
    return this.allowHosts.has(h) || this.allowHosts.has(shown) || this.allowHosts.has(`${shown}:${port}`);
  }

  /** Resolve a host and check every address. Called from the connect hook (connect time). */
  private async resolveChecked(host: string, port: number): Promise<ResolvedAddress[]> {
    const exempt = this.isExempt(host, port);
    if (!exempt && isLocalhostName(host)) throw new FetchRefusedError(`host ${host} is loopback`);
    let addresses: ResolvedAddress[];
    const family = isIP(host);
    if (family) {
      addresses = [{ address: host, family: family as 4 | 6 }];
    } else {
      try {
        addresses = await this.resolver(host);
      } catch (err) {
        throw new FetchFailedError(`DNS resolution of ${host} failed: ${(err as Error).message}`, undefined, { cause: err });
      }
      if (!addresses.length) throw new FetchFailedError(`DNS resolution of ${host} returned no address`);
    }
    if (!exempt) {
      for (const a of addresses) {
        const verdict = checkAddress(a.address);
        if (!verdict.allowed) {
          throw new FetchRefusedError(family ? verdict.reason! : `${verdict.reason} (resolved from ${host})`);
        }
      }
    }
    return addresses;
  }

  async fetch(url: string | URL, options: GuardedFetchOptions = {}): Promise<GuardedResponse> {
    const maxBytes = options.maxBytes ?? this.opts.maxBytes;
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs;
    const follow = options.followRedirects ?? true;
    const maxRedirects = options.maxRedirects ?? this.opts.maxRedirects;

    let current = this.assertUrlAllowed(url);
    if (options.signal?.aborted) throw new FetchAbortedError('aborted before start', current.href, { cause: options.signal.reason });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new FetchTimeoutError('total', timeoutMs, current.href)), timeoutMs);
    const onUserAbort = () => controller.abort(new FetchAbortedError('aborted by caller', current.href, { cause: options.signal?.reason }));
    options.signal?.addEventListener('abort', onUserAbort, { once: true });
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onUserAbort);
    };

    let method = (options.method ?? 'GET').toUpperCase();
    let body = options.body;
    let headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (this.opts.userAgent && !Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) {
      headers['user-agent'] = this.opts.userAgent;
    }
    const redirects: string[] = [];

    try {
      for (;;) {
        let res: Awaited<ReturnType<typeof undiciRequest>>;
        try {
          res = await undiciRequest(current, {
            dispatcher: this.agent,
            method: method as 'GET',
            headers,
            body: body ?? null,
            signal: controller.signal,
            headersTimeout: this.opts.headersTimeoutMs,
            bodyTimeout: this.opts.idleTimeoutMs,
          });
        } catch (err) {
          throw this.mapError(err, controller.signal, current.href);
        }

        const resHeaders = res.headers as GuardedResponse['headers'];
        const location = headerValue(resHeaders, 'location');
        if (follow && REDIRECT_STATUSES.has(res.statusCode) && location) {
          await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
          if (redirects.length >= maxRedirects) throw new FetchTooManyRedirectsError(maxRedirects, current.href);
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw new FetchRefusedError(`invalid redirect location ${JSON.stringify(location)}`, current.href);
          }
          next = this.assertUrlAllowed(next); // scheme + literal address; host names at connect time
          if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
            if (method !== 'HEAD') method = 'GET';
            body = undefined;
            headers = Object.fromEntries(
              Object.entries(headers).filter(([k]) => !['content-type', 'content-length'].includes(k.toLowerCase())),
            );
          } else if (body instanceof Readable) {
            throw new FetchFailedError('cannot replay a streamed request body across a redirect', current.href);
          }
          if (next.origin !== current.origin) {
            headers = Object.fromEntries(
              Object.entries(headers).filter(([k]) => !['authorization', 'cookie', 'proxy-authorization'].includes(k.toLowerCase())),
            );
          }
          redirects.push(next.href);
          current = next;
          continue;
        }

        const announced = Number(headerValue(resHeaders, 'content-length'));
        if (Number.isFinite(announced) && announced > maxBytes) {
          res.body.destroy();
          throw new FetchTooLargeError(maxBytes, announced, current.href);
        }

        const finalUrl = current.href;
        const limiter = new ByteLimiter(maxBytes, finalUrl);
        const signal = controller.signal;
        const mapError = (err: unknown) => this.mapError(err, signal, finalUrl);
        // Body errors (timeouts, aborts, size) surface on `limiter`; the deadline keeps running until the body ends.
        res.body.on('error', () => undefined);
        res.body.pipe(limiter);
        res.body.once('error', (err) => limiter.destroy(mapError(err)));
        limiter.once('close', () => {
          cleanup();
          if (!res.body.destroyed) res.body.destroy();
        });
        limiter.once('error', () => res.body.destroy());

        const collect = async (): Promise<Buffer> => {
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of limiter) chunks.push(chunk as Buffer);
          } catch (err) {
            throw err instanceof FetchError ? err : mapError(err);
          }
          return Buffer.concat(chunks);
        };
        return {
          status: res.statusCode,
          headers: resHeaders,
          url: finalUrl,
          redirects,
          body: limiter,
          buffer: collect,
          text: async () => (await collect()).toString('utf8'),
          json: async <T>() => JSON.parse((await collect()).toString('utf8')) as T,
          dump: async () => {
            limiter.destroy();
          },
        };
      }
    } catch (err) {
      cleanup();
      throw err instanceof FetchError ? err : this.mapError(err, controller.signal, current.href);
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
