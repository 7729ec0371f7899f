// Rows 15 and 17 (standalone, in-process; the storage driver is wrapped to make uploads slow or late):
//   row 15 — 'row 15: cancel while <phase> …' for queued, downloading, rendering, uploading
//            (slow upload: aborted; late upload that ignores the abort: cannot complete the job)
//            and calling back (the completed job stays completed).
//   row 17 — 'row 17: Chromium killed mid-render …'
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/cancel-and-crash
import { jest } from '@jest/globals';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBrowserCrash } from '../../src/render/classify-render-error.js';
import { bullJobId, RENDER_QUEUE } from '../../src/queue/queue.constants.js';
import { LocalStorageDriver } from '../../src/storage/local-storage.driver.js';
import { STORAGE_DRIVER, type PutFileOptions } from '../../src/storage/storage-driver.js';
import {
  alive,
  busyScenario,
  descendants,
  isChromium,
  isFfmpeg,
  makeTinyVideo,
  startFaultService,
  startSlowFileServer,
  waitFor,
  walkFiles,
  type CountingServer,
  type FaultService,
} from '../helpers/fault-harness.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';
import { simpleScenario, tmpEntries } from '../helpers/service-harness.js';
import { startFileServer, startReceiver, type FileServer } from '../support/loopback.js';

jest.setTimeout(200_000);

type UploadMode = 'normal' | 'slow' | 'late';
const upload = { mode: 'normal' as UploadMode, started: 0, aborted: 0, lateWrites: 0, release: undefined as undefined | (() => void) };

/** The real local driver, with uploads that can be made slow (honouring the abort) or late (ignoring it). */
function wrapStorage(local: LocalStorageDriver) {
  const w = Object.create(local) as LocalStorageDriver;
  w.putFile = async (key: string, path: string, opts: PutFileOptions = {}) => {
    if (upload.mode === 'normal') return local.putFile(key, path, opts);
    upload.started++;
    if (upload.mode === 'slow') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 60_000);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (opts.signal?.aborted) {
        upload.aborted++;
        throw Object.assign(new Error('upload aborted'), { name: 'AbortError' });
      }
      return local.putFile(key, path, opts);
    }
    // late: ignores the abort, finishes when the test says so.
    await new Promise<void>((resolve) => (upload.release = resolve));
    upload.lateWrites++;
    return local.putFile(key, path);
  };
  return w;
}

