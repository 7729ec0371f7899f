import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { GuardedFetcher, type HostResolver } from '../net/guarded-fetcher.js';
import { startSentinel, startServer, type TestServer } from '../../test/support/loopback.js';
import { buildCallbackPayload, webhookIdFor } from './callback-payload.js';
import { CallbackUrlCheck } from './callback-url-check.js';
import { CALLBACK_QUEUE, callbackBackoff, CallbackDeliveryError, CallbackSender, classifyCallbackStatus } from './callback-sender.js';
import { decodeWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('webhook signing (Standard Webhooks)', () => {
  it('interoperates with the standardwebhooks package', () => {
    const body = JSON.stringify({ job_id: 'j1', status: 'completed', progress: 100, timestamp: new Date().toISOString() });
    const ts = Math.floor(Date.now() / 1000);
    const headers = signWebhook(SECRET, 'msg_j1_completed', ts, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const wh = new Webhook(SECRET);
    expect(wh.verify(body, { ...headers })).toEqual(JSON.parse(body));
    // bare base64 secret (no prefix) is the same key
    expect(() => new Webhook(SECRET.slice(6)).verify(body, { ...headers })).not.toThrow();
    // our own verifier agrees, and rejects tampering
    expect(verifyWebhook(SECRET, { ...headers }, body)).toBe(true);
    expect(verifyWebhook(SECRET, { ...headers }, body.replace('100', '99'))).toBe(false);
    expect(() => wh.verify(body.replace('100', '99'), { ...headers })).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
    // stale timestamp refused by the lib
    const old = signWebhook(SECRET, 'msg_x', ts - 3600, body);
    expect(() => wh.verify(body, { ...old })).toThrow();
  });

  it('rejects malformed secrets and ids', () => {
    expect(() => decodeWebhookSecret('whsec_***')).toThrow();
    expect(() => decodeWebhookSecret('whsec_AAAA')).toThrow(/16 bytes/);
    expect(() => signWebhook(SECRET, 'has space', 1, 'x')).toThrow();
  });
});

describe('callback payload', () => {
  it('is snake_case with only the fields given', () => {
    const p = buildCallbackPayload({
      jobId: 'job-1',
      status: 'completed',
      progress: 100,
      downloadUrl: 'https://s3/x',
      fileSize: 1234,
      duration: 12.5,
      timestamp: new Date('2030-01-01T00:00:00Z'),
    });
    expect(p).toEqual({
      job_id: 'job-1',
      status: 'completed',
      progress: 100,
      download_url: 'https://s3/x',
      file_size: 1234,
      duration: 12.5,
      timestamp: '2030-01-01T00:00:00.000Z',
    });
    const f = buildCallbackPayload({ jobId: 'job-1', status: 'failed', progress: 140.2, errorMessage: 'boom', errorCode: 'RENDER_FAILED' });
    expect(f).toMatchObject({ progress: 100, error_message: 'boom', error_code: 'RENDER_FAILED' });
    expect(Object.keys(f)).not.toContain('download_url');
  });

  it('webhook ids are deterministic per (job, event)', () => {
    expect(webhookIdFor('job-1', 'completed')).toBe('msg_job-1_completed');
    expect(webhookIdFor('job-1', 'completed')).toBe(webhookIdFor('job-1', 'completed'));
    expect(webhookIdFor('job-1', 'failed')).not.toBe(webhookIdFor('job-1', 'completed'));
    expect(CALLBACK_QUEUE).toBe('render-callbacks');
  });
});

describe('callbackBackoff', () => {
  it('is exponential with full jitter and a cap', () => {
    const half = (a: number) => callbackBackoff(a, { random: () => 0.5 });
    expect([1, 2, 3, 4].map(half)).toEqual([2500, 5000, 10000, 20000]);
    expect(half(50)).toBe(15 * 60_000);
    expect(half(100000)).toBe(15 * 60_000);
    expect(callbackBackoff(5, { random: () => 0 })).toBe(0);
    for (let i = 0; i < 200; i++) {
      const d = callbackBackoff(4);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(40_000);
    }
  });

  it('classifies statuses', () => {
    expect(classifyCallbackStatus(204, 'm').result).toBe('delivered');
    expect(classifyCallbackStatus(410, 'm').result).toBe('stop');
    expect(classifyCallbackStatus(301, 'm').result).toBe('give-up');
    expect(classifyCallbackStatus(429, 'm').result).toBe('retry');
    expect(classifyCallbackStatus(503, 'm').result).toBe('retry');
    expect(classifyCallbackStatus(404, 'm').result).toBe('give-up');
    expect(new CallbackDeliveryError({ result: 'retry', reason: 'x', webhookId: 'm' }).retryable).toBe(true);
    expect(new CallbackDeliveryError({ result: 'stop', status: 410, reason: 'x', webhookId: 'm' }).retryable).toBe(false);
  });
});

describe('CallbackSender against a loopback receiver', () => {
  let receiver: TestServer;
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  let fetcher: GuardedFetcher;
  let sender: CallbackSender;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    sentinel = await startSentinel();
    receiver = await startServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url!;
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (path === '/ok') return res.writeHead(204).end();
        if (path === '/500') return res.writeHead(500).end('oops');
        if (path === '/429') return res.writeHead(429).end();
        if (path === '/410') return res.writeHead(410).end();
        if (path === '/404') return res.writeHead(404).end();
        if (path === '/302') return res.writeHead(302, { location: `http://127.0.0.1:${receiver.port}/ok` }).end();
        if (path === '/302-internal') return res.writeHead(302, { location: `http://127.0.0.1:${sentinel.port}/` }).end();
        if (path === '/hang') return; // never answers
        res.writeHead(404).end();
      });
    });
    // TEST-ONLY allowance: exactly the receiver's loopback port.
    fetcher = new GuardedFetcher({ allowHttp: true, allowHosts: [`127.0.0.1:${receiver.port}`] });
    sender = new CallbackSender(fetcher, { secret: SECRET, timeoutMs: 500 });
  });
  afterAll(async () => {
    await fetcher.close();
    await receiver.close();
    await sentinel.close();
  });

  const payload = buildCallbackPayload({ jobId: 'job-7', status: 'completed', progress: 100, downloadUrl: 'https://dl/x', fileSize: 10 });
  const id = webhookIdFor('job-7', 'completed');
  const url = (p: string) => `http://127.0.0.1:${receiver.port}${p}`;

  it('delivers a POST whose signature the standardwebhooks lib verifies', async () => {
    received.length = 0;
    const out = await sender.send(url('/ok'), payload, id);
    expect(out).toEqual({ result: 'delivered', status: 204, webhookId: id });
    expect(received).toHaveLength(1);
    const r = received[0];
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['webhook-id']).toBe('msg_job-7_completed');
    const verified = new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>);
    expect(verified).toEqual(payload);
    // a retry of the same event carries the same id
    await sender.send(url('/ok'), payload, id);
    expect(received[1].headers['webhook-id']).toBe(r.headers['webhook-id']);
  });

  it('500 and 429 → retry, 410 → stop, 404 → give up', async () => {
    expect(await sender.send(url('/500'), payload, id)).toMatchObject({ result: 'retry', status: 500 });
    expect(await sender.send(url('/429'), payload, id)).toMatchObject({ result: 'retry', status: 429 });
    expect(await sender.send(url('/410'), payload, id)).toMatchObject({ result: 'stop', status: 410 });
    expect(await sender.send(url('/404'), payload, id)).toMatchObject({ result: 'give-up', status: 404 });
  });

  it('302 is not followed', async () => {
    received.length = 0;
    expect(await sender.send(url('/302'), payload, id)).toMatchObject({ result: 'give-up', status: 302 });
    expect(received.map((r) => r.path)).toEqual(['/302']); // /ok never hit
    expect(await sender.send(url('/302-internal'), payload, id)).toMatchObject({ result: 'give-up', status: 302 });
    expect(sentinel.connections()).toBe(0);
  });

  it('a hanging receiver times out → retry', async () => {
    const t0 = Date.now();
    const out = await sender.send(url('/hang'), payload, id);
    expect(out).toMatchObject({ result: 'retry' });
    expect((out as { reason: string }).reason).toMatch(/timeout/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('connection refused → retry', async () => {
    const closed = await startServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const f = new GuardedFetcher({ allowHttp: true, allowHosts: [`127.0.0.1:${port}`] });
    const s = new CallbackSender(f, { secret: SECRET, timeoutMs: 2000 });
    expect(await s.send(`http://127.0.0.1:${port}/`, payload, id)).toMatchObject({ result: 'retry' });
    await f.close();
  });
});

describe('CallbackSender SSRF table (no allowance)', () => {
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  let redirector: TestServer;
  let fetcher: GuardedFetcher;
  let strictSender: CallbackSender;
  let urlCheck: CallbackUrlCheck;
  const dns: HostResolver = (host) => {
    if (host === 'evil.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    if (host === 'hooks.public.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  };
  const payload = buildCallbackPayload({ jobId: 'j', status: 'failed', progress: 10, errorMessage: 'x' });

  beforeAll(async () => {
    sentinel = await startSentinel();
    redirector = await startServer((req, res) => {
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    fetcher = new GuardedFetcher({ allowHttp: true, resolver: dns });
    strictSender = new CallbackSender(fetcher, { secret: SECRET, timeoutMs: 2000 });
    urlCheck = new CallbackUrlCheck(fetcher, { secret: SECRET });
  });
  afterAll(async () => {
    await fetcher.close();
    await sentinel.close();
    await redirector.close();
  });

  it('refuses every internal target before connecting (sentinel sees zero connections)', async () => {
    const p = sentinel.port;
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://[::1]:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://169.254.169.254/latest/meta-data/`,
      `http://2130706433:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://0x7f.1:${p}/`,
      `http://evil.test:${p}/`,
      `file:///etc/passwd`,
      `gopher://127.0.0.1:${p}/_POST`,
      `ftp://127.0.0.1:${p}/`,
      `data:text/plain,hello`,
    ];
    for (const u of urls) {
      const out = await strictSender.send(u, payload, 'msg_j_failed');
      expect({ u, result: out.result }).toEqual({ u, result: 'give-up' });
      expect((out as { reason: string }).reason).toMatch(/^request refused: /);
      // the create-time check (no network) catches all but DNS names, which are checked at connect time
      if (u.includes('evil.test')) expect(() => urlCheck.assertAllowed(u)).not.toThrow();
      else expect(() => urlCheck.assertAllowed(u)).toThrow(/request refused/);
    }
    expect(sentinel.connections()).toBe(0);
  });

  it('the create-time check knows whether callbacks can be signed without a user secret', () => {
    expect(urlCheck.hasServiceSecret).toBe(true);
    expect(new CallbackUrlCheck(fetcher, {}).hasServiceSecret).toBe(false);
  });

  it('an allowed public-looking URL redirecting to metadata: redirect not followed, and refused by fetch()', async () => {
    const f = new GuardedFetcher({ allowHttp: true, resolver: dns, allowHosts: [`hooks.public.test:${redirector.port}`] });
    const s = new CallbackSender(f, { secret: SECRET });
    expect(await s.send(`http://hooks.public.test:${redirector.port}/hook`, payload, 'm')).toMatchObject({
      result: 'give-up',
      status: 307,
    });
    await expect(f.fetch(`http://hooks.public.test:${redirector.port}/hook`)).rejects.toThrow(
      /169\.254\.169\.254 is a cloud metadata address/,
    );
    await f.close();
  });
});
