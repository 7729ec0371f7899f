// The service's HTTP API as a client sees it: HS256 tokens (minted with jose, as the auth
// provider would), JSON requests, polling a job's status, downloading its output.
// test/support/: node built-ins and production dependencies only (the bench compiles it).
import { writeFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from './service-resources.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function mintToken(sub: string, opts: { secret?: string; expiresInSec?: number; issuedAtSec?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(opts.issuedAtSec ?? now)
    .setExpirationTime(now + (opts.expiresInSec ?? 3600));
  return jwt.sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A JSON request with an optional bearer token; the body is parsed when it is JSON. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) {
    body = o.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Polls the status endpoint (as the editor does, but faster) until a terminal state or `until`. */
export async function pollStatus(
  baseUrl: string,
  token: string,
  jobId: string,
  o: { timeoutMs?: number; intervalMs?: number; until?: (s: any) => boolean } = {},
): Promise<{ final: any; seen: any[] }> {
  const deadline = Date.now() + (o.timeoutMs ?? 90_000);
  const until = o.until ?? ((s: any) => TERMINAL.includes(s.status));
  const seen: any[] = [];
  for (;;) {
    const r = await request(baseUrl, 'GET', `/api/render/${jobId}/status`, { token });
    if (r.status !== 200) throw new Error(`status ${jobId}: HTTP ${r.status} ${r.text}`);
    seen.push(r.body);
    if (until(r.body)) return { final: r.body, seen };
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${r.body.status} (${r.body.progress}%) after ${o.timeoutMs ?? 90_000} ms`);
    await sleep(o.intervalMs ?? 250);
  }
}

/** Downloads a URL to a file with fetch (as the editor does); returns the response. */
export async function downloadTo(url: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const r = await fetch(url, { headers });
  if (r.ok) await writeFile(path, Buffer.from(await r.arrayBuffer()));
  return r;
}
