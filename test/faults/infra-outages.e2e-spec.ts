// Rows 3 and 4: Redis and PostgreSQL go away under a running service (standalone, in-process).
//   row 3 — a redis-server of this test's own (never the shared one on 6379), stopped for a few
//           seconds, and for 25 s while a job is active.
//   row 4 — PostgreSQL reached through a TCP proxy of this test: the app's backends are killed
//           server-side (pg_terminate_backend on exactly this app's connections), and the proxy
//           cuts everything and refuses connections for a while (a database restart as the app
//           sees it; the shared server itself is never restarted).
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/infra-outages
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  busyScenario,
  makeTinyVideo,
  startPrivateRedis,
  startSlowFileServer,
  startTcpProxy,
  waitFor,
  walkFiles,
  type CountingServer,
  type PrivateRedis,
  type TcpProxy,
} from '../helpers/fault-harness.js';
import { mintToken, pollStatus, sleep, TERMINAL } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(240_000);

const QUOTAS = { QUOTA_DAILY: '1000', QUOTA_MONTHLY: '10000', QUOTA_CONCURRENT: '100' };

describe('row 3: Redis down', () => {
  let dir: string;
  let files: FileServer;
  let slow: CountingServer;
  let redis: PrivateRedis;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-redis-'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    files = await startFileServer(dir);
    slow = await startSlowFileServer(join(dir, 'tiny.mp4'), 32_000, 32);
    redis = await startPrivateRedis();
    svc = await startService({ mode: 'standalone', env: { ...QUOTAS, REDIS_URL: redis.url } });
    token = await mintToken('redis-outage');
  });

  afterAll(async () => {
    if (!redis.running()) await redis.start().catch(() => undefined);
    await svc?.close();
    await redis?.dispose();
    await slow?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const create = (videoUrl: string) =>
    svc.call('POST', '/api/render/create', { token, body: { videoUrl, scenario: simpleScenario({ start: 0, end: 1 }) } });

  it('stopped for a few seconds → creates answer 503 fast (status still answers); recovers by itself', async () => {
    const before = await create(files.url('tiny.mp4'));
    expect(before.status).toBe(201);
    await pollStatus(svc.baseUrl, token, before.body.jobId, { timeoutMs: 60_000 });

    await redis.stop();
    const t0 = Date.now();
    const down = await create(files.url('tiny.mp4'));
    const took = Date.now() - t0;
    expect(down.status).toBe(503);
    expect(down.body.detail.code).toBe('RENDER_SERVICE_UNAVAILABLE');
    expect(took).toBeLessThan(1000);
    // Reads need PostgreSQL only.
    expect((await svc.call('GET', `/api/render/${before.body.jobId}/status`, { token })).body.status).toBe('completed');
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      expect((await create(files.url('tiny.mp4'))).status).toBe(503);
      expect(Date.now() - t).toBeLessThan(1000);
      await sleep(500);
    }
    await redis.start();
    // Recovers with no restart of the service.
    const after = await waitFor(
      'creates to be accepted again',
      async () => {
        const r = await create(files.url('tiny.mp4'));
        return r.status === 201 ? r : false;
      },
      30_000,
      300,
    );
    const { final } = await pollStatus(svc.baseUrl, token, after.body.jobId, { timeoutMs: 60_000 });
    expect(final.status).toBe('completed');
  });

  it('stopped for 25 s during an active job → the job ends in exactly one terminal state', async () => {
    const r = await create(`${slow.url}/tiny.mp4`);
    expect(r.status).toBe(201);
    const jobId = r.body.jobId;
    await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 30_000, intervalMs: 100, until: (s) => s.status === 'processing' });
    await redis.stop();
    const t0 = Date.now();
    const statuses: string[] = [];
    while (Date.now() - t0 < 25_000) {
      const s = await svc.call('GET', `/api/render/${jobId}/status`, { token });
      expect(s.status).toBe(200);
      statuses.push(s.body.status);
      const c = await create(files.url('tiny.mp4'));
      expect(c.status).toBe(503);
      await sleep(1000);
    }
    await redis.start();
    const { final, seen } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 90_000, intervalMs: 300 });
    expect(final.status).toBe('completed');
    // Never flapped through another terminal state, and stays put.
    const all = [...statuses, ...seen.map((s) => s.status)];
    expect(all.filter((s) => TERMINAL.includes(s)).every((s) => s === 'completed')).toBe(true);
    await sleep(5_000);
    const later = await svc.call('GET', `/api/render/${jobId}/status`, { token });
    expect(later.body.status).toBe('completed');
    const rows = await svc.res.db.dataSource.query(`SELECT attempts FROM "${svc.res.db.schema}".render_jobs WHERE id = $1`, [jobId]);
    expect(rows[0].attempts).toBe(1); // the redelivery after the outage (if any) was a no-op
    expect(walkFiles(svc.res.storageDir).filter((f) => f.includes(jobId))).toEqual([`renders/${jobId}/output.mp4`]);
    // And the queue works again.
    const next = await create(files.url('tiny.mp4'));
    expect(next.status).toBe(201);
    expect((await pollStatus(svc.baseUrl, token, next.body.jobId, { timeoutMs: 60_000 })).final.status).toBe('completed');
  });
});

