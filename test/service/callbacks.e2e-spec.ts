// Callbacks (standalone): a loopback receiver gets the snake_case payloads (README "HTTP API"), signed
// the Standard Webhooks way with the configured WEBHOOK_SECRET; a 500 is retried with the same
// webhook id; a failed job reports error_code / error_message.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/callbacks
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook } from '../../src/callbacks/webhook-signature.js';
import { makeTestVideo } from '../helpers/media.js';
import { demoScenario, simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';
import { startFileServer, startReceiver, type FileServer, type ReceivedRequest } from '../support/loopback.js';

jest.setTimeout(120_000);

const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('callbacks', () => {
  let dir: string;
  let files: FileServer;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-callbacks-'));
    await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 3, width: 480, height: 270, fps: 10, audio: true });
    writeFileSync(join(dir, 'notes.txt'), 'not a video\n'.repeat(100));
    files = await startFileServer(dir);
    svc = await startService({ mode: 'standalone', env: { WEBHOOK_SECRET } });
    token = await mintToken('dave');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const parse = (r: ReceivedRequest) => JSON.parse(r.body) as Record<string, unknown>;

  it('delivers the signed completed callback; a 500 on the first attempt is retried with the same webhook id', async () => {
    const seenIds = new Set<string>();
    // First delivery of every event answers 500, later ones 200.
    const receiver = await startReceiver((req) => {
      const id = String(req.headers['webhook-id']);
      if (seenIds.has(id)) return 200;
      seenIds.add(id);
      return 500;
    });
    try {
      const created = await svc.call('POST', '/api/render/create', {
        token,
        body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario(), callbackUrl: receiver.url },
      });
      expect(created.status).toBe(201);
      const { jobId } = created.body;
      const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 90_000 });
      expect(final.status).toBe('completed');

      // The completed event: first attempt (answered 500), then a retry (answered 200).
      // Backoff: full jitter over 5 s for the first retry (src/callbacks/callback-sender.ts).
      const completed = await waitFor(
        'the retried completed callback',
        () => {
          const c = receiver.received.filter((r) => parse(r).status === 'completed');
          return c.length >= 2 ? c : undefined;
        },
        20_000,
      );
      const [first, retry] = completed;
      expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(retry.at).toBeGreaterThanOrEqual(first.at);

      for (const r of receiver.received) {
        expect(r.method).toBe('POST');
        expect(r.path).toBe('/hook');
        expect(r.headers['content-type']).toMatch(/application\/json/);
        expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
        // Our own verifier and the standardwebhooks library agree the signature is valid.
        expect(verifyWebhook(WEBHOOK_SECRET, r.headers, r.body)).toBe(true);
        expect(() =>
          new Webhook(WEBHOOK_SECRET).verify(r.body, {
            'webhook-id': String(r.headers['webhook-id']),
            'webhook-timestamp': String(r.headers['webhook-timestamp']),
            'webhook-signature': String(r.headers['webhook-signature']),
          }),
        ).not.toThrow();
        // A wrong secret or a modified body does not verify.
        expect(verifyWebhook(`whsec_${randomBytes(32).toString('base64')}`, r.headers, r.body)).toBe(false);
        expect(verifyWebhook(WEBHOOK_SECRET, r.headers, r.body.replace(jobId, 'x'))).toBe(false);
      }

      const payload = parse(retry);
      expect(payload).toEqual({
        job_id: jobId,
        status: 'completed',
        progress: 100,
        download_url: expect.stringMatching(/^http/),
        file_size: expect.any(Number),
        duration: expect.any(Number),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(payload.duration as number).toBeCloseTo(3, 0);
      // snake_case only.
      expect(Object.keys(payload).some((k) => /[A-Z]/.test(k))).toBe(false);
      // The download URL in the callback works.
      const dl = await fetch(payload.download_url as string);
      expect(dl.status).toBe(200);
      expect((await dl.arrayBuffer()).byteLength).toBe(payload.file_size);

      // Progress milestones (processing) came too, each with its own webhook id.
      const processing = receiver.received.filter((r) => parse(r).status === 'processing');
      expect(processing.length).toBeGreaterThanOrEqual(1);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(seenIds.size);
    } finally {
      await receiver.close();
    }
  });

  it('a failed job calls back with error_code and error_message', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const created = await svc.call('POST', '/api/render/create', {
        token,
        body: { videoUrl: files.url('notes.txt'), scenario: simpleScenario(), callbackUrl: receiver.url },
      });
      expect(created.status).toBe(201);
      const { final } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 60_000 });
      expect(final.status).toBe('failed');
      const r = await waitFor('the failed callback', () => receiver.received.find((x) => parse(x).status === 'failed'), 15_000);
      expect(verifyWebhook(WEBHOOK_SECRET, r.headers, r.body)).toBe(true);
      expect(parse(r)).toMatchObject({
        job_id: created.body.jobId,
        status: 'failed',
        error_code: expect.stringMatching(/^RENDER_/),
        error_message: expect.any(String),
      });
      expect(parse(r).download_url).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it('cancel of a queued-or-running job with a callbackUrl sends a signed cancelled callback', async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const created = await svc.call('POST', '/api/render/create', {
        token,
        body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario(), callbackUrl: receiver.url },
      });
      expect(created.status).toBe(201);
      const c = await svc.call('POST', `/api/render/${created.body.jobId}/cancel`, { token });
      expect(c.body.success).toBe(true);
      const r = await waitFor('the cancelled callback', () => receiver.received.find((x) => parse(x).status === 'cancelled'), 15_000);
      expect(verifyWebhook(WEBHOOK_SECRET, r.headers, r.body)).toBe(true);
      expect(parse(r)).toMatchObject({ job_id: created.body.jobId, status: 'cancelled' });
      await sleep(2000);
      expect(receiver.received.filter((x) => parse(x).status === 'completed')).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
