// Row 6: the callback receiver misbehaves — down, slow, 3xx, 410, 429, 500, hanging. The real
// notifier → `render-callbacks` Bull queue → CallbackWorker → CallbackSender → guarded fetcher,
// on a test module whose only differences from production are time scales: backoff base 200 ms
// (production 5 s; the same jittered callbackBackoff function) and a 1.5 s delivery timeout
// (production 10 s). Every request received is checked against its Standard Webhooks signature.
// End to end with a render: test/service/callbacks.e2e-spec.ts, worker-processes ('one final callback id').
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/callbacks
import { jest } from '@jest/globals';
import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bull';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { storageOptions } from '../../src/app/core.module.js';
import { CALLBACK_BACKOFF_STRATEGY, callbackBackoff } from '../../src/callbacks/callback-sender.js';
import { CallbacksModule } from '../../src/callbacks/callbacks.module.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { NetModule } from '../../src/net/net.module.js';
import { CallbackNotifier } from '../../src/queue/callback-notifier.js';
import { bullJobId, CALLBACK_QUEUE } from '../../src/queue/queue.constants.js';
import { StorageModule } from '../../src/storage/storage.module.js';
import { CallbackWorker } from '../../src/worker/callback.worker.js';
import { startCountingServer, waitFor, type CountingServer } from '../helpers/fault-harness.js';
import { createResources, type ServiceResources } from '../support/service-resources.js';
import { freePort } from '../support/loopback.js';
import { sleep } from '../support/api-client.js';

jest.setTimeout(120_000);

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const BASE_MS = 200;
const TIMEOUT_MS = 1500;
const MAX_ATTEMPTS = 5;

interface Hit {
  at: number;
  id: string;
  verified: boolean;
  status: string;
}

