// Issue 12 item 2: callbacks are never signed with JWT_SECRET. Without WEBHOOK_SECRET the service
// starts, refuses callbackUrl at create (400 naming the field) until the user has a webhook secret
// of their own; that secret is shown once, rotatable, and signs the user's callbacks.
//   bash scripts/test.sh test/service/security-secrets.e2e-spec.ts
import { jest } from '@jest/globals';
import { verifyWebhook } from '../../src/callbacks/webhook-signature.js';
import { demoScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken, sleep } from '../support/api-client.js';
import { startReceiver } from '../support/loopback.js';
import { TEST_JWT_SECRET } from '../support/service-resources.js';

jest.setTimeout(60_000);

const VIDEO = 'https://videos.example.com/clip.mp4';

describe('webhook secrets without WEBHOOK_SECRET', () => {
  let svc: Service;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // api + the callback worker in one process (standalone); the source is never reachable.
    svc = await startService({ mode: 'standalone', env: { WEBHOOK_SECRET: '' } });
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  const create = (token: string, callbackUrl?: string) =>
    svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: VIDEO, scenario: demoScenario(), ...(callbackUrl ? { callbackUrl } : {}) },
    });

  it('starts without WEBHOOK_SECRET; a create with callbackUrl is refused with 400 naming callbackUrl', async () => {
    expect(svc.config.callbacks.secret).toBeUndefined();
    const token = await mintToken('no-secret-user');
    const r = await create(token, receiver.url);
    expect(r.status).toBe(400);
    expect(r.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
    expect(r.body.detail.details).toEqual([
      { field: 'callbackUrl', reason: expect.stringMatching(/WEBHOOK_SECRET.*\/api\/webhooks\/secret/) },
    ]);
    // without a callbackUrl the create is accepted
    expect((await create(token)).status).toBe(201);
  });

  it("a per-user secret: shown once, rotatable, signs that user's callbacks (never JWT_SECRET)", async () => {
    const token = await mintToken('hook-user');
    expect((await svc.call('GET', '/api/webhooks/secret', { token })).body).toEqual({ configured: false });
    const first = await svc.call('POST', '/api/webhooks/secret', { token });
    expect(first.status).toBe(201);
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const info = await svc.call('GET', '/api/webhooks/secret', { token });
    expect(info.body).toEqual({ configured: true, createdAt: expect.any(String) });
    expect(info.text).not.toContain(first.body.secret.slice(6, 20));

    const rotated = await svc.call('POST', '/api/webhooks/secret', { token });
    expect(rotated.body.secret).not.toBe(first.body.secret);
    // another user's secret is theirs alone
    const other = await svc.call('POST', '/api/webhooks/secret', { token: await mintToken('someone-else') });
    expect(other.body.secret).not.toBe(rotated.body.secret);

    const created = await create(token, receiver.url);
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    await svc.call('POST', `/api/render/${jobId}/cancel`, { token });
    const deadline = Date.now() + 20_000;
    while (!receiver.received.some((r) => r.body.includes(jobId)) && Date.now() < deadline) await sleep(100);
    const mine = receiver.received.filter((r) => r.body.includes(jobId));
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) {
      expect(verifyWebhook(rotated.body.secret, r.headers as never, r.body)).toBe(true);
      expect(verifyWebhook(first.body.secret, r.headers as never, r.body)).toBe(false);
      expect(verifyWebhook(other.body.secret, r.headers as never, r.body)).toBe(false);
      expect(verifyWebhook(`whsec_${Buffer.from(TEST_JWT_SECRET).toString('base64')}`, r.headers as never, r.body)).toBe(false);
    }
    // removing the secret makes callbackUrl refused again
    expect((await svc.call('DELETE', '/api/webhooks/secret', { token })).body).toEqual({ removed: true });
    expect((await create(token, receiver.url)).status).toBe(400);
  });
});
