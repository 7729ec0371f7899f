import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted (recursively), `undefined` members dropped (as
 * JSON.stringify does), arrays keep their order. Two bodies that differ only in key order or
 * whitespace give the same string.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}

function canonicalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalize((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalize(v)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out[key] = canonicalize(v);
  }
  return out;
}

/** sha256 (hex) of canonicalJson(body). */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}
