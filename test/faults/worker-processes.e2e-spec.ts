// Fault rows 1, 2, 16 and the soak test of issue 4, with the api and the workers as SEPARATE
// processes of the compiled service (node dist/src/main.js) over one schema and queue prefix.
// Short lease/lock so that a dead worker's job moves on within seconds:
//   JOB_LEASE_SECONDS=5, QUEUE_LOCK_DURATION_MS=4000, QUEUE_STALLED_INTERVAL_MS=2000, RECONCILE_INTERVAL_MS=3000.
//   row 1  — 'row 1: a worker SIGKILLed mid-render …'
//   row 2  — 'row 2: a worker whose event loop is blocked past the lock …' (SIGSTOP/SIGCONT of its node process)
//   row 16 — 'row 16: SIGTERM to a worker during a render …'
//   soak   — 'soak: N tiny jobs, workers SIGKILLed at random …'
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/worker-processes
import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { probeDuration } from '../helpers/media.js';
import { alive, busyScenario, descendants, isChromium, isFfmpeg, makeTinyVideo, waitFor, walkFiles } from '../helpers/fault-harness.js';
import { buildDist, simpleScenario } from '../helpers/service-harness.js';
import { createResources, type ServiceResources } from '../support/service-resources.js';
import { freePort, startFileServer, startReceiver, type FileServer } from '../support/loopback.js';
import { mintToken, pollStatus, request, sleep, TERMINAL } from '../support/api-client.js';
import { spawnService, waitForHttp, type SpawnedService } from '../support/service-process.js';

jest.setTimeout(400_000);

const FAST = {
  JOB_LEASE_SECONDS: '5',
  QUEUE_LOCK_DURATION_MS: '4000',
  QUEUE_STALLED_INTERVAL_MS: '2000',
  RECONCILE_INTERVAL_MS: '3000',
  QUOTA_DAILY: '10000',
  QUOTA_MONTHLY: '100000',
  QUOTA_CONCURRENT: '10000',
  LOG_LEVEL: 'warn',
  // One render per job here (long videos are split into segments only from 180 s on anyway).
  SEGMENT_SECONDS: '0',
};

