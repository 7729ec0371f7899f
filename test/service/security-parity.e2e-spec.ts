// Issue 12 #1 (parity): the parity check runs on a worker (render-parity queue), never in the API
// process; it re-runs the render's ffprobe gate on its fresh copy of the source (an HLS playlist
// swapped in for the source is refused, 422, and no local file is read); a user may have
// PARITY_PER_USER checks waiting or running (429 with Retry-After beyond).
//   bash scripts/test.sh test/service/security-parity.e2e-spec.ts
import { jest } from '@jest/globals';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PARITY_QUEUE } from '../../src/queue/queue.constants.js';
import { parseStorageUrl } from '../../src/storage/storage-driver.js';
import { makeTestVideo } from '../helpers/media.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(240_000);

/** Chromium processes below this (the test = the API) process. */
function chromiumDescendants(): string[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const mine = new Set([process.pid]);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rows) {
      if (!mine.has(r.pid) && mine.has(r.ppid)) {
        mine.add(r.pid);
        changed = true;
      }
    }
  }
  return rows.filter((r) => mine.has(r.pid) && /chrom/i.test(r.comm)).map((r) => `${r.pid} ${r.comm}`);
}

describe('parity on a worker, gated', () => {
  let dir: string;
  let api: Service;
  let worker: Service | undefined;
  let token: string;
  let jobId: string;
  let sourcePath: string;
  let sourceBytes: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-sec-parity-'));
    const video = await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 2, width: 320, height: 180, fps: 8, audio: false });
    api = await startService({ mode: 'api', env: { PARITY_PER_USER: '1' } });
    worker = await startService({ mode: 'worker', resources: api.res });
    token = await mintToken('parity-user');
    sourceBytes = readFileSync(video);
    const up = await api.call('POST', '/api/uploads', {
      token,
      body: { filename: 'clip.mp4', contentType: 'video/mp4', size: sourceBytes.length },
    });
    const put = await fetch(up.body.uploadUrl, {
      method: 'PUT',
      headers: { ...(up.body.headers ?? {}) },
      body: new Uint8Array(sourceBytes),
    });
    expect(put.status).toBe(200);
    sourcePath = join(api.res.storageDir, ...parseStorageUrl(up.body.videoUrl)!.split('/'));
    const created = await api.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: up.body.videoUrl, scenario: simpleScenario({ start: 0.2, end: 1.6 }) },
    });
    expect(created.status).toBe(201);
    jobId = created.body.jobId;
    const { final } = await pollStatus(api.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a source swapped for an HLS playlist after the render is refused by the gate (422); no local file is read', async () => {
    const secret = join(dir, 'host-secret.ts');
    writeFileSync(secret, 'not for you');
    writeFileSync(
      sourcePath,
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:${secret}\n#EXT-X-ENDLIST\n`.padEnd(sourceBytes.length, '\n'),
    );
    const atimeBefore = execFileSync('stat', ['-c', '%X', secret], { encoding: 'utf8' });
    const r = await api.call('POST', `/api/render/${jobId}/parity?frames=2`, { token });
    expect(r.status).toBe(422);
    expect(r.body.detail.message).toMatch(/media rejected/);
    expect(execFileSync('stat', ['-c', '%X', secret], { encoding: 'utf8' })).toBe(atimeBefore);
    copyFileSync(join(dir, 'clip.mp4'), sourcePath);
  });

  it('with the real source, the worker answers the report', async () => {
    const r = await api.call('POST', `/api/render/${jobId}/parity?frames=2`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ jobId, match: true });
  });

  it('without a worker the check waits in the queue (no Chromium in the API process); a second one is 429', async () => {
    await worker!.close();
    worker = undefined;
    await sleep(500);
    const ac = new AbortController();
    const first = fetch(`${api.baseUrl}/api/render/${jobId}/parity?frames=3`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    }).catch(() => undefined);
    const queue = api.app.get<Queue>(getQueueToken(PARITY_QUEUE), { strict: false });
    for (let i = 0; i < 50 && (await queue.getWaitingCount()) === 0; i++) await sleep(100);
    expect(await queue.getWaitingCount()).toBe(1);
    await sleep(1000);
    expect(chromiumDescendants()).toEqual([]);
    const second = await api.call('POST', `/api/render/${jobId}/parity?frames=4`, { token });
    expect(second.status).toBe(429);
    expect(second.body.detail.code).toBe('RENDER_RATE_LIMITED');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    ac.abort();
    await first;
    await queue.empty();
  });
});
