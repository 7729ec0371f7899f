// Issue 12 #5 (storage): a per-user upload byte quota over the retention window, and the retention
// sweep: uploads older than UPLOAD_RETENTION_HOURS and outputs older than OUTPUT_RETENTION_DAYS are
// deleted; such a job's status answers `expired` (no download URL).
//   bash scripts/test.sh test/service/security-retention.e2e-spec.ts
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RetentionSweeper } from '../../src/security/retention-sweeper.js';
import { parseStorageUrl } from '../../src/storage/storage-driver.js';
import { mintToken } from '../support/api-client.js';
import { startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(90_000);

describe('upload quota and retention', () => {
  let api: Service;
  let worker: Service;
  beforeAll(async () => {
    const env = {
      UPLOAD_QUOTA_BYTES: '1000',
      UPLOAD_RETENTION_HOURS: '24',
      OUTPUT_RETENTION_DAYS: '7',
      RETENTION_SWEEP_INTERVAL_MS: '3600000',
    };
    api = await startService({ mode: 'api', env });
    // The sweeper lives on workers; its timer is an hour here, so the test calls sweep() itself.
    worker = await startService({ mode: 'worker', resources: api.res, env });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const target = async (user: string, size: number) =>
    api.call('POST', '/api/uploads', { token: await mintToken(user), body: { filename: 'a.mp4', contentType: 'video/mp4', size } });

  it('refuses upload targets past the per-user byte quota (403 naming size); other users are separate', async () => {
    expect((await target('hoarder', 600)).status).toBe(201);
    const r = await target('hoarder', 500);
    expect(r.status).toBe(403);
    expect(r.body.detail).toMatchObject({
      code: 'RENDER_QUOTA_UPLOAD_EXCEEDED',
      details: [{ field: 'size', reason: 'upload quota exceeded' }],
    });
    expect((await target('hoarder', 400)).status).toBe(201);
    expect((await target('someone', 1000)).status).toBe(201);
  });

  it('is exact under concurrency: 6 × 300 bytes against 1000 → 3 granted', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => target('racer', 300)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 403)).toHaveLength(3);
  });

  it('the sweep deletes old uploads (not one a queued job needs) and old outputs; status answers expired', async () => {
    const ds = api.res.db.dataSource;
    const token = await mintToken('keeper');
    const put = async () => {
      const t = await api.call('POST', '/api/uploads', { token, body: { filename: 'clip.mp4', contentType: 'video/mp4', size: 8 } });
      expect((await fetch(t.body.uploadUrl, { method: 'PUT', headers: t.body.headers, body: 'abcdefgh' })).status).toBe(200);
      return { videoUrl: t.body.videoUrl as string, path: join(api.res.storageDir, ...parseStorageUrl(t.body.videoUrl)!.split('/')) };
    };
    const old = await put();
    const needed = await put();
    const fresh = await put();
    await ds.query(`UPDATE upload_grants SET created_at = now() - interval '30 hours' WHERE key = ANY($1)`, [
      [old, needed].map((u) => parseStorageUrl(u.videoUrl)),
    ]);
    // a queued job still needs `needed` (api only: nothing renders it)
    await ds.query(
      `INSERT INTO render_jobs (id, user_id, status, video_url, video_name, scenario, request_hash) VALUES ($1, 'keeper', 'queued', $2, 'clip.mp4', '{}'::jsonb, 'h')`,
      [randomUUID(), needed.videoUrl],
    );

    const completed = async (daysAgo: number) => {
      const id = randomUUID();
      const key = `renders/${id}/output.mp4`;
      const path = join(api.res.storageDir, ...key.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'mp4');
      await ds.query(
        `INSERT INTO render_jobs (id, user_id, status, video_url, video_name, scenario, request_hash, output_key, file_size, duration_sec, started_at, completed_at)
         VALUES ($1, 'keeper', 'completed', 'https://x/v.mp4', 'v.mp4', '{}'::jsonb, 'h', $2, 3, 1, now() - make_interval(days => $3), now() - make_interval(days => $3))`,
        [id, key, daysAgo],
      );
      return { id, path };
    };
    const stale = await completed(10);
    const recent = await completed(1);

    const result = await worker.app.get(RetentionSweeper).sweep();
    expect(result).toEqual({ uploads: 1, outputs: 1, ran: true });
    expect(existsSync(old.path)).toBe(false);
    expect(existsSync(needed.path)).toBe(true);
    expect(existsSync(fresh.path)).toBe(true);
    expect(existsSync(stale.path)).toBe(false);
    expect(existsSync(recent.path)).toBe(true);

    const s = await api.call('GET', `/api/render/${stale.id}/status`, { token });
    expect(s.body.status).toBe('expired');
    expect(s.body.downloadUrl).toBeUndefined();
    const keep = await api.call('GET', `/api/render/${recent.id}/status`, { token });
    expect(keep.body).toMatchObject({ status: 'completed', downloadUrl: expect.any(String) });
    const history = await api.call('GET', '/api/render/history?limit=50', { token });
    expect(history.body.find((h: any) => h.jobId === stale.id)).toMatchObject({ status: 'expired', downloadUrl: null });
    // a second sweep finds nothing left to do
    expect(await worker.app.get(RetentionSweeper).sweep()).toEqual({ uploads: 0, outputs: 0, ran: true });
  });

  it('the sweep also deletes Idempotency-Keys past their 24 h TTL (admission ignores them already), not live ones', async () => {
    const ds = api.res.db.dataSource;
    const keyed = async (key: string, hoursAgo: number) => {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO render_jobs (id, user_id, status, video_url, video_name, scenario, request_hash) VALUES ($1, 'idem', 'cancelled', 'https://x/v.mp4', 'v.mp4', '{}'::jsonb, 'h')`,
        [id],
      );
      await ds.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, job_id, created_at) VALUES ('idem', $1, 'h', $2, now() - make_interval(hours => $3))`,
        [key, id, hoursAgo],
      );
    };
    await keyed('expired-key', 25);
    await keyed('live-key', 1);
    expect((await worker.app.get(RetentionSweeper).sweep()).ran).toBe(true);
    const left: Array<{ key: string }> = await ds.query(`SELECT key FROM idempotency_keys WHERE user_id = 'idem' ORDER BY key`);
    expect(left.map((r) => r.key)).toEqual(['live-key']);
  });
});