describe('workers as separate processes: kill, stall, SIGTERM, soak', () => {
  let dir: string;
  let files: FileServer;
  let res: ServiceResources;
  let api: SpawnedService | undefined;
  const workers = new Set<SpawnedService>();
  let ds: DataSource;
  let token: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  async function spawnWorker(tag: string, env: Record<string, string> = {}): Promise<SpawnedService> {
    const healthPort = await freePort();
    const w = spawnService({ ...res.env, ECG_RENDER_MODE: 'worker', WORKER_HEALTH_PORT: String(healthPort), ...env }, tag);
    workers.add(w);
    await waitForHttp(`http://127.0.0.1:${healthPort}/health`, w, 90_000);
    return w;
  }

  async function stopAllWorkers(): Promise<void> {
    await Promise.all([...workers].map((w) => w.stop(2_000)));
    workers.clear();
  }

  const row = async (jobId: string) =>
    (
      await ds.query(`SELECT status, worker_id, attempts, output_key, lease_until FROM "${res.db.schema}".render_jobs WHERE id = $1`, [
        jobId,
      ])
    )[0];
  const pidOfWorkerId = (workerId: string | null) => Number(String(workerId ?? '').split(':')[1]);

  async function create(videoName: string, scenario: Record<string, unknown> = busyScenario(), callbackUrl?: string): Promise<string> {
    const r = await request(res.baseUrl, 'POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url(videoName), scenario, ...(callbackUrl ? { callbackUrl } : {}) },
    });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    return r.body.jobId;
  }

  /** Waits until some worker is rendering the job (phase rendering, past 10 %); its worker pid. */
  async function waitRendering(jobId: string, minProgress = 8): Promise<number> {
    await pollStatus(res.baseUrl, token, jobId, {
      timeoutMs: 90_000,
      intervalMs: 100,
      until: (s) => {
        if (TERMINAL.includes(s.status)) throw new Error(`job ended ${s.status} too early: ${JSON.stringify(s)}`);
        return s.status === 'processing' && s.progress >= minProgress;
      },
    });
    return pidOfWorkerId((await row(jobId)).worker_id);
  }

  const completedCallbacks = (jobId: string) =>
    receiver.received.filter((r) => {
      try {
        const b = JSON.parse(r.body);
        return b.job_id === jobId && ['completed', 'failed', 'cancelled'].includes(b.status);
      } catch {
        return false;
      }
    });

  beforeAll(async () => {
    try {
      await buildDist();
    } catch (err) {
      // Type errors of concurrent edits elsewhere still emit JavaScript; a missing dist does not.
      if (!existsSync('dist/src/main.js')) throw err;
      console.warn(`tsc reported errors; using the emitted dist: ${(err as Error).message.slice(0, 300)}`);
    }
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-procs-'));
    await makeTinyVideo(join(dir, 'long.mp4'), { seconds: 60, w: 320, h: 180, fps: 10 });
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    files = await startFileServer(dir);
    receiver = await startReceiver(() => 200);
    res = await createResources({ ...FAST, MIGRATE_ON_START: 'true' });
    ds = await res.db.open();
    token = await mintToken('fault-procs');
    api = spawnService({ ...res.env, ECG_RENDER_MODE: 'api' }, 'api');
    await waitForHttp(`${res.baseUrl}/health`, api);
  });

  afterAll(async () => {
    await stopAllWorkers();
    await api?.stop(5_000);
    await ds?.destroy().catch(() => undefined);
    await receiver?.close();
    await files?.close();
    await res?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('row 1: a worker SIGKILLed mid-render → another worker completes the job exactly once; one output object, one final callback id; no orphaned chromium/ffmpeg', async () => {
    const a = await spawnWorker('worker-a');
    const jobId = await create('long.mp4', busyScenario(), receiver.url);
    const pid = await waitRendering(jobId);
    expect(pid).toBe(a.child.pid);
    // Puppeteer starts Chromium in a process group of its own: follow the process tree instead.
    const before = descendants(a.child.pid!);
    expect(before.some(isChromium)).toBe(true);
    expect(before.some(isFfmpeg)).toBe(true);

    process.kill(a.child.pid!, 'SIGKILL'); // the node process only, as an OOM kill would
    workers.delete(a);
    // Its Chromium and ffmpeg do not outlive it.
    const tracked = before.filter((p) => isChromium(p) || isFfmpeg(p));
    const orphans = await waitFor(
      'chromium/ffmpeg of the killed worker to exit',
      () => (tracked.some((p) => alive(p.pid)) ? false : ([] as string[])),
      10_000,
    ).catch(() => tracked.filter((p) => alive(p.pid)).map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`));
    expect(orphans).toEqual([]);

    const b = await spawnWorker('worker-b');
    const { final } = await pollStatus(res.baseUrl, token, jobId, { timeoutMs: 150_000, intervalMs: 500 }).catch((err) => {
      throw new Error(`${err.message}\n${b.output().slice(-3000)}`);
    });
    expect(final.status).toBe('completed');
    const r = await row(jobId);
    expect(pidOfWorkerId(r.worker_id)).toBe(b.child.pid);
    expect(r.attempts).toBeGreaterThanOrEqual(2);
    // Exactly one output object (no partial upload left by the killed worker).
    expect(walkFiles(res.storageDir)).toEqual([`renders/${jobId}/output.mp4`]);
    expect(await probeDuration(join(res.storageDir, `renders/${jobId}/output.mp4`))).toBeCloseTo(60, 0);
    await sleep(1500);
    const finals = completedCallbacks(jobId);
    expect(finals.length).toBeGreaterThanOrEqual(1);
    expect(new Set(finals.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(finals.every((x) => JSON.parse(x.body).status === 'completed')).toBe(true);
  });

  it('row 2: a worker whose event loop is blocked past the lock (SIGSTOP) → the other worker takes over; the stale run has no visible effect', async () => {
    // Two workers (b from row 1 + c); whichever takes the job is frozen.
    while (workers.size < 2) await spawnWorker(`worker-c${workers.size}`);
    const jobId = await create('long.mp4', busyScenario(), receiver.url);
    const frozen = await waitRendering(jobId);
    const t0 = Date.now();
    process.kill(frozen, 'SIGSTOP');
    try {
      // Lock (4 s) and lease (5 s) run out; the stalled check hands the job to the other worker.
      await waitFor(
        'another worker to take the job',
        async () => {
          const r = await row(jobId);
          return r.status === 'processing' && pidOfWorkerId(r.worker_id) !== frozen ? r : false;
        },
        60_000,
        200,
      ).catch(async (err) => {
        const { Redis } = await import('ioredis');
        const redis = new Redis(res.env.REDIS_URL);
        const key = `${res.queuePrefix}:render`;
        const diag = {
          job: await redis
            .hgetall(`${key}:render:${jobId}`)
            .then((h) => ({ ...h, data: undefined, opts: undefined, stacktrace: h.stacktrace?.slice(0, 300) })),
          lock: await redis.get(`${key}:render:${jobId}:lock`),
          active: await redis.lrange(`${key}:active`, 0, -1),
          wait: await redis.lrange(`${key}:wait`, 0, -1),
          stalled: await redis.smembers(`${key}:stalled`),
        };
        redis.disconnect();
        throw new Error(
          `${err.message}: ${JSON.stringify(await row(jobId))}\n${JSON.stringify(diag)}\n${[...workers].map((w) => w.output().slice(-2000)).join('\n')}`,
        );
      });
      await sleep(1000);
    } finally {
      process.kill(frozen, 'SIGCONT');
    }
    const { final, seen } = await pollStatus(res.baseUrl, token, jobId, { timeoutMs: 150_000, intervalMs: 300 });
    expect(final.status).toBe('completed');
    expect(seen.every((s) => s.status === 'processing' || s.status === 'completed')).toBe(true);
    const r = await row(jobId);
    expect(pidOfWorkerId(r.worker_id)).not.toBe(frozen);
    // Still the one object, a full render (the stale run neither completed nor failed the job).
    const outputs = walkFiles(res.storageDir).filter((f) => f.startsWith(`renders/${jobId}/`));
    expect(outputs).toEqual([`renders/${jobId}/output.mp4`]);
    expect(await probeDuration(join(res.storageDir, outputs[0]))).toBeCloseTo(60, 0);
    // The stale worker notices it lost the lease and stops its Chromium page / ffmpeg; stays healthy.
    await waitFor('the stale run to stop its ffmpeg', () => descendants(frozen).filter(isFfmpeg).length === 0, 20_000);
    expect(alive(frozen)).toBe(true);
    await sleep(2000);
    expect((await row(jobId)).status).toBe('completed');
    const finals = completedCallbacks(jobId);
    expect(new Set(finals.map((x) => x.headers['webhook-id'])).size).toBe(1);
    console.log(`row 2: took over after ${Date.now() - t0} ms`);
    if (process.env.FAULTS_DEBUG) console.log([...workers].map((w) => w.output().slice(-4000)).join('\n'));
  });

  it('row 16: SIGTERM to a worker during a render → takes no new job; finishes or releases within the grace period', async () => {
    await stopAllWorkers();
    const grace = 3000;
    const w = await spawnWorker('worker-term', { WORKER_SHUTDOWN_GRACE_MS: String(grace) });
    const j1 = await create('long.mp4');
    expect(await waitRendering(j1)).toBe(w.child.pid);
    const j2 = await create('tiny.mp4', simpleScenario({ start: 0, end: 1 })); // waits: concurrency 1
    await sleep(300);
    expect([(await row(j2)).status, (await row(j1)).status]).toEqual(['queued', 'processing']);

    const before = descendants(w.child.pid!).filter((p) => isChromium(p) || isFfmpeg(p));
    const t0 = Date.now();
    process.kill(w.child.pid!, 'SIGTERM');
    const exited = new Promise<void>((resolve) =>
      w.child.exitCode !== null || w.child.signalCode !== null ? resolve() : w.child.once('exit', () => resolve()),
    );
    let tookNew = false;
    const watch = setInterval(() => {
      void row(j2).then((r) => {
        if (r.worker_id) tookNew = true;
      });
    }, 100);
    await Promise.race([exited, sleep(grace + 15_000)]);
    clearInterval(watch);
    const elapsed = Date.now() - t0;
    workers.delete(w);
    expect(w.child.exitCode !== null || w.child.signalCode !== null).toBe(true);
    // Grace (renders may finish) + up to 5 s to hand back + Nest's shutdown.
    expect(elapsed).toBeLessThan(grace + 8_000);
    expect(tookNew).toBe(false);
    expect((await row(j2)).status).toBe('queued');
    const r1 = await row(j1);
    // Finished, or handed back: lease released (another worker may take it at once).
    if (r1.status === 'processing') expect(new Date(r1.lease_until).getTime()).toBeLessThanOrEqual(Date.now());
    else expect(r1.status).toBe('completed');
    expect(before.filter((p) => alive(p.pid)).map((p) => p.cmd.slice(0, 80))).toEqual([]);

    // A new worker completes both.
    await spawnWorker('worker-after-term');
    for (const id of [j1, j2]) {
      const { final } = await pollStatus(res.baseUrl, token, id, { timeoutMs: 120_000, intervalMs: 500 });
      expect(final.status).toBe('completed');
    }
    console.log(`row 16: worker exited ${elapsed} ms after SIGTERM; job 1 was ${r1.status}`);
  });

  it('soak: N tiny jobs, workers SIGKILLed at random → every job in one terminal state, none lost, no duplicate output objects', async () => {
    const N = Number(process.env.SOAK_JOBS ?? 100);
    await stopAllWorkers();
    await spawnWorker('soak-1', { WORKER_CONCURRENCY: '2' });
    await spawnWorker('soak-2', { WORKER_CONCURRENCY: '2' });
    const scenario = simpleScenario({ start: 0, end: 1, text: 'soak' });
    const t0 = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < N; i += 10) {
      ids.push(...(await Promise.all(Array.from({ length: Math.min(10, N - i) }, () => create('tiny.mp4', scenario)))));
    }
    expect(new Set(ids).size).toBe(N);

    // Kill a random worker (its whole process group, as a pod dies) every few seconds, 4 times,
    // replacing it at once.
    let kills = 0;
    const rnd = (n: number) => Math.floor(Math.random() * n);
    const counts = async () => {
      const rows: Array<{ status: string; n: string }> = await ds.query(
        `SELECT status, count(*) AS n FROM "${res.db.schema}".render_jobs WHERE id = ANY($1) GROUP BY status`,
        [ids],
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    };
    while (kills < 4) {
      await sleep(3000 + rnd(4000));
      const c = await counts();
      if ((c.completed ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0) >= N) break;
      const list = [...workers];
      const victim = list[rnd(list.length)];
      try {
        process.kill(-victim.child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      workers.delete(victim);
      kills++;
      await spawnWorker(`soak-r${kills}`, { WORKER_CONCURRENCY: '2' });
    }
    const deadline = Date.now() + 300_000;
    let c = await counts();
    while (Date.now() < deadline && (c.completed ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0) < N) {
      await sleep(1000);
      c = await counts();
    }
    const elapsed = Date.now() - t0;
    console.log(`soak: ${N} jobs, ${kills} kills, ${elapsed} ms, ${JSON.stringify(c)}`);
    expect(c).toEqual({ completed: N });
    // One object per job at its own key; nothing else (no partial uploads, no duplicates).
    expect(walkFiles(res.storageDir).filter((f) => ids.some((id) => f.includes(id)))).toEqual(
      ids.map((id) => `renders/${id}/output.mp4`).sort(),
    );
    const leftovers = walkFiles(res.storageDir).filter((f) => f.endsWith('.part'));
    expect(leftovers).toEqual([]);
  });
});
