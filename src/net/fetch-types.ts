// The guarded fetcher's public shapes: its options, a request's options, the response and the
// download result. Re-exported by guarded-fetcher.ts, the module callers import.
import type { Readable } from 'node:stream';

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
