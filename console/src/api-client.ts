// The console's HTTP client: JSON calls with the signed-in user's bearer token, and the upload
// PUT with progress. The token lives in sessionStorage (this tab only).
import type { ErrorBody } from './api-types.js';

const TOKEN_KEY = 'ecg-render.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

let token: string | null = sessionStorage.getItem(TOKEN_KEY);

/** The bearer token the calls carry (null: signed out). */
export function currentToken(): string | null {
  return token;
}

/** Sets the token for the next calls; `remember` also keeps it for this tab's reloads, null forgets it there. */
export function useToken(t: string | null, remember: boolean): void {
  token = t;
  if (!remember) return;
  if (t === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, t);
}

/** A JSON call; the answer is typed by the caller (the endpoint's response type in api-types.ts). */
export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const h: Record<string, string> = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const raw = await res.text();
  let data: unknown;
  try {
    data = raw ? JSON.parse(raw) : undefined;
  } catch {
    data = raw;
  }
  if (!res.ok) {
    const errorBody = data as ErrorBody | null | undefined;
    const d = errorBody?.detail;
    const details = Array.isArray(d?.details)
      ? (d.details as Array<{ field: string; reason: string }>)
          .slice(0, 3)
          .map((x) => `${x.field}: ${x.reason}`)
          .join('; ')
      : '';
    const message = d?.message ?? errorBody?.message ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, details && !String(message).includes(details) ? `${message} (${details})` : message, d?.code);
  }
  return data as T;
}

/** PUT with upload progress (fetch has none). */
export function putFile(
  url: string,
  file: File,
  headers: Record<string, string> | undefined,
  onProgress: (share: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers ?? {})) xhr.setRequestHeader(k, v);
    if (!headers || !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new ApiError(xhr.status, `upload failed: HTTP ${xhr.status}`));
    xhr.onerror = () => reject(new Error('upload failed: network error'));
    xhr.send(file);
  });
}

/** The `sub` claim of a JWT, for display ('?' when unreadable). */
export function tokenSubject(t: string): string {
  try {
    const payload = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string | number };
    return String(payload.sub ?? '?');
  } catch {
    return '?';
  }
}
