// Standalone mode: cancelling a running render (stops within 2 s, no ffmpeg left, no temp dir,
// no output object), and sources that are not videos (failed job with a clear error, nothing
// left behind).
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/cancel-and-input
import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestVideo } from '../helpers/media.js';
import { findProcesses, simpleScenario, startService, tmpEntries, tmpLeftovers, type Service } from '../helpers/service-harness.js';
import { freePort, startFileServer, type FileServer } from '../support/loopback.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';

jest.setTimeout(180_000);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('standalone: cancel while rendering; bad sources', () => {
  let dir: string;
  let files: FileServer;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-cancel-'));
    // Long enough that the render is still running when we cancel (captions on every frame).
    await makeTestVideo({ path: join(dir, 'long.mp4'), seconds: 40, width: 480, height: 270, fps: 10, audio: true });
    writeFileSync(join(dir, 'notes.txt'), 'This is a text file, not a video.\n'.repeat(200));
    writeFileSync(join(dir, 'garbage.mp4'), randomBytes(64 * 1024));
    files = await startFileServer(dir);
    svc = await startService({ mode: 'standalone', env: { QUOTA_DAILY: '100', QUOTA_CONCURRENT: '10' } });
    token = await mintToken('carol');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cancel while rendering → cancelled within 2 s; no ffmpeg, temp dir or output object left', async () => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('long.mp4'), scenario: simpleScenario({ start: 0, end: 40 }) },
    });
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    const needle = `ecg-${jobId}-`;

    // Wait until the render is really running: progress past the download share and an ffmpeg
    // encoding into this job's temp dir.
    await pollStatus(svc.baseUrl, token, jobId, {
      timeoutMs: 60_000,
      intervalMs: 100,
      until: (s) => {
        if (['completed', 'failed', 'cancelled'].includes(s.status))
          throw new Error(`job ended ${s.status} before the cancel: ${JSON.stringify(s)}`);
        return s.status === 'processing' && s.progress > 5 && findProcesses(/ffmpeg$/, needle).length > 0;
      },
    });
    expect(tmpEntries(svc.res.renderTmpDir).some((e) => e.startsWith(needle))).toBe(true);

    const t0 = Date.now();
    const c = await svc.call('POST', `/api/render/${jobId}/cancel`, { token });
    expect(c.status).toBe(200);
    expect(c.body.success).toBe(true);
    expect((await svc.call('GET', `/api/render/${jobId}/status`, { token })).body.status).toBe('cancelled');

    // Within 2 s: no ffmpeg for this job, no temp dir.
    let gone = false;
    while (Date.now() - t0 < 2000) {
      if (findProcesses(/ffmpeg$/, needle).length === 0 && !tmpEntries(svc.res.renderTmpDir).some((e) => e.startsWith(needle))) {
        gone = true;
        break;
      }
      await sleep(50);
    }
    const elapsed = Date.now() - t0;
    expect({ gone, elapsed, ffmpeg: findProcesses(/ffmpeg$/, needle), tmp: tmpEntries(svc.res.renderTmpDir) }).toEqual({
      gone: true,
      elapsed: expect.any(Number),
      ffmpeg: [],
      tmp: [],
    });
    expect(elapsed).toBeLessThanOrEqual(2000);

    // Stays cancelled (a late completion cannot overwrite it); no output object anywhere.
    await sleep(2500);
    const s = await svc.call('GET', `/api/render/${jobId}/status`, { token });
    expect(s.body).toMatchObject({ jobId, status: 'cancelled' });
    expect(s.body.downloadUrl).toBeUndefined();
    expect(existsSync(join(svc.res.storageDir, 'renders', jobId))).toBe(false);
    expect(walk(svc.res.storageDir)).toEqual([]);
    expect(findProcesses(/ffmpeg$/, needle)).toEqual([]);

    // The worker is free again: a short render after the cancel completes.
    const next = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('long.mp4'), scenario: simpleScenario(), options: { width: 480, height: 360, fps: 1 } },
    });
    expect(next.status).toBe(201);
    const { final } = await pollStatus(svc.baseUrl, token, next.body.jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
  });

  it.each([
    ['notes.txt', 'a text file'],
    ['garbage.mp4', 'random bytes named .mp4'],
  ])('a source that is %s (%s) → job failed with a clear error; nothing left behind', async (name) => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url(name), scenario: simpleScenario() },
    });
    expect(created.status).toBe(201);
    const { final } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 60_000 });
    expect(final.status).toBe('failed');
    expect(typeof final.error).toBe('string');
    expect(final.error.length).toBeGreaterThan(10);
    expect(final.error).toMatch(/video|media|stream|format|invalid|not/i);
    expect(final.error).not.toMatch(/internal error|undefined|\[object/i);
    expect(final.downloadUrl).toBeUndefined();
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);
    expect(existsSync(join(svc.res.storageDir, 'renders', created.body.jobId))).toBe(false);
    // Terminal: stays failed; cancel answers success: false.
    const c = await svc.call('POST', `/api/render/${created.body.jobId}/cancel`, { token });
    expect(c.body.success).toBe(false);
    expect((await svc.call('GET', `/api/render/${created.body.jobId}/status`, { token })).body.status).toBe('failed');
  });

  it('a video URL that answers 404 → failed naming the download problem', async () => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('missing.mp4'), scenario: simpleScenario() },
    });
    expect(created.status).toBe(201);
    const { final } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 60_000 });
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/404|not found|download/i);
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);
  });

  it('an unreachable video URL (connection refused) → retried, then failed naming the download problem', async () => {
    const port = await freePort(); // nothing listens there
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: `http://127.0.0.1:${port}/clip.mp4`, scenario: simpleScenario() },
    });
    expect(created.status).toBe(201);
    // Network errors are retryable: 3 attempts, exponential backoff from 5 s (src/queue/queue.constants.ts).
    const { final, seen } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 60_000, intervalMs: 500 });
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/download|connect|refused|ECONNREFUSED/i);
    // Between attempts the job is not reported failed.
    expect(seen.slice(0, -1).every((s) => s.status !== 'failed')).toBe(true);
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);
  });
});
