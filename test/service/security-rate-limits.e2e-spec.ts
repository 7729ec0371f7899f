// Issue 12 #5 (rate limits): @nestjs/throttler counting in Redis, shared by every API pod, per user
// and per IP on the expensive endpoints; 429 in the envelope with Retry-After.
//   bash scripts/test.sh test/service/security-rate-limits.e2e-spec.ts
import { jest } from '@jest/globals';
import { demoScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken } from '../support/api-client.js';

jest.setTimeout(90_000);

const VIDEO = 'https://videos.example.com/clip.mp4';

describe('rate limits shared by two API pods', () => {
  let pod1: Service;
  let pod2: Service;
  beforeAll(async () => {
    const env = { RATE_LIMIT_PER_MINUTE: '3', QUOTA_DAILY: '1000', QUOTA_CONCURRENT: '1000' };
    pod1 = await startService({ mode: 'api', env });
    // Another pod: its own port and schema, the same Redis prefix (where the counters live).
    pod2 = await startService({ mode: 'api', env: { ...env, QUEUE_PREFIX: pod1.res.queuePrefix } });
  });
  afterAll(async () => {
    await pod2?.close();
    await pod1?.close();
  });

  const create = async (svc: Service, user: string) =>
    svc.call('POST', '/api/render/create', { token: await mintToken(user), body: { videoUrl: VIDEO, scenario: demoScenario() } });

  it('per user: the 4th create in a minute is a 429 whichever pod answers; other users are unaffected', async () => {
    expect((await create(pod1, 'alice')).status).toBe(201);
    expect((await create(pod2, 'alice')).status).toBe(201);
    expect((await create(pod1, 'alice')).status).toBe(201);
    const r = await create(pod2, 'alice');
    expect(r.status).toBe(429);
    expect(r.body.detail).toMatchObject({
      code: 'RENDER_RATE_LIMITED',
      error: 'Too Many Requests',
      message: expect.stringMatching(/this user/),
    });
    const after = Number(r.headers.get('retry-after'));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(60);
    expect((await create(pod1, 'bob')).status).toBe(201);
  });

  it('per IP: many users from one address share 4× the per-user limit (uploads)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const svc = i % 2 ? pod1 : pod2;
      const r = await svc.call('POST', '/api/uploads', {
        token: await mintToken(`ip-user-${i}`),
        body: { filename: 'a.mp4', contentType: 'video/mp4', size: 10 },
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.detail.message).toMatch(/this address/);
    }
    expect(statuses.slice(0, 12).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(12)).toEqual([429, 429]);
  });

  it('status and history are not throttled', async () => {
    const token = await mintToken('alice');
    for (let i = 0; i < 6; i++) expect((await pod1.call('GET', '/api/render/history', { token })).status).toBe(200);
  });
});
