// Configuration is read from the environment once, at boot, into one typed object. Every
// problem is reported together, naming the variable, so a misconfigured pod fails fast.
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { readFontConfig, type FontConfig } from '../fonts/font-config.js';
import { CAPTURE_PAGE_LIMITS } from '../render/render-limits.js';
import { readPluginConfig, type PluginOriginConfig } from '../plugins/plugin-config.js';
import { readSecretsAndSecurity, type SecurityConfig } from './security-config.js';
import { ConfigError, EnvReader, readAllowPrivateNetworks, type Env } from './env-reader.js';

export { ConfigError, EnvReader };

export const RENDER_MODES = ['api', 'worker', 'standalone'] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

export type EncoderPreference = 'auto' | 'nvenc' | 'x264';

/** What the engine needs: enough for the command line, which has no database, queue or S3. */
export interface EngineConfig {
  chromiumPath: string;
  ffmpegPath: string;
  ffprobePath: string;
  browserPoolSize: number;
  /** Pages of one render surveying and capturing at once (src/render/ordered-capture.ts). */
  capturePages: number;
  encoder: EncoderPreference;
  /** Concurrent NVENC encodes at most in this process; more run on libx264. */
  nvencMaxSessions: number;
  x264Preset: string;
  tempDir: string;
  /** Fonts and scenario assets (src/fonts/font-config.ts). */
  fonts: FontConfig;
}

