// The api and the worker as SEPARATE processes of the compiled service (node dist/src/main.js,
// ECG_RENDER_MODE=api and =worker) over the same PostgreSQL schema and Bull queue prefix:
// create → completed → download works. Both are stopped at the end, with no process left.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/separate-processes
import { jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countFrames, makeTestVideo, probeStreams } from '../helpers/media.js';
import { buildDist, demoScenario } from '../helpers/service-harness.js';
import { createResources, type ServiceResources } from '../support/service-resources.js';
import { downloadTo, mintToken, pollStatus, request, sleep } from '../support/api-client.js';
import { freePort, startFileServer, type FileServer } from '../support/loopback.js';
import { spawnService, waitForHttp, type SpawnedService } from '../support/service-process.js';

jest.setTimeout(240_000);

/** Every live descendant pid of `root` (via /proc/<pid>/stat ppid). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      parent.set(Number(e), Number(fields[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [pid, pp] of parent)
      if (pp === p) {
        out.push(pid);
        walk(pid);
      }
  };
  walk(root);
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('api and worker as separate processes', () => {
  let dir: string;
  let files: FileServer;
  let res: ServiceResources;
  let api: SpawnedService | undefined;
  let worker: SpawnedService | undefined;
  let workerHealth: string;

  beforeAll(async () => {
    await buildDist();
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-procs-'));
    await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 2, width: 480, height: 270, fps: 10, audio: true });
    files = await startFileServer(dir);
    res = await createResources({ MIGRATE_ON_START: 'true' });
    const healthPort = await freePort();
    workerHealth = `http://127.0.0.1:${healthPort}`;
    api = spawnService({ ...res.env, ECG_RENDER_MODE: 'api' }, 'api');
    worker = spawnService({ ...res.env, ECG_RENDER_MODE: 'worker', WORKER_HEALTH_PORT: String(healthPort) }, 'worker');
    await waitForHttp(`${res.baseUrl}/api/render/history`, api);
    await waitForHttp(workerHealth, worker);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await files?.close();
    await res?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create on the api process → rendered by the worker process → download works', async () => {
    const token = await mintToken('frank');
    const created = await request(res.baseUrl, 'POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario() },
    });
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    let final: any;
    try {
      ({ final } = await pollStatus(res.baseUrl, token, jobId, { timeoutMs: 150_000, intervalMs: 500 }));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${api!.output().slice(-3000)}\n${worker!.output().slice(-3000)}`, { cause: err });
    }
    expect(final.status).toBe('completed');
    const out = join(dir, 'out.mp4');
    expect((await downloadTo(final.downloadUrl, out)).status).toBe(200);
    expect(await countFrames(out)).toBe(20);
    expect((await probeStreams(out)).map((s) => s.type).sort()).toEqual(['audio', 'video']);

    // The api process has no render processor: the worker's process tree ran the render
    // (it owns a Chromium), the api's did not.
    expect(descendants(worker!.child.pid!).length).toBeGreaterThan(0);
    expect(descendants(api!.child.pid!).filter((p) => /chrom/i.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')))).toEqual([]);
    // The worker mode serves no public API.
    const r = await fetch(`${workerHealth}/api/render/history`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(404);
  });

  it('stopping both leaves no process behind', async () => {
    const pids = [api!.child.pid!, worker!.child.pid!, ...descendants(api!.child.pid!), ...descendants(worker!.child.pid!)];
    expect(pids.length).toBeGreaterThan(2);
    const t0 = Date.now();
    await Promise.all([api!.stop(30_000), worker!.stop(30_000)]);
    // Exit codes: a graceful SIGTERM shutdown (0, or killed by SIGTERM when no handler ran).
    for (const s of [api!, worker!]) expect([0, null, 143]).toContain(s.child.exitCode);
    for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
    expect(pids.filter(alive)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(35_000);
  });

  it('a misconfigured process exits 1 naming every bad variable (no DI stack trace)', async () => {
    const bad = spawnService(
      {
        ...res.env,
        ECG_RENDER_MODE: 'api',
        JWT_SECRET: 'a-jwt-secret-with-dashes-0123456789abcdef',
        WEBHOOK_SECRET: 'a-webhook-secret-with-dashes-0123456789',
        STORAGE_DRIVER: 's3',
        QUOTA_DAILY: '-1',
      },
      'bad-config',
    );
    const code = await new Promise<number | null>((resolve) => {
      if (bad.child.exitCode !== null) resolve(bad.child.exitCode);
      else bad.child.once('exit', (c) => resolve(c));
    });
    await bad.stop();
    expect(code).toBe(1);
    const out = bad.output();
    expect(out).toMatch(/invalid configuration/);
    expect(out).toMatch(/WEBHOOK_SECRET/);
    expect(out).toMatch(/S3_BUCKET/);
    expect(out).toMatch(/QUOTA_DAILY/);
  });
});
