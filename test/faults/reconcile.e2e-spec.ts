// Reconciliation on start (src/worker/job-reconciler.ts): PostgreSQL is the record, Redis the
// delivery. Rows are written straight into the database as a crash would leave them, with no
// Bull job at all; then a standalone service starts:
//   - a `queued` job older than the grace period with no Bull job → enqueued and rendered;
//   - a `processing` job whose lease expired (its worker died) → re-delivered and rendered;
//   - a `processing` job whose lease is still live → left alone until it expires;
//   - a young `queued` job (its enqueue may still be in flight) → left alone until the grace ends
//     (here: enqueued by the next periodic pass, RECONCILE_INTERVAL_MS=2000).
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/reconcile
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { makeTinyVideo, walkFiles } from '../helpers/fault-harness.js';
import { createResources, type ServiceResources } from '../support/service-resources.js';
import { mintToken, pollStatus } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(120_000);

describe('reconcile PostgreSQL with the queue on start', () => {
  let dir: string;
  let files: FileServer;
  let res: ServiceResources;
  let svc: Service | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-reconcile-'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    files = await startFileServer(dir);
    res = await createResources({ RECONCILE_INTERVAL_MS: '2000', JOB_LEASE_SECONDS: '5' });
  });

  afterAll(async () => {
    await svc?.close();
    await res?.release();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('queued with no Bull job, and processing with an expired lease → both rendered once; a live lease is respected', async () => {
    const jobs = new JobsRepository(res.db.dataSource);
    const schema = res.db.schema;
    const mk = async (tag: string) =>
      jobs.create({
        userId: 'reconcile-user',
        videoUrl: files.url('tiny.mp4'),
        videoName: 'tiny.mp4',
        scenario: simpleScenario({ start: 0, end: 1, text: tag }),
        requestHash: tag.padEnd(64, '0'),
      });
    const lostQueued = await mk('lost-queued');
    const deadWorker = await mk('dead-worker');
    const liveLease = await mk('live-lease');
    const youngQueued = await mk('young-queued');
    const q = (sql: string, params: unknown[]) => res.db.dataSource.query(sql.replaceAll('$T', `"${schema}".render_jobs`), params);
    await q(`UPDATE $T SET created_at = now() - interval '10 minutes' WHERE id = ANY($1)`, [[lostQueued.id, deadWorker.id, liveLease.id]]);
    // A worker took these, then died: one lease already expired, one still running for 8 s.
    await q(
      `UPDATE $T SET status = 'processing', worker_id = 'gone:1:dead', attempts = 1, started_at = now() - interval '5 minutes', lease_until = now() - interval '1 minute' WHERE id = $1`,
      [deadWorker.id],
    );
    await q(
      `UPDATE $T SET status = 'processing', worker_id = 'other:2:live', attempts = 1, started_at = now(), lease_until = now() + interval '8 seconds' WHERE id = $1`,
      [liveLease.id],
    );

    const liveUntil = Date.now() + 8_000;
    const t0 = Date.now();
    // Watch the live-leased job: when does someone else take it?
    let takenAt = 0;
    const watch = setInterval(() => {
      void q(`SELECT worker_id FROM $T WHERE id = $1`, [liveLease.id]).then(
        (r: any[]) => {
          if (!takenAt && r[0]?.worker_id !== 'other:2:live') takenAt = Date.now();
        },
        () => undefined,
      );
    }, 100);
    svc = await startService({ mode: 'standalone', resources: res });
    const token = await mintToken('reconcile-user');
    for (const job of [lostQueued, deadWorker]) {
      const { final } = await pollStatus(svc.baseUrl, token, job.id, { timeoutMs: 60_000, intervalMs: 300 });
      expect([job.id, final.status]).toEqual([job.id, 'completed']);
    }
    const firstDone = Date.now() - t0;
    // …then it is reconciled too, as is the young queued job once past its 30 s grace.
    for (const job of [liveLease, youngQueued]) {
      const { final } = await pollStatus(svc.baseUrl, token, job.id, { timeoutMs: 60_000, intervalMs: 300 });
      expect([job.id, final.status]).toEqual([job.id, 'completed']);
    }
    clearInterval(watch);
    // The live lease was not stolen: taken over only once it had expired.
    expect(takenAt).toBeGreaterThan(0);
    expect(takenAt).toBeGreaterThanOrEqual(liveUntil - 300);
    const rows = await q(`SELECT id, attempts FROM $T WHERE id = ANY($1) ORDER BY id`, [
      [lostQueued.id, deadWorker.id, liveLease.id, youngQueued.id],
    ]);
    const attempts = Object.fromEntries(rows.map((r: any) => [r.id, r.attempts]));
    expect(attempts[lostQueued.id]).toBe(1);
    expect(attempts[deadWorker.id]).toBe(2);
    expect(attempts[liveLease.id]).toBe(2);
    expect(attempts[youngQueued.id]).toBe(1);
    const outputs = walkFiles(res.storageDir);
    expect(outputs).toEqual([lostQueued, deadWorker, liveLease, youngQueued].map((j) => `renders/${j.id}/output.mp4`).sort());
    console.log(`reconcile: lost/dead jobs completed ${firstDone} ms after start; all four in ${Date.now() - t0} ms`);
  });
});