/** A receiver whose answer per request is decided by `plan(path, n)` (n = attempt index for that path). */
async function startPlannedReceiver(
  plan: (path: string, n: number) => number | 'hang' | { delayMs: number; status: number } | { redirect: string },
  port = 0,
) {
  const hits = new Map<string, Hit[]>();
  const sockets = new Set<Socket>();
  const wh = new Webhook(SECRET);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        wh.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        /* bad signature */
      }
      const path = req.url ?? '';
      const list = hits.get(path) ?? [];
      list.push({ at: Date.now(), id: String(req.headers['webhook-id']), verified, status: JSON.parse(body || '{}').status });
      hits.set(path, list);
      const what = plan(path, list.length - 1);
      if (what === 'hang') return; // never answers
      if (typeof what === 'number') return void res.writeHead(what).end('x');
      if ('redirect' in what) return void res.writeHead(302, { location: what.redirect }).end();
      setTimeout(() => res.writeHead(what.status).end('slow'), what.delayMs);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const actual = (server.address() as { port: number }).port;
  return {
    url: (path: string) => `http://127.0.0.1:${actual}${path}`,
    port: actual,
    hits: (path: string) => hits.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('row 6: callback receiver down, slow, 3xx, 410, 429, 500, hanging', () => {
  let res: ServiceResources;
  let ctx: INestApplicationContext;
  let notifier: CallbackNotifier;
  let queue: Queue;
  let receiver: Awaited<ReturnType<typeof startPlannedReceiver>>;
  let sentinel: CountingServer;
  const plans = new Map<string, (n: number) => number | 'hang' | { delayMs: number; status: number } | { redirect: string }>();

  beforeAll(async () => {
    res = await createResources({ WEBHOOK_SECRET: SECRET, CALLBACK_MAX_ATTEMPTS: String(MAX_ATTEMPTS) });
    const config = loadAppConfig({ ...res.env, ECG_RENDER_MODE: 'worker' });
    sentinel = await startCountingServer();
    receiver = await startPlannedReceiver((path, n) => (plans.get(path) ?? (() => 200))(n));

    @Module({
      imports: [
        ConfigModule.forApp(config),
        BullModule.forRoot({ url: config.redisUrl, prefix: config.queuePrefix }),
        BullModule.registerQueue({
          name: CALLBACK_QUEUE,
          settings: {
            backoffStrategies: {
              [CALLBACK_BACKOFF_STRATEGY]: (attemptsMade: number) => callbackBackoff(attemptsMade, { baseMs: BASE_MS }),
            },
          },
        }),
        NetModule.forRoot({ allowHttp: true, allowPrivateNetworks: true }),
        StorageModule.forRoot(storageOptions(config)),
        CallbacksModule.forRoot({ secret: config.callbacks.secret, timeoutMs: TIMEOUT_MS }),
      ],
      providers: [CallbackNotifier, CallbackWorker],
    })
    class CallbackTestModule {}

    ctx = await NestFactory.createApplicationContext(CallbackTestModule, { logger: ['error'] });
    await ctx.init();
    notifier = ctx.get(CallbackNotifier);
    queue = ctx.get(getQueueToken(CALLBACK_QUEUE));
  });

  afterAll(async () => {
    await ctx?.close();
    await receiver?.close();
    await sentinel?.close();
    await res?.release();
  });

  async function send(path: string, url = receiver.url(path)) {
    const jobId = randomUUID();
    await notifier.notify(url, 'completed', { jobId, status: 'completed', progress: 100 });
    return { jobId, webhookId: `msg_${jobId}_completed` };
  }

  async function bullState(webhookId: string) {
    const job = await queue.getJob(bullJobId({ kind: 'callback', webhookId }));
    return { state: await job!.getState(), attemptsMade: job!.attemptsMade, returnvalue: job!.returnvalue as unknown };
  }

  it('500, 500, then 200 → retried with the same webhook id, jittered exponential backoff, every signature verifies', async () => {
    // Several deliveries at once, to see the jitter.
    const paths = ['/r500-a', '/r500-b', '/r500-c', '/r500-d'];
    for (const p of paths) plans.set(p, (n) => (n < 2 ? 500 : 200));
    const sent = await Promise.all(paths.map((p) => send(p)));
    await waitFor('all delivered', () => paths.every((p) => receiver.hits(p).length === 3), 30_000);
    const gaps: number[] = [];
    for (const [i, p] of paths.entries()) {
      const h = receiver.hits(p);
      expect(h.every((x) => x.verified)).toBe(true);
      expect(new Set(h.map((x) => x.id))).toEqual(new Set([sent[i].webhookId]));
      // Retry k waits random() × base × 2^(k-1): at most 200 ms, then 400 ms (+ Bull's delayed-job polling).
      const g1 = h[1].at - h[0].at;
      const g2 = h[2].at - h[1].at;
      expect(g1).toBeLessThan(BASE_MS + 5_500);
      expect(g2).toBeLessThan(2 * BASE_MS + 5_500);
      gaps.push(g1, g2);
      await waitFor('completed in Bull', async () => (await bullState(sent[i].webhookId)).state === 'completed', 5_000);
    }
    // Jitter: the gaps are not all the same.
    expect(new Set(gaps.map((g) => Math.round(g / 20))).size).toBeGreaterThan(1);
    console.log(`row 6: retry gaps (ms) ${gaps.join(', ')}`);
  });

  it('429 → retried like 5xx', async () => {
    plans.set('/r429', (n) => (n === 0 ? 429 : 200));
    const { webhookId } = await send('/r429');
    await waitFor('delivered', () => receiver.hits('/r429').length === 2, 20_000);
    await waitFor('completed', async () => (await bullState(webhookId)).state === 'completed', 5_000);
    expect(receiver.hits('/r429').every((x) => x.verified && x.id === webhookId)).toBe(true);
  });

  it('410 → stops at once: one request, no retry', async () => {
    plans.set('/r410', () => 410);
    const { webhookId } = await send('/r410');
    await waitFor('first request', () => receiver.hits('/r410').length === 1, 10_000);
    await sleep(2_500);
    expect(receiver.hits('/r410')).toHaveLength(1);
    // Finished for good (discarded, no retry scheduled): the processor's verdict is 'stop'.
    expect(await bullState(webhookId)).toMatchObject({ state: 'completed', returnvalue: 'stop' });
  });

  it.each([301, 302, 307, 308])('%i → not followed (the target sees nothing), not retried', async (code) => {
    const path = `/r${code}`;
    plans.set(path, () => ({ redirect: `${sentinel.url}/stolen` }));
    // The receiver answers `code` via the redirect plan (302); for the others, a plain status.
    if (code !== 302) plans.set(path, () => code);
    const { webhookId } = await send(path);
    await waitFor('first request', () => receiver.hits(path).length === 1, 10_000);
    await sleep(1_500);
    expect(receiver.hits(path)).toHaveLength(1);
    expect(sentinel.connections()).toBe(0);
    expect(await bullState(webhookId)).toMatchObject({ state: 'completed', returnvalue: 'give-up' });
  });

  it('slow (answers after 1 s, within the timeout) → delivered once', async () => {
    plans.set('/slow', () => ({ delayMs: 1000, status: 200 }));
    const { webhookId } = await send('/slow');
    await waitFor('completed', async () => (await bullState(webhookId)).state === 'completed', 15_000);
    expect(receiver.hits('/slow')).toHaveLength(1);
  });

  it('hanging (never answers) → each attempt times out, retried up to CALLBACK_MAX_ATTEMPTS, then given up', async () => {
    plans.set('/hang', () => 'hang');
    const t0 = Date.now();
    const { webhookId } = await send('/hang');
    await waitFor('failed for good', async () => (await bullState(webhookId)).state === 'failed', 60_000, 200);
    const h = receiver.hits('/hang');
    expect(h).toHaveLength(MAX_ATTEMPTS);
    expect(new Set(h.map((x) => x.id)).size).toBe(1);
    for (let i = 1; i < h.length; i++) expect(h[i].at - h[i - 1].at).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect((await bullState(webhookId)).attemptsMade).toBe(MAX_ATTEMPTS);
    console.log(`row 6: hanging receiver given up after ${Date.now() - t0} ms`);
  });

  it('down (connection refused) → retried; delivered once the receiver is back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/down`;
    const { webhookId } = await send('/down', url);
    await waitFor('two failed attempts', async () => (await bullState(webhookId)).attemptsMade >= 2, 30_000, 50);
    const back = await startPlannedReceiver(() => 200, port);
    try {
      await waitFor('delivered after the receiver came back', async () => (await bullState(webhookId)).state === 'completed', 30_000);
      expect(back.hits('/down')).toHaveLength(1);
      expect(back.hits('/down')[0]).toMatchObject({ id: webhookId, verified: true });
    } finally {
      await back.close();
    }
  });

  it('the same (job, event) notified twice → one delivery (one webhook id, one Bull job)', async () => {
    plans.set('/dup', () => 200);
    const jobId = randomUUID();
    await notifier.notify(receiver.url('/dup'), 'completed', { jobId, status: 'completed', progress: 100 });
    await notifier.notify(receiver.url('/dup'), 'completed', { jobId, status: 'completed', progress: 100 });
    await waitFor('delivered', () => receiver.hits('/dup').length >= 1, 10_000);
    await sleep(1000);
    expect(receiver.hits('/dup')).toHaveLength(1);
  });
});
