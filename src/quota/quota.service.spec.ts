import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../test/support/test-database.js';
import type { TestDatabase } from '../../test/support/test-database.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { QuotaExceededError } from './quota.errors.js';
import { DEFAULT_QUOTA_LIMITS, QuotaService } from './quota.service.js';
import type { QuotaLimits } from './quota.service.js';

describe('QuotaService', () => {
  let db: TestDatabase;
  let jobs: JobsRepository;
  let quota: QuotaService;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 10 });
    jobs = new JobsRepository(db.dataSource);
    quota = new QuotaService(db.dataSource, jobs);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const user = () => `u-${randomUUID()}`;
  const jobInput = () => ({
    videoUrl: 'https://cdn.example.com/a.mp4',
    videoName: 'a.mp4',
    scenario: { version: '2.0' },
    requestHash: 'h',
  });
  const reserve = (userId: string, limits?: Partial<QuotaLimits>, q: QuotaService = quota) => q.reserve(userId, limits, jobInput());

  /** Inserts `n` jobs directly with the given columns (created_at default: now). */
  async function seed(
    userId: string,
    n: number,
    cols: { status?: string; created?: string; started?: boolean; failureKind?: string } = {},
  ) {
    for (let i = 0; i < n; i++) {
      const j = await jobs.create({ userId, ...jobInput() });
      await db.dataSource.query(
        `UPDATE render_jobs SET status = $2::text::render_job_status, created_at = ${cols.created ?? 'now()'},
                started_at = CASE WHEN $3 THEN created_at END, failure_kind = $4 WHERE id = $1`,
        [j.id, cols.status ?? 'completed', cols.started ?? true, cols.failureKind ?? null],
      );
    }
  }
  const codeOf = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      if (e instanceof QuotaExceededError) return e.code;
      throw e;
    }
  };

  it('defaults are 10/day, 100/month, 2 concurrent', () => {
    expect(DEFAULT_QUOTA_LIMITS).toEqual({ daily: 10, monthly: 100, concurrent: 2 });
  });

  it('50 simultaneous creates over separate pooled connections with 3 left → exactly 3 accepted', async () => {
    const u = user();
    await seed(u, 7); // 7 completed today, default daily 10
    const pools: DataSource[] = [db.dataSource, await db.open({ poolSize: 10 }), await db.open({ poolSize: 10 })];
    const services = pools.map((ds) => new QuotaService(ds, new JobsRepository(ds)));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => codeOf(reserve(u, { concurrent: 1000 }, services[i % services.length]))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === 'RENDER_QUOTA_DAILY_EXCEEDED')).toHaveLength(47);
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM render_jobs WHERE user_id = $1`, [u]);
    expect(n).toBe(10);
  });

  it('concurrent limit under a burst: 20 at once with limit 2 → 2 accepted, rest 429-coded', async () => {
    const u = user();
    const results = await Promise.all(Array.from({ length: 20 }, () => codeOf(reserve(u))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r === 'RENDER_QUOTA_CONCURRENT_EXCEEDED')).toHaveLength(18);
  });

  it('finishing a job frees a concurrent slot; queued and processing both count', async () => {
    const u = user();
    const a = await reserve(u);
    const b = await reserve(u);
    await jobs.markProcessing(a.id, 'w', 60);
    const err = await reserve(u).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err).toMatchObject({ code: 'RENDER_QUOTA_CONCURRENT_EXCEEDED', httpStatus: 429, limit: 2, used: 2, scope: 'concurrent' });
    await jobs.markCompleted(a.id, { outputKey: 'k', fileSize: 1, durationSec: 1 });
    await expect(reserve(u)).resolves.toMatchObject({ status: 'queued', userId: u });
    expect(b.status).toBe('queued');
  });

  it('daily: yesterday’s jobs do not count, today’s do; error is 403 with reset time', async () => {
    const u = user();
    await seed(u, 10, { created: `date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 second'` });
    await seed(u, 9);
    const ok = await reserve(u); // 10th today
    expect(await jobs.markCancelled(ok.id)).toBe(true); // cancelled before a worker started it: free again
    await seed(u, 1); // 10th today
    const err = await reserve(u).catch((e) => e);
    expect(err).toMatchObject({ code: 'RENDER_QUOTA_DAILY_EXCEEDED', httpStatus: 403, limit: 10, used: 10 });
    expect(err.resetsAt.toISOString()).toMatch(/T00:00:00\.000Z$/);
    expect(err.resetsAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('monthly: last month’s jobs do not count; this month’s do', async () => {
    const u = user();
    const monthStart = `date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    await seed(u, 5, { created: `${monthStart} - interval '1 second'` });
    await seed(u, 3, { created: monthStart });
    const limits = { daily: 100, monthly: 4, concurrent: 10 };
    await expect(reserve(u, limits)).resolves.toBeDefined();
    const err = await reserve(u, limits).catch((e) => e);
    expect(err).toMatchObject({ code: 'RENDER_QUOTA_MONTHLY_EXCEEDED', httpStatus: 403, limit: 4, used: 4 });
    const usage = await quota.usage(u);
    expect(usage).toMatchObject({ monthly: 4, concurrent: 1 });
  });

  it('server-side failures and cancelled-before-start do not count; input failures and cancelled-after-start do', async () => {
    const u = user();
    await seed(u, 5, { status: 'failed', failureKind: 'server' });
    await seed(u, 5, { status: 'cancelled', started: false });
    await seed(u, 2, { status: 'failed', failureKind: 'input' });
    await seed(u, 2, { status: 'cancelled', started: true });
    expect(await quota.usage(u)).toMatchObject({ daily: 4, monthly: 4, concurrent: 0 });
    const limits = { daily: 5, concurrent: 10 };
    await expect(reserve(u, limits)).resolves.toBeDefined(); // 5th
    expect(await codeOf(reserve(u, limits))).toBe('RENDER_QUOTA_DAILY_EXCEEDED');
  });

  it('through the real transitions: a job failed server-side frees its daily slot, an input failure does not', async () => {
    const u = user();
    const limits = { daily: 1, concurrent: 5 };
    const a = await reserve(u, limits);
    expect(await codeOf(reserve(u, limits))).toBe('RENDER_QUOTA_DAILY_EXCEEDED');
    await jobs.markProcessing(a.id, 'w', 60);
    await jobs.markFailed(a.id, { code: 'RENDER_WORKER_CRASHED', message: 'x', kind: 'server' });
    const b = await reserve(u, limits);
    await jobs.markFailed(b.id, { code: 'RENDER_SOURCE_INVALID', message: 'x', kind: 'input' });
    expect(await codeOf(reserve(u, limits))).toBe('RENDER_QUOTA_DAILY_EXCEEDED');
  });

  it('per-user overrides beat configured defaults (raise and lower); NULL columns fall back', async () => {
    const vip = user();
    const capped = user();
    await quota.setOverride(vip, { concurrent: 5 });
    await quota.setOverride(capped, { daily: 1 });
    expect(await quota.effectiveLimits(vip, { daily: 3 })).toEqual({ daily: 3, monthly: 100, concurrent: 5 });
    expect(await quota.effectiveLimits(capped)).toEqual({ daily: 1, monthly: 100, concurrent: 2 });

    const vipResults = await Promise.all(Array.from({ length: 8 }, () => codeOf(reserve(vip, { concurrent: 2 }))));
    expect(vipResults.filter((r) => r === 'ok')).toHaveLength(5);
    await expect(reserve(capped)).resolves.toBeDefined();
    expect(await codeOf(reserve(capped))).toBe('RENDER_QUOTA_DAILY_EXCEEDED');

    // a zero override blocks completely
    const banned = user();
    await quota.setOverride(banned, { monthly: 0 });
    expect(await codeOf(reserve(banned))).toBe('RENDER_QUOTA_MONTHLY_EXCEEDED');
  });

  it('app-wide defaults from the QUOTA_DEFAULT_LIMITS provider replace the built-in ones', async () => {
    const q = new QuotaService(db.dataSource, jobs, { concurrent: 1 });
    const u = user();
    await reserve(u, undefined, q);
    expect(await codeOf(reserve(u, undefined, q))).toBe('RENDER_QUOTA_CONCURRENT_EXCEEDED');
  });

  it('users are independent', async () => {
    const a = user();
    const b = user();
    await reserve(a);
    await reserve(a);
    await expect(reserve(b)).resolves.toBeDefined();
  });
});
