// Standalone mode end to end: create → poll status (as the editor does) → completed → download
// downloadUrl with fetch → ffprobe (plays, frame count, audio, captions on a frame inside a cue);
// history; the upload flow (POST /api/uploads → PUT → create with videoUrl); SSE events.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/standalone
import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSignedUrl } from '../../src/storage/signed-url.js';
import { countFrames, extractFrameRgba, makeTestVideo, probeDuration, probeStreams } from '../helpers/media.js';
import { demoScenario, startService, tmpLeftovers, type Service } from '../helpers/service-harness.js';
import { downloadTo, mintToken, pollStatus } from '../support/api-client.js';
import { changedPixels } from '../helpers/media.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(180_000);

const W = 480;
const H = 270;
const FPS = 10;
const SECONDS = 3;
const EDITOR = 'https://editor.example.com';

describe('standalone: create → poll → download', () => {
  let dir: string;
  let source: string;
  let files: FileServer;
  let svc: Service;
  let token: string;
  /** The job of the first test (completed). */
  let doneJobId: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-standalone-'));
    source = await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: SECONDS, width: W, height: H, fps: FPS, audio: true });
    files = await startFileServer(dir);
    svc = await startService({ mode: 'standalone', env: { CORS_ORIGINS: `${EDITOR},https://other.example.org` } });
    token = await mintToken('alice');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function checkOutput(path: string): Promise<void> {
    const streams = await probeStreams(path);
    expect(streams.find((s) => s.type === 'video')?.codec).toBe('h264');
    expect(streams.find((s) => s.type === 'audio')).toBeDefined();
    expect(await countFrames(path)).toBe(SECONDS * FPS);
    expect(Math.abs((await probeDuration(path)) - (await probeDuration(source)))).toBeLessThanOrEqual(1 / FPS + 0.05);
    // Captions: cue1 of the demo scenario (0.5–3.0 s) is fully faded in at t = 1.5 s (frame 15)
    // near the bottom; before 0.5 s (frame 2) nothing is drawn. Compare the bottom band with the
    // plain source's same frame.
    const y0 = Math.floor(H * 0.7);
    const [outIn, srcIn, outOut, srcOut] = await Promise.all([
      extractFrameRgba(path, 15, W, H),
      extractFrameRgba(source, 15, W, H),
      extractFrameRgba(path, 2, W, H),
      extractFrameRgba(source, 2, W, H),
    ]);
    const inCue = changedPixels(outIn, srcIn, W, y0, H);
    const noCue = changedPixels(outOut, srcOut, W, y0, H);
    expect(noCue).toBeLessThan(30); // only encoding noise before the cue starts
    expect(inCue).toBeGreaterThan(300); // the caption's glyphs
    // Outside any cue the whole frame is the source's (up to encoding noise).
    expect(changedPixels(outOut, srcOut, W, 0, H)).toBeLessThan(30);
  }

  it('renders a job end to end: status polling, completed with downloadUrl, a playable MP4 with captions and audio', async () => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario() },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      jobId: expect.any(String),
      estimatedTime: expect.any(Number),
      createdAt: expect.any(String),
      warnings: [],
    });
    const { jobId } = created.body;

    const { final, seen } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect(final).toMatchObject({ jobId, status: 'completed', progress: 100, downloadUrl: expect.stringMatching(/^http/) });
    expect(final.completedAt).toBeDefined();
    expect(final.startedAt).toBeDefined();
    expect(final.error).toBeUndefined();
    for (const s of seen) expect(['queued', 'processing', 'completed']).toContain(s.status);
    // Progress never goes backwards.
    for (let i = 1; i < seen.length; i++) expect(seen[i].progress).toBeGreaterThanOrEqual(seen[i - 1].progress);

    const out = join(dir, 'out.mp4');
    const r = await downloadTo(final.downloadUrl, out);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/video\/mp4/);
    await checkOutput(out);

    // Nothing left in RENDER_TMP_DIR; the result is at the deterministic key.
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);
    expect(existsSync(join(svc.res.storageDir, 'renders', jobId, 'output.mp4'))).toBe(true);

    const history = await svc.call('GET', '/api/render/history?limit=10', { token });
    expect(history.status).toBe(200);
    const item = history.body.find((h: any) => h.jobId === jobId);
    expect(item).toMatchObject({ jobId, status: 'completed', videoName: expect.any(String), downloadUrl: expect.stringMatching(/^http/) });
    expect(item.fileSize).toBe(statSync(out).size);
    expect(item.duration).toBeCloseTo(SECONDS, 0);
    expect(item.completedAt).toEqual(final.completedAt);

    // Another user's history does not list it.
    const bob = await svc.call('GET', '/api/render/history', { token: await mintToken('bob') });
    expect(bob.status).toBe(200);
    expect(bob.body).toEqual([]);

    // Status after completion stays completed, and mints a fresh working URL each time.
    const again = await svc.call('GET', `/api/render/${jobId}/status`, { token });
    expect(again.body.status).toBe('completed');
    const r2 = await fetch(again.body.downloadUrl);
    expect(r2.status).toBe(200);
    expect(Buffer.from(await r2.arrayBuffer()).equals(readFileSync(out))).toBe(true);
    doneJobId = jobId;
  });

  it('renders an uploaded video: POST /api/uploads → PUT bytes → create with videoUrl', async () => {
    const bytes = readFileSync(source);
    const up = await svc.call('POST', '/api/uploads', {
      token,
      body: { filename: 'my clip.mp4', contentType: 'video/mp4', size: bytes.length },
    });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      uploadUrl: expect.stringMatching(/^http/),
      method: 'PUT',
      videoUrl: expect.stringMatching(/^storage:\/\//),
      expiresAt: expect.any(String),
    });

    const put = await fetch(up.body.uploadUrl, {
      method: 'PUT',
      headers: { ...(up.body.headers ?? {}), 'content-length': String(bytes.length) },
      body: bytes,
    });
    expect(put.status).toBeLessThan(300);

    // Another user cannot render this upload.
    const stolen = await svc.call('POST', '/api/render/create', {
      token: await mintToken('mallory'),
      body: { videoUrl: up.body.videoUrl, scenario: demoScenario() },
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.detail.code).toBe('RENDER_VALIDATION_FAILED');

    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: up.body.videoUrl, scenario: demoScenario(), options: { width: 480, height: 360, fps: 10, quality: 60 } },
    });
    expect(created.status).toBe(201);
    const { final } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
    const out = join(dir, 'uploaded-out.mp4');
    expect((await downloadTo(final.downloadUrl, out)).status).toBe(200);
    const streams = await probeStreams(out);
    expect(streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(await countFrames(out)).toBe(SECONDS * 10);
    // Requested size honoured.
    const frame = await extractFrameRgba(out, 0, 480, 360);
    expect(frame.length).toBe(480 * 360 * 4);
  });

  it('streams status events over SSE, ending with completed', async () => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario() },
    });
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    const r = await fetch(`${svc.baseUrl}/api/render/${jobId}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: AbortSignal.timeout(120_000),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await r.text(); // the server ends the stream after the terminal state
    const events = text
      .split('\n\n')
      .filter((b) => b.trim())
      .map((block) => {
        const lines = block.split('\n');
        const type = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        return { type, data: data ? JSON.parse(data) : undefined };
      });
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events) expect(e.type).toBe('status');
    expect(events.at(-1)!.data).toMatchObject({ jobId, status: 'completed', progress: 100 });
    expect(events.some((e) => e.data.status === 'processing' || e.data.status === 'queued')).toBe(true);

    // EventSource (no headers) uses a single-use ?ticket= on a finished job too: one event, then the end.
    const ticket = await svc.call('POST', `/api/render/${jobId}/events/ticket`, { token });
    const viaQuery = await fetch(`${svc.baseUrl}${ticket.body.url}`, { signal: AbortSignal.timeout(20_000) });
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.text()).toContain('"completed"');
    // Another user's job: 404.
    const other = await fetch(`${svc.baseUrl}/api/render/${jobId}/events`, {
      headers: { authorization: `Bearer ${await mintToken('bob')}` },
    });
    expect(other.status).toBe(404);
  });

  it('CORS: preflight from an allowed origin; download URL answers with Access-Control-Allow-Origin; expired URL → 403, then a fresh one', async () => {
    expect(doneJobId).toBeDefined();
    const pre = await fetch(`${svc.baseUrl}/api/render/create`, {
      method: 'OPTIONS',
      headers: {
        origin: EDITOR,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBe(EDITOR);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization/);
    // An origin not in CORS_ORIGINS gets no CORS grant.
    const evil = await fetch(`${svc.baseUrl}/api/render/create`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    // A real API call from the editor's origin.
    const st = await fetch(`${svc.baseUrl}/api/render/${doneJobId}/status`, {
      headers: { origin: EDITOR, authorization: `Bearer ${token}` },
    });
    expect(st.status).toBe(200);
    expect(st.headers.get('access-control-allow-origin')).toBe(EDITOR);
    const { downloadUrl } = (await st.json()) as { downloadUrl: string };

    // The local download URL, fetched from the browser (with Origin).
    const dl = await fetch(downloadUrl, { headers: { origin: EDITOR } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('access-control-allow-origin')).toBe(EDITOR);
    expect((await dl.arrayBuffer()).byteLength).toBeGreaterThan(1000);

    // The same URL, expired (signed as the server signs, with an expiry in the past) → 403.
    const u = new URL(downloadUrl);
    const key = decodeURIComponent(u.pathname.replace(/^\/api\/files\//, ''));
    const expired = buildSignedUrl(svc.config.http.publicBaseUrl, svc.config.storage.urlSigningSecret, {
      method: 'GET',
      key,
      expires: Math.floor(Date.now() / 1000) - 60,
      filename: u.searchParams.get('filename') ?? undefined,
    });
    const ex = await fetch(expired, { headers: { origin: EDITOR } });
    expect(ex.status).toBe(403);
    const exBody = await ex.json();
    expect(exBody.detail.message).toMatch(/expired/);
    // A tampered signature → 403 too.
    const tampered = downloadUrl.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await fetch(tampered)).status).toBe(403);
    // The next status mints a fresh working URL.
    const next = await svc.call('GET', `/api/render/${doneJobId}/status`, { token });
    expect((await fetch(next.body.downloadUrl)).status).toBe(200);
  });
});
