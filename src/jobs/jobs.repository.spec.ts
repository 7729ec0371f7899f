import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '../../test/support/test-database.js';
import type { TestDatabase } from '../../test/support/test-database.js';
import { JobsRepository } from './jobs.repository.js';
import type { RenderJobStatus } from '../database/entities/render-job.entity.js';
import { RENDER_JOB_STATUSES } from '../database/entities/render-job.entity.js';

type State = RenderJobStatus | 'processing-expired';
const STATES: State[] = ['queued', 'processing', 'processing-expired', 'completed', 'failed', 'cancelled'];

describe('JobsRepository', () => {
  let db: TestDatabase;
  let jobs: JobsRepository;

  beforeAll(async () => {
    db = await createTestDatabase({ poolSize: 12 });
    jobs = new JobsRepository(db.dataSource);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const newJob = (userId = 'user-1', extra: Record<string, unknown> = {}) =>
    jobs.create({
      userId,
      videoUrl: 'https://cdn.example.com/v/clip.mp4',
      videoName: 'clip.mp4',
      scenario: { version: '2.0', cues: [] },
      options: { width: 1920, height: 1080, fps: 30 },
      requestHash: 'h',
      estimatedSeconds: 42,
      ...extra,
    });

  /** Puts a fresh job straight into `state` (bypassing the transitions under test). */
  async function jobIn(state: State): Promise<string> {
    const job = await newJob();
    if (state === 'queued') return job.id;
    const status = state === 'processing-expired' ? 'processing' : state;
    const lease =
      state === 'processing-expired' ? `now() - interval '1 second'` : state === 'processing' ? `now() + interval '1 hour'` : 'NULL';
    await db.dataSource.query(
      `UPDATE render_jobs SET status = $2::text::render_job_status, lease_until = ${lease}, worker_id = 'w0',
              started_at = CASE WHEN $2::text <> 'cancelled' THEN now() END WHERE id = $1`,
      [job.id, status],
    );
    return job.id;
  }
  const statusOf = async (id: string) => (await jobs.findById(id))!.status;

  it('create stores a queued job with typed columns', async () => {
    const job = await newJob();
    expect(job).toMatchObject({
      status: 'queued',
      progress: 0,
      phase: null,
      attempts: 0,
      estimatedSeconds: 42,
      callbackUrl: null,
      fileSize: null,
      options: { width: 1920, height: 1080, fps: 30 },
      scenario: { version: '2.0', cues: [] },
    });
    expect(job.createdAt).toBeInstanceOf(Date);
    expect(RENDER_JOB_STATUSES).toEqual(['queued', 'processing', 'completed', 'failed', 'cancelled']);
  });

  // expected outcome of each transition from each state (true = applies)
  const matrix: Record<string, { run: (id: string) => Promise<boolean>; applies: State[]; to?: RenderJobStatus }> = {
    markProcessing: { run: (id) => jobs.markProcessing(id, 'w1', 60), applies: ['queued', 'processing-expired'], to: 'processing' },
    updateProgress: { run: (id) => jobs.updateProgress(id, 50, 'rendering'), applies: ['processing', 'processing-expired'] },
    markCompleted: {
      run: (id) => jobs.markCompleted(id, { outputKey: `renders/${id}.mp4`, fileSize: 123, durationSec: 1.5 }),
      applies: ['processing', 'processing-expired'],
      to: 'completed',
    },
    markFailed: {
      run: (id) => jobs.markFailed(id, { code: 'X', message: 'boom', kind: 'server' }),
      applies: ['queued', 'processing', 'processing-expired'],
      to: 'failed',
    },
    markCancelled: { run: (id) => jobs.markCancelled(id), applies: ['queued', 'processing', 'processing-expired'], to: 'cancelled' },
  };

  for (const [name, t] of Object.entries(matrix)) {
    for (const from of STATES) {
      const legal = t.applies.includes(from);
      it(`${name} from ${from} → ${legal ? 'applies' : 'refused, unchanged'}`, async () => {
        const id = await jobIn(from);
        const before = await jobs.findById(id);
        expect(await t.run(id)).toBe(legal);
        const after = (await jobs.findById(id))!;
        if (legal) {
          expect(after.status).toBe(t.to ?? before!.status);
        } else {
          expect(after).toEqual(before); // nothing at all changed
        }
      });
    }
  }

  it('transitions on unknown or malformed ids answer false', async () => {
    expect(await jobs.markProcessing(randomUUID(), 'w', 10)).toBe(false);
    expect(await jobs.markCancelled('not-a-uuid')).toBe(false);
    expect(await jobs.findForUser('not-a-uuid', 'user-1')).toBeNull();
  });

  it('a late completion cannot overwrite cancelled; a late failure neither', async () => {
    const job = await newJob();
    expect(await jobs.markProcessing(job.id, 'w1', 60)).toBe(true);
    expect(await jobs.markCancelled(job.id)).toBe(true);
    expect(await jobs.updateProgress(job.id, 90, 'encoding')).toBe(false);
    expect(await jobs.markCompleted(job.id, { outputKey: 'k', fileSize: 1, durationSec: 1 })).toBe(false);
    expect(await jobs.markFailed(job.id, { code: 'E', message: 'late', kind: 'server' })).toBe(false);
    const after = (await jobs.findById(job.id))!;
    expect(after).toMatchObject({ status: 'cancelled', outputKey: null, errorCode: null });
  });

  it('full happy path records worker, lease, progress, output and timestamps', async () => {
    const job = await newJob();
    expect(await jobs.markProcessing(job.id, 'worker-a', 30)).toBe(true);
    let j = (await jobs.findById(job.id))!;
    expect(j).toMatchObject({ status: 'processing', workerId: 'worker-a', attempts: 1 });
    expect(j.startedAt).toBeInstanceOf(Date);
    expect(j.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await jobs.updateProgress(job.id, 150, 'encoding')).toBe(true); // clamped
    j = (await jobs.findById(job.id))!;
    expect(j).toMatchObject({ progress: 100, phase: 'encoding' });
    expect(await jobs.updateProgress(job.id, 40)).toBe(true); // phase kept
    expect((await jobs.findById(job.id))!).toMatchObject({ progress: 40, phase: 'encoding' });
    expect(await jobs.markCompleted(job.id, { outputKey: 'renders/x.mp4', fileSize: 5_000_000_000, durationSec: 12.5 })).toBe(true);
    j = (await jobs.findById(job.id))!;
    expect(j).toMatchObject({
      status: 'completed',
      progress: 100,
      phase: null,
      outputKey: 'renders/x.mp4',
      fileSize: 5_000_000_000,
      durationSec: 12.5,
      leaseUntil: null,
    });
    expect(j.completedAt).toBeInstanceOf(Date);
    // terminal: completing twice does nothing
    expect(await jobs.markCompleted(job.id, { outputKey: 'other', fileSize: 1, durationSec: 1 })).toBe(false);
    expect(await jobs.markCancelled(job.id)).toBe(false);
  });

  it('markFailed stores code, message and kind', async () => {
    const job = await newJob();
    expect(await jobs.markFailed(job.id, { code: 'RENDER_INPUT_INVALID', message: 'x'.repeat(5000), kind: 'input' })).toBe(true);
    const j = (await jobs.findById(job.id))!;
    expect(j).toMatchObject({ status: 'failed', errorCode: 'RENDER_INPUT_INVALID', failureKind: 'input' });
    expect(j.errorMessage!.length).toBe(2000);
  });

  it('lease: a live lease blocks other workers; an expired one is re-acquired (at-least-once)', async () => {
    const job = await newJob();
    expect(await jobs.markProcessing(job.id, 'worker-a', 60)).toBe(true);
    const started = (await jobs.findById(job.id))!.startedAt!;
    expect(await jobs.markProcessing(job.id, 'worker-b', 60)).toBe(false);
    expect(await jobs.renewLease(job.id, 'worker-b', 60)).toBe(false);
    expect(await jobs.renewLease(job.id, 'worker-a', 60)).toBe(true);
    expect(await jobs.updateProgress(job.id, 30, 'rendering', 'worker-a')).toBe(true);

    await db.dataSource.query(`UPDATE render_jobs SET lease_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    expect(await jobs.markProcessing(job.id, 'worker-b', 60)).toBe(true);
    const j = (await jobs.findById(job.id))!;
    expect(j).toMatchObject({ status: 'processing', workerId: 'worker-b', attempts: 2, progress: 0, phase: null });
    expect(j.startedAt!.getTime()).toBe(started.getTime()); // first start kept
    // the worker that lost the lease can no longer report progress or renew
    expect(await jobs.updateProgress(job.id, 80, 'encoding', 'worker-a')).toBe(false);
    expect(await jobs.renewLease(job.id, 'worker-a', 60)).toBe(false);
    expect(await jobs.updateProgress(job.id, 10, 'downloading', 'worker-b')).toBe(true);
  });

  it('10 workers racing for one queued job: exactly one acquires it', async () => {
    const job = await newJob();
    const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => jobs.markProcessing(job.id, `w${i}`, 60)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await jobs.findById(job.id))!.attempts).toBe(1);
  });

  it('cancel racing completion: exactly one wins and the other is refused', async () => {
    for (let i = 0; i < 10; i++) {
      const job = await newJob();
      await jobs.markProcessing(job.id, 'w', 60);
      const [c, d] = await Promise.all([
        jobs.markCancelled(job.id),
        jobs.markCompleted(job.id, { outputKey: 'k', fileSize: 1, durationSec: 1 }),
      ]);
      expect(c !== d).toBe(true);
      expect(await statusOf(job.id)).toBe(c ? 'cancelled' : 'completed');
    }
  });

  it('findForUser hides other users’ jobs; history is own jobs, newest first, limited', async () => {
    const u = `hist-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const j = await newJob(u);
      await db.dataSource.query(`UPDATE render_jobs SET created_at = now() - make_interval(mins => $2) WHERE id = $1`, [j.id, 10 - i]);
      ids.push(j.id);
    }
    const other = await newJob(`other-${randomUUID()}`);
    expect(await jobs.findForUser(ids[0], u)).not.toBeNull();
    expect(await jobs.findForUser(other.id, u)).toBeNull();
    expect(await jobs.findForUser(ids[0], 'someone-else')).toBeNull();
    const h = await jobs.history(u, 3);
    expect(h.map((j) => j.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(await jobs.history(u)).toHaveLength(5);
    expect(await jobs.history(u, 0)).toHaveLength(1);
  });

  it('findStaleForReconcile: old queued and lease-expired processing only', async () => {
    const fresh = await newJob();
    const old = await newJob();
    await db.dataSource.query(`UPDATE render_jobs SET created_at = now() - interval '1 hour' WHERE id = $1`, [old.id]);
    const live = await jobIn('processing');
    const expired = await jobIn('processing-expired');
    const done = await jobIn('completed');
    const stale = (await jobs.findStaleForReconcile({ queuedOlderThanSec: 600, limit: 1000 })).map((j) => j.id);
    expect(stale).toEqual(expect.arrayContaining([old.id, expired]));
    expect(stale).not.toContain(fresh.id);
    expect(stale).not.toContain(live);
    expect(stale).not.toContain(done);
  });

  it('getStatus', async () => {
    const job = await newJob();
    expect(await jobs.getStatus(job.id)).toBe('queued');
    expect(await jobs.getStatus(randomUUID())).toBeNull();
  });
});
