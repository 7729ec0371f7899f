// Content-Security-Policies of the console (strict: our own scripts only, no inline script, no
// eval, no third-party origin except where results are downloaded from / uploaded to) and of the
// caption frame the preview runs the engine in.
import type { AppConfig } from '../config/app-config.js';

function origin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Origins other than 'self' the console may PUT uploads to and play downloads from. */
export function storageOrigins(config: AppConfig): string[] {
  const out = new Set<string>();
  const base = origin(config.http.publicBaseUrl);
  if (base) out.add(base);
  if (config.storage.driver === 's3') {
    const endpoint = origin(config.storage.s3PublicEndpoint ?? config.storage.s3Endpoint);
    if (endpoint) {
      out.add(endpoint);
      // Virtual-hosted style: <bucket>.<endpoint host>
      const u = new URL(endpoint);
      out.add(`${u.protocol}//*.${u.host}`);
    } else {
      out.add('https://*.amazonaws.com');
    }
  }
  return [...out];
}

export function consoleCsp(config: AppConfig): string {
  const extra = storageOrigins(config).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `media-src 'self' blob: ${extra}`.trim(),
    `connect-src 'self' ${extra}`.trim(),
    "frame-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The caption frame: our caption bundle only; it styles through one injected <style> element. */
export const CAPTION_FRAME_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  'img-src data: blob:',
  'font-src data: blob:',
  'media-src data: blob:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "object-src 'none'",
].join('; ');
