// The security-relevant settings (issue 12), read by loadAppConfig. Each refusal names the
// variable; secrets that would share a key with JWT_SECRET are refused at boot.
import { decodeWebhookSecret } from '../callbacks/webhook-signature.js';
import type { EnvReader } from './env-reader.js';

export interface SecurityConfig {
  /** NODE_ENV=development: the only mode in which dev tokens may be enabled. */
  developmentMode: boolean;
  /** Tokens older than this (now − iat) are refused; tokens must carry exp and iat. */
  jwtMaxAgeSeconds: number;
  /** Clock skew allowed on exp / nbf / iat. */
  jwtClockSkewSeconds: number;
  /** Bearer token of GET /metrics; unset: /metrics only on a worker's internal health port. */
  metricsToken?: string;
  /** Swagger UI (/docs) and OpenAPI (/docs-json). */
  docsEnabled: boolean;
  /** Lifetime of the dashboard's session cookie. */
  adminSessionSeconds: number;
  /** Bytes of uploads a user may hold at once (upload targets granted and not yet expired). */
  uploadQuotaBytes: number;
  /** Uploaded sources are deleted this many hours after they were granted. */
  uploadRetentionHours: number;
  /** Rendered outputs are deleted (status answers `expired`) this many days after completion. */
  outputRetentionDays: number;
  /** How often the retention sweep runs. */
  retentionSweepIntervalMs: number;
  /** Requests per minute per user (and, ×4, per IP) on the expensive endpoints. */
  rateLimitPerMinute: number;
  /** Parity checks a user may have queued or running at once. */
  parityPerUser: number;
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** Secrets of other purposes must not be JWT_SECRET (nor encode it): a receiver could mint tokens. */
function sameKey(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a === b;
}

export function readSecretsAndSecurity(
  r: EnvReader,
  env: Record<string, string | undefined>,
  jwtSecret: string | undefined,
): { urlSigningSecret: string; webhookSecret?: string; security: SecurityConfig } {
  const urlSigningSecret = r.str('URL_SIGNING_SECRET') ?? '';
  if (!urlSigningSecret) r.problems.push('URL_SIGNING_SECRET: required (32+ characters, different from JWT_SECRET)');
  else if (urlSigningSecret.length < 32) r.problems.push('URL_SIGNING_SECRET: must be at least 32 characters');
  else if (sameKey(urlSigningSecret, jwtSecret)) r.problems.push('URL_SIGNING_SECRET: must differ from JWT_SECRET');

  // Unset: the service starts, and a create with a callbackUrl is refused (400) unless the user
  // has a webhook secret of their own (POST /api/webhooks/secret).
  const webhookSecret = r.str('WEBHOOK_SECRET');
  if (webhookSecret !== undefined) {
    try {
      const key = decodeWebhookSecret(webhookSecret);
      const jwtBytes = jwtSecret ? Buffer.from(jwtSecret) : undefined;
      if (
        sameKey(webhookSecret, jwtSecret) ||
        (jwtBytes && key.equals(jwtBytes)) ||
        (jwtSecret && key.equals(Buffer.from(jwtSecret, 'base64')))
      ) {
        r.problems.push('WEBHOOK_SECRET: must differ from JWT_SECRET');
      } else if (sameKey(webhookSecret, urlSigningSecret)) {
        r.problems.push('WEBHOOK_SECRET: must differ from URL_SIGNING_SECRET');
      }
    } catch (err) {
      r.problems.push(`WEBHOOK_SECRET: ${(err as Error).message}`);
    }
  }

  const metricsToken = r.str('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) r.problems.push('METRICS_TOKEN: must be at least 16 characters');
  const adminToken = r.str('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    r.problems.push(`ADMIN_TOKEN: must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }

  const security: SecurityConfig = {
    developmentMode: env.NODE_ENV === 'development',
    jwtMaxAgeSeconds: r.int('JWT_MAX_AGE_SECONDS', 24 * 3600, 60, 30 * 24 * 3600),
    jwtClockSkewSeconds: r.int('JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
    metricsToken,
    docsEnabled: r.bool('DOCS_ENABLED', false),
    adminSessionSeconds: r.int('ADMIN_SESSION_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
    uploadQuotaBytes: r.int('UPLOAD_QUOTA_BYTES', 10 * 1024 ** 3, 0, Number.MAX_SAFE_INTEGER),
    uploadRetentionHours: r.int('UPLOAD_RETENTION_HOURS', 24, 1, 24 * 365),
    outputRetentionDays: r.int('OUTPUT_RETENTION_DAYS', 7, 1, 3650),
    retentionSweepIntervalMs: r.int('RETENTION_SWEEP_INTERVAL_MS', 15 * 60_000, 500, 24 * 3600_000),
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 30, 1, 100_000),
    parityPerUser: r.int('PARITY_PER_USER', 1, 1, 100),
  };
  return { urlSigningSecret, webhookSecret, security };
}