/** The database settings the app, `npm run migration:run` and the TypeORM CLI (ormconfig.ts) share. */
export interface DatabaseConfig {
  url: string;
  /** Optional schema (tests isolate themselves in one). */
  schema?: string;
  /** pg pool size of the migration script and the TypeORM CLI (DATABASE_POOL_SIZE). */
  poolSize: number;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ecg_render';

export interface QuotaDefaults {
  daily: number;
  monthly: number;
  concurrent: number;
}

export interface AppConfig {
  mode: RenderMode;
  engine: EngineConfig;
  http: { port: number; publicBaseUrl: string; corsOrigins: string[] };
  databaseUrl: string;
  /** Optional schema (tests isolate themselves in one). */
  databaseSchema?: string;
  redisUrl: string;
  /** Redis key prefix of the Bull queues. */
  queuePrefix: string;
  /** Run pending migrations at start-up (under an advisory lock). */
  migrateOnStart: boolean;
  auth: { jwtSecret?: string; jwksUrl?: string; issuer?: string; audience?: string; allowDevTokens: boolean };
  storage: {
    driver: 'local' | 's3';
    localDir: string;
    s3Bucket?: string;
    s3Endpoint?: string;
    /** Endpoint in presigned URLs when clients reach S3 by another name than the service (compose). */
    s3PublicEndpoint?: string;
    s3Region: string;
    s3ForcePathStyle: boolean;
    s3SourceBuckets: string[];
    downloadUrlTtlSeconds: number;
    urlSigningSecret: string;
  };
  quota: QuotaDefaults;
  worker: {
    concurrency: number;
    leaseSeconds: number;
    healthPort: number;
    /** Bull lock of a running render (renewed every half of it); a dead worker loses it after this. */
    lockDurationMs: number;
    /** How often Bull looks for jobs whose lock expired (stalled) and hands them out again. */
    stalledIntervalMs: number;
    /** How often PostgreSQL is reconciled with the queue (src/worker/job-reconciler.ts). */
    reconcileIntervalMs: number;
    /** Long renders are cut into segments of about this many seconds (0: never split). */
    segmentSeconds: number;
    /** Renders shorter than this are never split. */
    segmentMinDurationSeconds: number;
    /** On SIGTERM, how long running renders may finish before they are handed back (WORKER_SHUTDOWN_GRACE_MS). */
    shutdownGraceMs: number;
  };
  /**
   * secret: WEBHOOK_SECRET; unset → only users with a webhook secret of their own may set callbackUrl.
   * maxAttempts: CALLBACK_MAX_ATTEMPTS (default 8; with callbackBackoff's jittered doubling from 5 s,
   * the retries of 8 attempts wait 635 s at most in all).
   */
  callbacks: { secret?: string; maxAttempts: number };
  security: SecurityConfig;
  limits: { maxVideoBytes: number; maxVideoDurationSec: number; maxScenarioBytes: number };
  adminToken?: string;
  /** Test-only: lets the guarded fetcher reach loopback. Refused when NODE_ENV=production. */
  allowPrivateNetworks: boolean;
  /** PLUGIN_ORIGIN, PLUGIN_PINS, PLUGIN_CACHE_DIR (src/plugins/plugin-config.ts). */
  plugins: PluginOriginConfig;
}

export function loadEngineConfig(env: Env = process.env): EngineConfig {
  const r = new EnvReader(env);
  const cfg = readEngine(r, readAllowPrivateNetworks(r));
  if (r.problems.length) throw new ConfigError(r.problems);
  return cfg;
}

function readEngine(r: EnvReader, allowPrivateNetworks: boolean): EngineConfig {
  return {
    chromiumPath: r.str('CHROMIUM_PATH', '/usr/bin/chromium'),
    ffmpegPath: r.str('FFMPEG_PATH', 'ffmpeg'),
    ffprobePath: r.str('FFPROBE_PATH', 'ffprobe'),
    browserPoolSize: r.int('BROWSER_POOL_SIZE', 1, 1, 16),
    capturePages: r.int('CAPTURE_PAGES', CAPTURE_PAGE_LIMITS.default, CAPTURE_PAGE_LIMITS.min, CAPTURE_PAGE_LIMITS.max),
    encoder: r.oneOf('ENCODER', ['auto', 'nvenc', 'x264'] as const, 'auto'),
    nvencMaxSessions: r.int('NVENC_MAX_SESSIONS', 3, 1, 64),
    x264Preset: r.oneOf('X264_PRESET', ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'] as const, 'veryfast'),
    tempDir: resolve(r.str('RENDER_TMP_DIR', tmpdir())),
    fonts: readFontConfig(r, allowPrivateNetworks),
  };
}

/** The database settings alone: for the migration script and the TypeORM CLI, which need no other. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const r = new EnvReader(env);
  const cfg: DatabaseConfig = { ...readDatabase(r), poolSize: r.int('DATABASE_POOL_SIZE', 10, 1, 1000) };
  if (r.problems.length) throw new ConfigError(r.problems);
  return cfg;
}

function readDatabase(r: EnvReader): Pick<DatabaseConfig, 'url' | 'schema'> {
  return {
    url: r.url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:'])!,
    schema: r.str('DATABASE_SCHEMA'),
  };
}

/** The plugin origin's settings alone: for the command line, which reads no other service setting. */
export function loadPluginConfig(env: Env = process.env): PluginOriginConfig {
  const r = new EnvReader(env);
  const cfg = readPluginConfig(r, readAllowPrivateNetworks(r));
  if (r.problems.length) throw new ConfigError(r.problems);
  return cfg;
}

export function loadAppConfig(env: Env = process.env): AppConfig {
  const r = new EnvReader(env);
  const mode = r.oneOf('ECG_RENDER_MODE', RENDER_MODES, 'standalone');
  const port = r.int('PORT', 3000, 1, 65535);
  const driver = r.oneOf('STORAGE_DRIVER', ['local', 's3'] as const, 'local');

  const jwtSecret = r.str('JWT_SECRET');
  // JWKS only over https (a plain-http key set can be swapped on the way), and only with a pinned
  // issuer and audience (a JWKS often signs tokens for many applications).
  const jwksUrl = r.url('JWT_JWKS_URL', undefined, ['https:']);
  if (jwksUrl && !r.str('JWT_ISSUER')) r.problems.push('JWT_ISSUER: required with JWT_JWKS_URL');
  if (jwksUrl && !r.str('JWT_AUDIENCE')) r.problems.push('JWT_AUDIENCE: required with JWT_JWKS_URL');
  if (!jwtSecret && !jwksUrl) r.problems.push('JWT_SECRET or JWT_JWKS_URL: one of them is required');
  if (jwtSecret && jwtSecret.length < 32) r.problems.push('JWT_SECRET: must be at least 32 characters');

  const allowDevTokens = r.bool('ALLOW_DEV_TOKENS', false);
  if (allowDevTokens && env.NODE_ENV !== 'development') {
    r.problems.push('ALLOW_DEV_TOKENS: needs the explicit development mode NODE_ENV=development');
  }
  const allowPrivateNetworks = readAllowPrivateNetworks(r);

  const s3Bucket = r.str('S3_BUCKET');
  if (driver === 's3' && !s3Bucket) r.problems.push('S3_BUCKET: required when STORAGE_DRIVER=s3');
  const { urlSigningSecret, webhookSecret, security } = readSecretsAndSecurity(r, env, jwtSecret);
  const database = readDatabase(r);

  const cfg: AppConfig = {
    mode,
    engine: readEngine(r, allowPrivateNetworks),
    http: {
      port,
      publicBaseUrl: (r.url('PUBLIC_BASE_URL', `http://localhost:${port}`, ['http:', 'https:']) ?? '').replace(/\/$/, ''),
      corsOrigins: r.list('CORS_ORIGINS'),
    },
    databaseUrl: database.url,
    databaseSchema: database.schema,
    redisUrl: r.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:'])!,
    queuePrefix: r.str('QUEUE_PREFIX', 'ecg'),
    migrateOnStart: r.bool('MIGRATE_ON_START', true),
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: r.str('JWT_ISSUER'),
      audience: r.str('JWT_AUDIENCE'),
      allowDevTokens,
    },
    storage: {
      driver,
      localDir: resolve(r.str('LOCAL_STORAGE_DIR', './data/storage')),
      s3Bucket,
      s3Endpoint: r.url('S3_ENDPOINT', undefined, ['http:', 'https:']),
      s3PublicEndpoint: r.url('S3_PUBLIC_ENDPOINT', undefined, ['http:', 'https:']),
      s3Region: r.str('S3_REGION', 'us-east-1'),
      s3ForcePathStyle: r.bool('S3_FORCE_PATH_STYLE', false),
      s3SourceBuckets: r.list('S3_SOURCE_BUCKETS'),
      downloadUrlTtlSeconds: r.int('DOWNLOAD_URL_TTL_SECONDS', 900, 10, 7 * 24 * 3600),
      urlSigningSecret,
    },
    quota: {
      daily: r.int('QUOTA_DAILY', 10, 0, 1_000_000),
      monthly: r.int('QUOTA_MONTHLY', 100, 0, 10_000_000),
      concurrent: r.int('QUOTA_CONCURRENT', 2, 0, 10_000),
    },
    worker: {
      concurrency: r.int('WORKER_CONCURRENCY', 1, 1, 16),
      leaseSeconds: r.int('JOB_LEASE_SECONDS', 30, 5, 3600),
      healthPort: r.int('WORKER_HEALTH_PORT', 3001, 1, 65535),
      segmentSeconds: r.int('SEGMENT_SECONDS', 60, 0, 3600),
      segmentMinDurationSeconds: r.int('SEGMENT_MIN_DURATION_SECONDS', 180, 0, 24 * 3600),
      shutdownGraceMs: r.int('WORKER_SHUTDOWN_GRACE_MS', 20_000, 0, 3_600_000),
      lockDurationMs: r.int('QUEUE_LOCK_DURATION_MS', 60_000, 1_000, 3_600_000),
      stalledIntervalMs: r.int('QUEUE_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000),
      reconcileIntervalMs: r.int('RECONCILE_INTERVAL_MS', 30_000, 500, 3_600_000),
    },
    callbacks: {
      secret: webhookSecret,
      maxAttempts: r.int('CALLBACK_MAX_ATTEMPTS', 8, 1, 50),
    },
    limits: {
      maxVideoBytes: r.int('MAX_VIDEO_BYTES', 2 * 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
      maxVideoDurationSec: r.int('MAX_VIDEO_DURATION_SECONDS', 3 * 3600, 1, 24 * 3600),
      maxScenarioBytes: r.int('MAX_SCENARIO_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    },
    adminToken: r.str('ADMIN_TOKEN'),
    security,
    allowPrivateNetworks,
    plugins: readPluginConfig(r, allowPrivateNetworks),
  };
  if (r.problems.length) throw new ConfigError(r.problems);
  return cfg;
}
