import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { DatabaseModule } from '../database/database.module.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import type { TestDatabase } from '../../test/support/test-database.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { IdempotencyService } from './idempotency.service.js';
import { JobAdmission, videoNameFromUrl } from './job-admission.service.js';
import type { CreateRenderBody } from './job-admission.service.js';
import { IdempotencyConflictError, InvalidIdempotencyKeyError, QuotaExceededError } from './quota.errors.js';
import { QuotaModule } from './quota.module.js';
import { QuotaService } from './quota.service.js';
import { canonicalJson, hashRequest } from './request-hash.js';

describe('hashRequest', () => {
  it('is key-order and whitespace insensitive, value sensitive', () => {
    const a = { videoUrl: 'u', scenario: { b: 1, a: [1, { y: 2, x: 1 }] }, options: { fps: 30, width: 1920 } };
    const b = JSON.parse('{ "options": {"width":1920,"fps":30}, "scenario": {"a":[1,{"x":1,"y":2}],"b":1}, "videoUrl":"u" }');
    expect(hashRequest(a)).toBe(hashRequest(b));
    expect(hashRequest(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRequest({ ...a, options: { fps: 24, width: 1920 } })).not.toBe(hashRequest(a));
    expect(hashRequest({ x: [1, 2] })).not.toBe(hashRequest({ x: [2, 1] }));
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
  });
});

describe('helpers', () => {
  it('videoNameFromUrl', () => {
    expect(videoNameFromUrl('https://cdn.example.com/a/My%20clip.mp4?X-Amz-Signature=abc')).toBe('My clip.mp4');
    expect(videoNameFromUrl('https://cdn.example.com/')).toBe('cdn.example.com');
    expect(videoNameFromUrl('nonsense')).toBe('video');
  });
});

describe('JobAdmission (idempotency + quota in one transaction)', () => {
  let db: TestDatabase;
  let jobs: JobsRepository;
  let quota: QuotaService;
  let idem: IdempotencyService;
  let admission: JobAdmission;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 12 });
    jobs = new JobsRepository(db.dataSource);
    quota = new QuotaService(db.dataSource, jobs);
    idem = new IdempotencyService(db.dataSource);
    admission = new JobAdmission(quota, idem);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const user = () => `u-${randomUUID()}`;
  const body = (extra: Partial<CreateRenderBody> = {}): CreateRenderBody => ({
    videoUrl: 'https://cdn.example.com/v/clip%201.mp4',
    scenario: { version: '2.0', cues: [{ id: 'c1', time: [0, 4] }] },
    options: { width: 1920, height: 1080, fps: 30, quality: 80, format: 'mp4' },
    callbackUrl: 'https://hooks.example.com/render',
    ...extra,
  });
  const countJobs = async (userId: string): Promise<number> =>
    (await db.dataSource.query(`SELECT count(*)::int AS n FROM render_jobs WHERE user_id = $1`, [userId]))[0].n;

  it('admits a job without a key and stores everything the API needs', async () => {
    const u = user();
    const b = body();
    const { job, created } = await admission.admit({ userId: u, body: b });
    expect(created).toBe(true);
    expect(job).toMatchObject({
      userId: u,
      status: 'queued',
      videoUrl: b.videoUrl,
      videoName: 'clip 1.mp4',
      scenario: b.scenario,
      options: b.options,
      callbackUrl: b.callbackUrl,
      requestHash: hashRequest(b),
    });
    expect(job.estimatedSeconds).toBeGreaterThan(0);
    // no key: a second identical request is a second job
    expect((await admission.admit({ userId: u, body: b })).job.id).not.toBe(job.id);
  });

  it('same key + same body → the same job, created:false', async () => {
    const u = user();
    const first = await admission.admit({ userId: u, idempotencyKey: 'k-1', body: body() });
    // same body with keys in another order
    const b = body();
    const reordered = { callbackUrl: b.callbackUrl, options: { ...b.options }, scenario: b.scenario, videoUrl: b.videoUrl };
    const second = await admission.admit({ userId: u, idempotencyKey: 'k-1', body: reordered });
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
    expect(await countJobs(u)).toBe(1);
  });

  it('concurrent duplicates (20 at once, separate pools) → one job, one created:true', async () => {
    const u = user();
    const pools = [db.dataSource, await db.open({ poolSize: 8 })];
    const admissions = pools.map((ds) => {
      const r = new JobsRepository(ds);
      return new JobAdmission(new QuotaService(ds, r), new IdempotencyService(ds));
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admissions[i % 2].admit({ userId: u, idempotencyKey: 'dup', body: body() })),
    );
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await countJobs(u)).toBe(1);
  });

  it('same key + different body → IdempotencyConflictError (422), nothing created', async () => {
    const u = user();
    const first = await admission.admit({ userId: u, idempotencyKey: 'k', body: body() });
    const err = await admission
      .admit({ userId: u, idempotencyKey: 'k', body: body({ videoUrl: 'https://cdn.example.com/other.mp4' }) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(IdempotencyConflictError);
    expect(err).toMatchObject({ httpStatus: 422, existingJobId: first.job.id });
    expect(await countJobs(u)).toBe(1);
  });

  it('keys are per user', async () => {
    const a = await admission.admit({ userId: user(), idempotencyKey: 'shared', body: body() });
    const b = await admission.admit({ userId: user(), idempotencyKey: 'shared', body: body() });
    expect(a.job.id).not.toBe(b.job.id);
    expect(b.created).toBe(true);
  });

  it('a replay is answered even when the quota is now full; a refused request records no key', async () => {
    const u = user();
    const limits = { concurrent: 1 };
    const first = await admission.admit({ userId: u, idempotencyKey: 'a', body: body(), limits });
    const replay = await admission.admit({ userId: u, idempotencyKey: 'a', body: body(), limits });
    expect(replay).toMatchObject({ created: false, job: { id: first.job.id } });

    const refused = await admission.admit({ userId: u, idempotencyKey: 'b', body: body(), limits }).catch((e) => e);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect(refused.code).toBe('RENDER_QUOTA_CONCURRENT_EXCEEDED');
    await jobs.markCancelled(first.job.id);
    const retried = await admission.admit({ userId: u, idempotencyKey: 'b', body: body(), limits });
    expect(retried.created).toBe(true);
  });

  it('50 simultaneous distinct creates with 3 left (through admit) → exactly 3', async () => {
    const u = user();
    const limits = { daily: 3, concurrent: 100 };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        admission.admit({ userId: u, idempotencyKey: `key-${i}`, body: body(), limits }).then(
          () => 'ok',
          (e) => (e as QuotaExceededError).code,
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === 'RENDER_QUOTA_DAILY_EXCEEDED')).toHaveLength(47);
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = $1`, [u]);
    expect(n).toBe(3);
  });

  it('an expired key (older than the TTL) may be reused for a new request', async () => {
    const u = user();
    const first = await admission.admit({ userId: u, idempotencyKey: 'old', body: body() });
    await db.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE user_id = $1`, [u]);
    await jobs.markCancelled(first.job.id);
    const again = await admission.admit({ userId: u, idempotencyKey: 'old', body: body({ videoUrl: 'https://x.example/b.mp4' }) });
    expect(again.created).toBe(true);
    expect(again.job.id).not.toBe(first.job.id);
    await db.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 days' WHERE user_id = $1`, [u]);
    expect(await idem.purgeExpired()).toBeGreaterThanOrEqual(1);
  });

  it('rejects malformed keys (400)', async () => {
    const err = await admission.admit({ userId: user(), idempotencyKey: 'has space', body: body() }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidIdempotencyKeyError);
    expect(err).toMatchObject({ code: 'RENDER_VALIDATION_FAILED', httpStatus: 400 });
    await expect(admission.admit({ userId: user(), idempotencyKey: 'x'.repeat(256), body: body() })).rejects.toThrow(
      InvalidIdempotencyKeyError,
    );
  });
});

