// A long render split into segments that the queue's workers render separately, then joined
// without re-encoding: exact frame count, audio muxed once, no gap or repeated frame at the
// segment edges, captions continuous across them, and no segment left in storage.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/segments
import { jest } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countFrames, extractFrameRgba, makeTestVideo, probeDuration, probeStreams } from '../helpers/media.js';
import { changedPixels, meanDiff } from '../helpers/media.js';
import { downloadTo, mintToken, pollStatus } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(240_000);

const W = 480;
const H = 270;
const FPS = 10;
const SECONDS = 6;
/** 2 s segments: edges at frames 20 and 40. */
const EDGES = [20, 40];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('segmented render', () => {
  let dir: string;
  let source: string;
  let files: FileServer;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-segments-'));
    source = await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: SECONDS, width: W, height: H, fps: FPS, audio: true });
    files = await startFileServer(dir);
    svc = await startService({
      mode: 'standalone',
      allowPrivateNetworks: true,
      env: { SEGMENT_SECONDS: '2', SEGMENT_MIN_DURATION_SECONDS: '3', WORKER_CONCURRENCY: '2' },
    });
    token = await mintToken('seg-user');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The data of every SSE status event of a job, until the stream ends (terminal state). */
  async function readEvents(jobId: string): Promise<any[]> {
    const r = await fetch(`${svc.baseUrl}/api/render/${jobId}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(180_000),
    });
    expect(r.status).toBe(200);
    return (await r.text())
      .split('\n\n')
      .map((block) =>
        block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n'),
      )
      .filter((data) => data)
      .map((data) => JSON.parse(data));
  }

  it('renders segments separately and joins them frame-exact', async () => {
    const create = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('clip.mp4'), scenario: simpleScenario({ start: 1.5, end: 4.5 }) },
    });
    expect(create.status).toBe(201);
    const events = readEvents(create.body.jobId);
    const { final } = await pollStatus(svc.baseUrl, token, create.body.jobId, { timeoutMs: 180_000 });
    expect(final.status).toBe('completed');

    // The SSE live figures count the whole render's frames across its segments, not one segment's.
    const lives = (await events).filter((e) => e.status === 'processing' && e.live?.segments).map((e) => e.live);
    expect(lives.length).toBeGreaterThan(0);
    for (const live of lives) {
      expect(live.framesTotal).toBe(SECONDS * FPS);
      expect(live.segments.total).toBe(EDGES.length + 1);
      expect(live.framesDone).toBeLessThanOrEqual(SECONDS * FPS);
    }

    const out = join(dir, 'out.mp4');
    await downloadTo(final.downloadUrl, out);
    expect(await countFrames(out)).toBe(SECONDS * FPS);
    expect(Math.abs((await probeDuration(out)) - SECONDS)).toBeLessThanOrEqual(1 / FPS);
    const audio = (await probeStreams(out)).filter((s) => s.type === 'audio');
    expect(audio).toHaveLength(1);

    // Around each edge, output frame k is source frame k: closer to it than to its neighbours
    // (testsrc2 changes every frame), so nothing is missing or repeated. Compared above the captions.
    const top = Math.floor(H * 0.6);
    for (const edge of EDGES) {
      for (const k of [edge - 1, edge, edge + 1]) {
        const got = await extractFrameRgba(out, k, W, H);
        const same = meanDiff(got, await extractFrameRgba(source, k, W, H), W, 0, top);
        const before = meanDiff(got, await extractFrameRgba(source, k - 1, W, H), W, 0, top);
        const after = meanDiff(got, await extractFrameRgba(source, k + 1, W, H), W, 0, top);
        expect(same).toBeLessThan(before);
        expect(same).toBeLessThan(after);
      }
    }

    // The caption (1.5–4.5 s) shows on both sides of both edges, and not before it starts.
    const band = [Math.floor(H * 0.6), H] as const;
    for (const k of [19, 20, 39, 40]) {
      const got = await extractFrameRgba(out, k, W, H);
      expect(changedPixels(got, await extractFrameRgba(source, k, W, H), W, ...band)).toBeGreaterThan(100);
    }
    const early = await extractFrameRgba(out, 10, W, H);
    expect(changedPixels(early, await extractFrameRgba(source, 10, W, H), W, ...band)).toBeLessThan(20);

    // Only the result is left in storage: the stored source and the segments were removed.
    expect(listFiles(svc.res.storageDir).filter((f) => !f.startsWith('uploads/'))).toEqual([`renders/${create.body.jobId}/output.mp4`]);
  });

  it('renders short videos in one piece', async () => {
    await makeTestVideo({ path: join(dir, 'short.mp4'), seconds: 2, width: W, height: H, fps: FPS, audio: true });
    const create = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('short.mp4'), scenario: simpleScenario({ start: 0.5, end: 1.5 }) },
    });
    const { final } = await pollStatus(svc.baseUrl, token, create.body.jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
    const out = join(dir, 'short-out.mp4');
    await downloadTo(final.downloadUrl, out);
    expect(await countFrames(out)).toBe(20);
  });
});
