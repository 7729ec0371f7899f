// Isolated resources for one run of the service (a test file, or one bench run): its own
// PostgreSQL schema, Bull queue prefix, storage and temp dirs and port, the environment that
// names them, and release() that removes them all, Redis keys included.
// test/support/: node built-ins and production dependencies only (the bench compiles it).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './loopback.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export type Env = Record<string, string>;

export const TEST_JWT_SECRET = 'EcgRenderTestSecret0123456789abcdefABCDEF';
/** Distinct from TEST_JWT_SECRET: start-up refuses a URL-signing or webhook key equal to the JWT key. */
export const TEST_URL_SIGNING_SECRET = 'EcgRenderTestUrlSigning0123456789abcdefXYZ';
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('ecg-render test webhook key 0123456789').toString('base64')}`;
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export interface ServiceResources {
  db: TestDatabase;
  queuePrefix: string;
  /** Parent temp dir of this harness (storage/ and render-tmp/ live inside). */
  dir: string;
  storageDir: string;
  renderTmpDir: string;
  port: number;
  baseUrl: string;
  /** Environment for loadAppConfig / a spawned process. */
  env: Env;
  /** Drops the schema, removes the dirs and the Bull keys of the prefix. */
  release(): Promise<void>;
}

export async function createResources(extraEnv: Env = {}, opts: { allowPrivateNetworks?: boolean } = {}): Promise<ServiceResources> {
  const db = await createTestDatabase({ poolSize: 2 });
  const queuePrefix = `ecgt${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ecg-svc-'));
  const storageDir = join(dir, 'storage');
  const renderTmpDir = join(dir, 'render-tmp');
  for (const d of [storageDir, renderTmpDir]) mkdirSync(d, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Env = {
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    URL_SIGNING_SECRET: TEST_URL_SIGNING_SECRET,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    // Suites fire hundreds of requests a minute from one user and address; the limits have their
    // own test (test/service/security-rate-limits.e2e-spec.ts).
    RATE_LIMIT_PER_MINUTE: '100000',
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    MIGRATE_ON_START: 'false',
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    STORAGE_DRIVER: 'local',
    LOCAL_STORAGE_DIR: storageDir,
    RENDER_TMP_DIR: renderTmpDir,
    ENCODER: 'x264',
    X264_PRESET: 'ultrafast',
    BROWSER_POOL_SIZE: '1',
    LOG_LEVEL: 'warn',
    ...(opts.allowPrivateNetworks === false ? {} : { ALLOW_PRIVATE_NETWORKS: 'true' }),
    ...extraEnv,
  };
  return {
    db,
    queuePrefix,
    dir,
    storageDir,
    renderTmpDir,
    port,
    baseUrl,
    env,
    async release() {
      await obliterateQueues(queuePrefix).catch(() => undefined);
      await db.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every Redis key of the Bull queues under `prefix` (all queues of this harness). */
export async function obliterateQueues(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function countQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}:*`);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}