describe('Nest wiring: DatabaseModule + JobsModule + QuotaModule', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('resolves JobAdmission / JobsRepository / QuotaService with injected DataSource and defaults', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRoot({ url: db.url, schema: db.schema, poolSize: 2 }),
        JobsModule,
        QuotaModule.forRoot({ defaults: { concurrent: 1 } }),
      ],
    }).compile();
    try {
      const ds = moduleRef.get(DataSource);
      expect(ds.isInitialized).toBe(true);
      expect((ds.options as { migrationsRun?: boolean }).migrationsRun).toBe(false);
      expect(ds.options.synchronize).toBe(false);
      const admission = moduleRef.get(JobAdmission);
      const repo = moduleRef.get(JobsRepository);
      const u = `u-${randomUUID()}`;
      const { job } = await admission.admit({ userId: u, body: { videoUrl: 'https://e.example/v.mp4', scenario: {} } });
      expect(await repo.findForUser(job.id, u)).not.toBeNull();
      await expect(admission.admit({ userId: u, body: { videoUrl: 'https://e.example/v.mp4', scenario: {} } })).rejects.toMatchObject({
        code: 'RENDER_QUOTA_CONCURRENT_EXCEEDED',
      });
      expect(await moduleRef.get(QuotaService).effectiveLimits(u)).toEqual({ daily: 10, monthly: 100, concurrent: 1 });
    } finally {
      await moduleRef.close();
    }
  });
});
