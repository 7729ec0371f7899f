// Issue 12 #9: the SSE stream takes no bearer token in the query string. A client trades its
// token for a short-lived, single-use ticket bound to one job (POST /api/render/:id/events/ticket).
//   bash scripts/test.sh test/service/security-sse-ticket.e2e-spec.ts
import { jest } from '@jest/globals';
import { demoScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken } from '../support/api-client.js';

jest.setTimeout(60_000);

const VIDEO = 'https://videos.example.com/clip.mp4';

describe('SSE stream tickets', () => {
  let svc: Service;
  let token: string;
  let jobId: string;
  let otherJobId: string;

  beforeAll(async () => {
    svc = await startService({ mode: 'api' }); // no worker: jobs stay queued, the stream stays open
    token = await mintToken('viewer');
    const body = { videoUrl: VIDEO, scenario: demoScenario() };
    jobId = (await svc.call('POST', '/api/render/create', { token, body })).body.jobId;
    otherJobId = (await svc.call('POST', '/api/render/create', { token, body })).body.jobId;
  });
  afterAll(async () => {
    await svc?.close();
  });

  /** Opens the stream, reads its first event, then aborts. */
  async function open(path: string, headers: Record<string, string> = {}): Promise<{ status: number; first: string }> {
    const ac = new AbortController();
    const r = await fetch(`${svc.baseUrl}${path}`, { headers, signal: ac.signal });
    if (r.status !== 200) return { status: r.status, first: await r.text() };
    const reader = r.body!.getReader();
    let first = '';
    while (!first.includes('data:')) {
      const { value, done } = await reader.read();
      if (done) break;
      first += Buffer.from(value).toString('utf8');
    }
    ac.abort();
    return { status: 200, first };
  }

  it('?access_token= is no longer accepted (401)', async () => {
    const r = await open(`/api/render/${jobId}/events?access_token=${token}`);
    expect(r.status).toBe(401);
  });

  it("a ticket opens its job's stream once; a second use, another job or a forged ticket is 401", async () => {
    const t = await svc.call('POST', `/api/render/${jobId}/events/ticket`, { token });
    expect(t.status).toBe(201);
    expect(t.body).toEqual({
      ticket: expect.stringMatching(/^[\w-]{43}$/),
      expiresAt: expect.any(String),
      url: `/api/render/${jobId}/events?ticket=${t.body.ticket}`,
    });
    expect(new Date(t.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    expect(t.text).not.toContain(token);
    const first = await open(t.body.url);
    expect(first.status).toBe(200);
    expect(first.first).toContain(`"jobId":"${jobId}"`);
    expect((await open(t.body.url)).status).toBe(401); // single use

    const forOther = await svc.call('POST', `/api/render/${jobId}/events/ticket`, { token });
    expect((await open(`/api/render/${otherJobId}/events?ticket=${forOther.body.ticket}`)).status).toBe(401);
    expect((await open(`/api/render/${jobId}/events?ticket=${forOther.body.ticket}`)).status).toBe(401); // consumed by the failed try
    expect((await open(`/api/render/${jobId}/events?ticket=${'A'.repeat(43)}`)).status).toBe(401);
  });

  it("tickets are only for the owner's jobs and need a bearer token", async () => {
    expect((await svc.call('POST', `/api/render/${jobId}/events/ticket`, { token: await mintToken('intruder') })).status).toBe(404);
    expect((await svc.call('POST', `/api/render/${jobId}/events/ticket`)).status).toBe(401);
  });

  it('an expired ticket is refused', async () => {
    const t = await svc.call('POST', `/api/render/${jobId}/events/ticket`, { token });
    // expire it in Redis as its TTL would
    const { SecurityRedis } = await import('../../src/security/security-redis.js');
    const redis = svc.app.get(SecurityRedis);
    const keys = await redis.client.keys(redis.key('sse', '*'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(await redis.client.ttl(k)).toBeLessThanOrEqual(60);
    await redis.client.del(...keys);
    expect((await open(t.body.url)).status).toBe(401);
  });

  it('the Authorization header still works for clients that can send it', async () => {
    expect((await open(`/api/render/${jobId}/events`, { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});
