import { createHmac, timingSafeEqual } from 'node:crypto';

/** Standard Webhooks (https://www.standardwebhooks.com) signing, interoperable with the `standardwebhooks` package. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Secret formats: `whsec_<base64>` (the Standard Webhooks form), bare base64 (as the
 * standardwebhooks lib accepts), or raw key bytes as a Buffer/Uint8Array.
 */
export function decodeWebhookSecret(secret: string | Uint8Array): Buffer {
  if (typeof secret !== 'string') {
    if (secret.length === 0) throw new Error('webhook secret is empty');
    return Buffer.from(secret);
  }
  const b64 = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('webhook secret must be whsec_<base64> or base64');
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new Error('webhook secret must decode to at least 16 bytes');
  return key;
}

function signature(key: Buffer, id: string, timestampSec: number, body: string | Buffer): string {
  const h = createHmac('sha256', key);
  h.update(`${id}.${timestampSec}.`);
  h.update(body);
  return h.digest('base64');
}

/** Headers for one delivery: `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`. */
export function signWebhook(secret: string | Uint8Array, id: string, timestampSec: number, body: string | Buffer): WebhookHeaders {
  if (!id || /[\s,]/.test(id)) throw new Error('webhook id must be non-empty without spaces or commas');
  if (!Number.isInteger(timestampSec) || timestampSec < 0) throw new Error('webhook timestamp must be integer seconds');
  const key = decodeWebhookSecret(secret);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': `v1,${signature(key, id, timestampSec, body)}`,
  };
}

/**
 * Receiver-side check (for our own tests and for clients who prefer not to pull in a library):
 * any of the space-separated v1 signatures must match, and the timestamp must be within tolerance.
 */
export function verifyWebhook(
  secret: string | Uint8Array,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  options: { toleranceSec?: number; nowSec?: number } = {},
): boolean {
  const get = (n: string) => {
    const v = headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = get('webhook-id');
  const ts = Number(get('webhook-timestamp'));
  const sigs = get('webhook-signature');
  if (!id || !Number.isInteger(ts) || !sigs) return false;
  const now = options.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (options.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signature(decodeWebhookSecret(secret), id, ts, body));
  return sigs.split(' ').some((s) => {
    const [version, value] = s.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