describe('row 4: PostgreSQL connections killed / database unreachable', () => {
  let dir: string;
  let files: FileServer;
  let proxy: TcpProxy;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-pg-'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    await makeTinyVideo(join(dir, 'long.mp4'), { seconds: 60, w: 320, h: 180, fps: 10 });
    files = await startFileServer(dir);
    proxy = await startTcpProxy(5432);
    const { createResources } = await import('../support/service-resources.js');
    const res = await createResources(QUOTAS);
    res.env.DATABASE_URL = res.env.DATABASE_URL.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`);
    svc = await startService({ mode: 'standalone', resources: res });
    token = await mintToken('pg-outage');
    // The harness's resources are released by us (startService with `resources` does not).
    (svc as any).releaseRes = () => res.release();
  });

  afterAll(async () => {
    proxy?.up();
    await svc?.close();
    await (svc as any)?.releaseRes?.();
    await proxy?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function killBackends(): Promise<number> {
    const ports = proxy.upstreamPorts();
    if (!ports.length) return 0;
    // The harness's own DataSource connects directly (not through the proxy): it is not a target.
    const rows = await svc.res.db.dataSource.query(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()) t`,
      [ports],
    );
    return rows[0].n;
  }

  const create = (name = 'tiny.mp4') =>
    svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url(name), scenario: name === 'tiny.mp4' ? simpleScenario({ start: 0, end: 1 }) : busyScenario(60) },
    });

  /** Any answer must be a clean one: a success, or an error in the envelope, within 15 s. */
  async function cleanCall(fn: () => Promise<{ status: number; body: any }>): Promise<number> {
    const t = Date.now();
    const r = await fn();
    expect(Date.now() - t).toBeLessThan(15_000);
    if (r.status >= 400) expect(r.body?.detail?.code).toMatch(/^RENDER_/);
    return r.status;
  }

  it('backends killed server-side (idle and mid-render) → no crash; requests fail cleanly, then recover; the job still ends', async () => {
    const job = await create('long.mp4');
    expect(job.status).toBe(201);
    await pollStatus(svc.baseUrl, token, job.body.jobId, {
      timeoutMs: 60_000,
      intervalMs: 100,
      until: (s) => s.status === 'processing' && s.progress > 5,
    });
    const statuses: number[] = [];
    let killed = 0;
    for (let i = 0; i < 8; i++) {
      killed += await killBackends();
      statuses.push(await cleanCall(() => svc.call('GET', `/api/render/${job.body.jobId}/status`, { token })));
      statuses.push(await cleanCall(() => svc.call('GET', '/api/render/history', { token })));
      await sleep(300);
    }
    expect(killed).toBeGreaterThan(0);
    // Recovers: plain reads answer again.
    await waitFor('reads to work again', async () => (await svc.call('GET', '/api/render/history', { token })).status === 200, 20_000, 200);
    const { final } = await pollStatus(svc.baseUrl, token, job.body.jobId, { timeoutMs: 120_000, intervalMs: 500 });
    expect(TERMINAL).toContain(final.status);
    console.log(
      `row 4: killed ${killed} backends; answers ${JSON.stringify(statuses)}; job ${final.status}${final.error ? ` (${final.error})` : ''}`,
    );
    // And new work goes through.
    const next = await create();
    expect(next.status).toBe(201);
    expect((await pollStatus(svc.baseUrl, token, next.body.jobId, { timeoutMs: 60_000 })).final.status).toBe('completed');
  });

  it('database unreachable for 8 s (every connection cut, new ones refused) → 503 with Retry-After, then recovery by itself', async () => {
    proxy.down();
    const t0 = Date.now();
    const during: number[] = [];
    let retryAfter: string | null = null;
    while (Date.now() - t0 < 8_000) {
      retryAfter ??= (await svc.call('GET', '/api/render/history', { token })).headers.get('retry-after');
      during.push(await cleanCall(() => svc.call('GET', '/api/render/history', { token })));
      during.push(await cleanCall(() => create()));
      await sleep(500);
    }
    // "Down, retry later" — not "our bug".
    expect([...new Set(during)]).toEqual([503]);
    expect(retryAfter).toBe('5');
    proxy.up();
    await waitFor(
      'the API to answer again',
      async () => (await svc.call('GET', '/api/render/history', { token })).status === 200,
      30_000,
      300,
    );
    const next = await waitFor(
      'a create to be accepted',
      async () => {
        const r = await create();
        return r.status === 201 ? r : false;
      },
      30_000,
      500,
    );
    expect((await pollStatus(svc.baseUrl, token, next.body.jobId, { timeoutMs: 90_000 })).final.status).toBe('completed');
    console.log(`row 4: during the outage the API answered ${JSON.stringify([...new Set(during)])}`);
  });
});
