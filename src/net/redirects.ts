import { Readable } from 'node:stream';
import { FetchFailedError, FetchRefusedError } from './errors.js';
import type { RequestBody } from './fetch-types.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** What is sent on one hop. */
export interface HopRequest {
  method: string;
  body: RequestBody | undefined;
  headers: Record<string, string>;
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

/**
 * The next hop of a redirect answered `status` with `location`. The target goes through
 * `checkUrl` like the first URL (scheme + literal address; host names at connect time). 303, and
 * 301/302 after a POST, continue as a body-less GET (HEAD stays HEAD); any other redirect resends
 * the body, which a stream cannot be. Authorization/Cookie headers are dropped when the origin
 * changes.
 */
export function nextHop(
  current: URL,
  status: number,
  location: string,
  request: HopRequest,
  checkUrl: (url: URL) => URL,
): { url: URL; request: HopRequest } {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new FetchRefusedError(`invalid redirect location ${JSON.stringify(location)}`, current.href);
  }
  next = checkUrl(next);
  let { method, body, headers } = request;
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    if (method !== 'HEAD') method = 'GET';
    body = undefined;
    headers = withoutHeaders(headers, ['content-type', 'content-length']);
  } else if (body instanceof Readable) {
    throw new FetchFailedError('cannot replay a streamed request body across a redirect', current.href);
  }
  if (next.origin !== current.origin) headers = withoutHeaders(headers, ['authorization', 'cookie', 'proxy-authorization']);
  return { url: next, request: { method, body, headers } };
}