describe('cancel in every phase; Chromium crash', () => {
  let dir: string;
  let files: FileServer;
  let slow: CountingServer & { aborted(): number };
  let svc: FaultService;
  let token: string;
  let queue: Queue;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-cancel-'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    await makeTinyVideo(join(dir, 'long.mp4'), { seconds: 60, w: 320, h: 180, fps: 10 });
    files = await startFileServer(dir);
    slow = await startSlowFileServer(join(dir, 'tiny.mp4'), 60_000, 60);
    svc = await startFaultService({
      mode: 'standalone',
      env: { QUOTA_DAILY: '1000', QUOTA_CONCURRENT: '100', SEGMENT_SECONDS: '0' },
      factoryOverrides: [[STORAGE_DRIVER, (local: LocalStorageDriver) => wrapStorage(local), [LocalStorageDriver]]],
    });
    queue = svc.app.get(getQueueToken(RENDER_QUEUE));
    token = await mintToken('canceller-15');
  });

  afterAll(async () => {
    upload.release?.();
    await svc?.close();
    await slow?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    upload.mode = 'normal';
  });

  const create = (videoUrl: string, extra: Record<string, unknown> = {}) =>
    svc.call('POST', '/api/render/create', { token, body: { videoUrl, scenario: busyScenario(60), ...extra } });
  const cancel = (jobId: string) => svc.call('POST', `/api/render/${jobId}/cancel`, { token });
  const dbRow = async (jobId: string) =>
    (
      await svc.res.db.dataSource.query(`SELECT status, attempts, output_key FROM "${svc.res.db.schema}".render_jobs WHERE id = $1`, [
        jobId,
      ])
    )[0];
  const jobFiles = (jobId: string) => walkFiles(svc.res.storageDir).filter((f) => f.includes(jobId));
  const jobTmp = (jobId: string) => tmpEntries(svc.res.renderTmpDir).filter((e) => e.includes(jobId));
  const waitPhase = (jobId: string, until: (s: any) => boolean) =>
    pollStatus(svc.baseUrl, token, jobId, {
      timeoutMs: 60_000,
      intervalMs: 50,
      until: (s) => {
        if (['completed', 'failed', 'cancelled'].includes(s.status))
          throw new Error(`ended ${s.status} before the cancel: ${JSON.stringify(s)}`);
        return until(s);
      },
    });

  /** After a cancel: terminal, stays so, nothing left behind. */
  async function expectCancelledAndClean(jobId: string) {
    await waitFor('no temp dir', () => jobTmp(jobId).length === 0, 2_000);
    await sleep(2_000);
    const s = await svc.call('GET', `/api/render/${jobId}/status`, { token });
    expect(s.body).toMatchObject({ jobId, status: 'cancelled' });
    expect(s.body.downloadUrl).toBeUndefined();
    expect(jobFiles(jobId)).toEqual([]);
    expect((await cancel(jobId)).body.success).toBe(false);
  }

  it('row 15: cancel while queued → removed from the queue, never processed', async () => {
    await queue.pause(true); // this worker takes nothing for now
    try {
      const r = await create(files.url('tiny.mp4'), { scenario: simpleScenario({ start: 0, end: 1 }) });
      expect(r.status).toBe(201);
      expect((await cancel(r.body.jobId)).body.success).toBe(true);
      expect(await queue.getJob(bullJobId({ kind: 'render', renderId: r.body.jobId }))).toBeNull();
      await queue.resume(true);
      await sleep(1_500);
      expect(await dbRow(r.body.jobId)).toMatchObject({ status: 'cancelled', attempts: 0 });
      await expectCancelledAndClean(r.body.jobId);
    } finally {
      await queue.resume(true).catch(() => undefined);
    }
  });

  it('row 15: cancel while downloading → the download is aborted within 2 s', async () => {
    const r = await create(`${slow.url}/tiny.mp4`, { scenario: simpleScenario({ start: 0, end: 1 }) });
    await waitPhase(r.body.jobId, (s) => s.status === 'processing' && s.phase === 'downloading');
    await waitFor('the slow download to start', () => slow.connections() > 0, 10_000);
    const abortedBefore = slow.aborted();
    const t0 = Date.now();
    expect((await cancel(r.body.jobId)).body.success).toBe(true);
    await waitFor('the download connection to be dropped', () => slow.aborted() > abortedBefore, 2_000, 50);
    await waitFor('no temp dir', () => jobTmp(r.body.jobId).length === 0, 2_000 - (Date.now() - t0), 50);
    await expectCancelledAndClean(r.body.jobId);
  });

  it('row 15: cancel while rendering → ffmpeg and the page stopped within 2 s', async () => {
    const r = await create(files.url('long.mp4'));
    const needle = `ecg-${r.body.jobId}-`;
    await waitPhase(
      r.body.jobId,
      (s) => s.status === 'processing' && s.progress > 6 && descendants(process.pid).some((p) => isFfmpeg(p) && p.cmd.includes(needle)),
    );
    const t0 = Date.now();
    expect((await cancel(r.body.jobId)).body.success).toBe(true);
    await waitFor('ffmpeg to stop', () => !descendants(process.pid).some((p) => isFfmpeg(p) && p.cmd.includes(needle)), 2_000, 50);
    expect(Date.now() - t0).toBeLessThanOrEqual(2_000);
    await expectCancelledAndClean(r.body.jobId);
  });

  it('row 15: cancel while uploading → the upload is aborted', async () => {
    upload.mode = 'slow';
    const before = upload.aborted;
    const r = await create(files.url('tiny.mp4'), { scenario: simpleScenario({ start: 0, end: 1 }) });
    await waitFor('the upload to start', () => upload.started > 0 && upload.aborted === before, 60_000, 50);
    expect((await svc.call('GET', `/api/render/${r.body.jobId}/status`, { token })).body.phase).toBe('uploading');
    expect((await cancel(r.body.jobId)).body.success).toBe(true);
    await waitFor('the upload to be aborted', () => upload.aborted > before, 2_000, 50);
    await expectCancelledAndClean(r.body.jobId);
  });

  it('row 15: cancel while uploading, the upload finishing anyway → the late completion cannot overwrite cancelled; its object is removed', async () => {
    upload.mode = 'late';
    upload.release = undefined;
    const writes = upload.lateWrites;
    const r = await create(files.url('tiny.mp4'), { scenario: simpleScenario({ start: 0, end: 1 }) });
    await waitFor('the upload to start', () => upload.release, 60_000, 50);
    expect((await cancel(r.body.jobId)).body.success).toBe(true);
    upload.release!();
    await waitFor('the late write', () => upload.lateWrites > writes, 5_000, 50);
    await expectCancelledAndClean(r.body.jobId);
    expect((await dbRow(r.body.jobId)).output_key).toBeNull();
  });

  it('row 15: cancel while calling back → the completed job stays completed; no cancelled callback', async () => {
    let release: (() => void) | undefined;
    const receiver = await startReceiver(() => 200);
    try {
      // The receiver is slow to answer the completed callback: it is in flight when we cancel.
      const hold = new Promise<void>((r) => (release = r));
      const { createServer } = await import('node:http');
      const seen: string[] = [];
      const srv = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const { status } = JSON.parse(body) as { status: string };
          seen.push(status);
          const answer = () => res.writeHead(200).end();
          if (status === 'completed') void hold.then(answer);
          else answer();
        });
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      const url = `http://127.0.0.1:${(srv.address() as any).port}/hook`;
      const r = await create(files.url('tiny.mp4'), { scenario: simpleScenario({ start: 0, end: 1 }), callbackUrl: url });
      await waitFor('the completed callback in flight', () => seen.includes('completed'), 60_000);
      const c = await cancel(r.body.jobId);
      expect(c.body.success).toBe(false);
      release!();
      await sleep(1_500);
      expect((await svc.call('GET', `/api/render/${r.body.jobId}/status`, { token })).body.status).toBe('completed');
      expect(seen).not.toContain('cancelled');
      expect(jobFiles(r.body.jobId)).toEqual([`renders/${r.body.jobId}/output.mp4`]);
      srv.closeAllConnections();
      srv.close();
    } finally {
      release?.();
      await receiver.close();
    }
  });

  it('row 17: Chromium killed mid-render ("Target closed") → retryable, the pool launches a new browser, the job completes', async () => {
    expect(isBrowserCrash(new Error('Protocol error (Runtime.callFunctionOn): Target closed'))).toBe(true);
    expect(isBrowserCrash(new Error('Page crashed!'))).toBe(true);
    const r = await create(files.url('long.mp4'));
    await waitPhase(r.body.jobId, (s) => s.status === 'processing' && s.progress > 8);
    // The browser process: a Chromium descendant of this process without --type= (not a renderer/GPU helper).
    const browsers = descendants(process.pid).filter((p) => isChromium(p) && !p.cmd.includes('--type='));
    expect(browsers.length).toBeGreaterThanOrEqual(1);
    for (const b of browsers) process.kill(b.pid, 'SIGKILL');
    const { final, seen } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 150_000, intervalMs: 300 });
    expect(final.status).toBe('completed');
    expect(seen.some((s) => s.status === 'failed')).toBe(false);
    expect((await dbRow(r.body.jobId)).attempts).toBe(2);
    const now = descendants(process.pid).filter((p) => isChromium(p) && !p.cmd.includes('--type='));
    expect(now.length).toBeGreaterThanOrEqual(1);
    expect(now.some((p) => browsers.some((b) => b.pid === p.pid))).toBe(false);
    expect(browsers.every((b) => !alive(b.pid))).toBe(true);
    expect(jobFiles(r.body.jobId)).toEqual([`renders/${r.body.jobId}/output.mp4`]);
  });
});
