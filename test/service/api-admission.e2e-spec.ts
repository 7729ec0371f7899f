// The api root alone (no worker: jobs stay queued): auth, quotas under a race, idempotency,
// cancel while queued, request validation.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/api-admission
import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { QuotaService } from '../../src/quota/quota.service.js';
import { countQueueKeys } from '../support/service-resources.js';
import { demoScenario, simpleScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken } from '../support/api-client.js';

jest.setTimeout(60_000);

/** Never fetched: with no worker, jobs stay queued. */
const VIDEO = 'https://videos.example.com/clip.mp4';

function expectEnvelope(body: any, code: string): void {
  expect(body).toEqual({
    detail: expect.objectContaining({ error: expect.any(String), message: expect.any(String), code }),
  });
}

describe('api root: auth, quotas, idempotency, cancel, validation', () => {
  let svc: Service;

  beforeAll(async () => {
    svc = await startService({
      mode: 'api',
      allowPrivateNetworks: false,
      env: { QUOTA_DAILY: '3', QUOTA_MONTHLY: '100', QUOTA_CONCURRENT: '100', MAX_SCENARIO_BYTES: '4096' },
    });
  });

  afterAll(async () => {
    const prefix = svc?.res.queuePrefix;
    await svc?.close();
    if (prefix) expect(await countQueueKeys(prefix)).toBe(0); // teardown obliterated the queues
  });

  const create = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    svc.call('POST', '/api/render/create', { token, body, headers });

  describe('auth', () => {
    let jobId: string;

    beforeAll(async () => {
      const r = await create(await mintToken('owner'), { videoUrl: VIDEO, scenario: demoScenario() });
      expect(r.status).toBe(201);
      jobId = r.body.jobId;
    });

    const endpoints = (): Array<[string, string, unknown?]> => [
      ['POST', '/api/render/create', { videoUrl: VIDEO, scenario: demoScenario() }],
      ['GET', `/api/render/${jobId}/status`],
      ['POST', `/api/render/${jobId}/cancel`],
      ['GET', '/api/render/history'],
      ['POST', '/api/uploads', { filename: 'a.mp4', contentType: 'video/mp4', size: 10 }],
    ];

    it('missing token → 401 envelope on every endpoint', async () => {
      for (const [method, path, body] of endpoints()) {
        const r = await svc.call(method, path, { body });
        expect([method, path, r.status]).toEqual([method, path, 401]);
        expectEnvelope(r.body, 'RENDER_UNAUTHORIZED');
      }
    });

    it('malformed header / token → 401', async () => {
      for (const authorization of [
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Bearer not-a-jwt',
        'Bearer a.b',
        'Bearer ' + 'x'.repeat(40),
        'Token abc.def.ghi',
      ]) {
        const r = await svc.call('GET', '/api/render/history', { headers: { authorization } });
        expect([authorization, r.status]).toEqual([authorization, 401]);
        expectEnvelope(r.body, 'RENDER_UNAUTHORIZED');
      }
      // alg "none"
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'owner', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`;
      const r = await svc.call('GET', '/api/render/history', { token: none });
      expect(r.status).toBe(401);
      expectEnvelope(r.body, 'RENDER_UNAUTHORIZED');
    });

    it('expired token → 401 mentioning expiry', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await mintToken('owner', { issuedAtSec: now - 7200, expiresInSec: -3600 });
      const r = await svc.call('GET', `/api/render/${jobId}/status`, { token: expired });
      expect(r.status).toBe(401);
      expectEnvelope(r.body, 'RENDER_UNAUTHORIZED');
      expect(r.body.detail.message).toMatch(/expired/i);
    });

    it('wrong signature → 401', async () => {
      const forged = await mintToken('owner', { secret: 'another-secret-of-sufficient-length-123456' });
      const r = await svc.call('GET', `/api/render/${jobId}/status`, { token: forged });
      expect(r.status).toBe(401);
      expectEnvelope(r.body, 'RENDER_UNAUTHORIZED');
      // A valid token's payload with the signature of another token.
      const good = (await mintToken('owner')).split('.');
      const tampered = `${good[0]}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.${good[2]}`;
      const r2 = await svc.call('GET', '/api/render/history', { token: tampered });
      expect(r2.status).toBe(401);
    });

    it('token without sub → 401; HS512 is refused', async () => {
      const key = new TextEncoder().encode('EcgRenderTestSecret0123456789abcdefABCDEF');
      const noSub = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
      expect((await svc.call('GET', '/api/render/history', { token: noSub })).status).toBe(401);
      const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('owner').setExpirationTime('1h').sign(key);
      expect((await svc.call('GET', '/api/render/history', { token: hs512 })).status).toBe(401);
    });

    it("another user's job id → 404 RENDER_JOB_NOT_FOUND on status and cancel (and it is not cancelled)", async () => {
      const intruder = await mintToken('intruder');
      const s = await svc.call('GET', `/api/render/${jobId}/status`, { token: intruder });
      expect(s.status).toBe(404);
      expectEnvelope(s.body, 'RENDER_JOB_NOT_FOUND');
      const c = await svc.call('POST', `/api/render/${jobId}/cancel`, { token: intruder });
      expect(c.status).toBe(404);
      expectEnvelope(c.body, 'RENDER_JOB_NOT_FOUND');
      const mine = await svc.call('GET', `/api/render/${jobId}/status`, { token: await mintToken('owner') });
      expect(mine.status).toBe(200);
      expect(mine.body.status).toBe('queued');
      // An id that does not exist at all, or is not even a UUID: the same 404.
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', "1'; DROP TABLE x;--"]) {
        const r = await svc.call('GET', `/api/render/${encodeURIComponent(id)}/status`, { token: intruder });
        expect([id, r.status]).toEqual([id, 404]);
        expectEnvelope(r.body, 'RENDER_JOB_NOT_FOUND');
      }
    });
  });

  describe('quotas', () => {
    it('50 concurrent creates with 3 left a day → exactly 3 × 201 and 47 × 403 RENDER_QUOTA_DAILY_EXCEEDED', async () => {
      const token = await mintToken('racer');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => create(token, { videoUrl: `${VIDEO}?n=${i}`, scenario: demoScenario() })),
      );
      const byStatus = new Map<number, number>();
      for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      expect(Object.fromEntries(byStatus)).toEqual({ 201: 3, 403: 47 });
      for (const r of results.filter((x) => x.status === 403)) expectEnvelope(r.body, 'RENDER_QUOTA_DAILY_EXCEEDED');
      const ids = results.filter((r) => r.status === 201).map((r) => r.body.jobId);
      expect(new Set(ids).size).toBe(3);
      const history = await svc.call('GET', '/api/render/history?limit=100', { token });
      expect(history.body).toHaveLength(3);
      // Cancelled-before-start jobs do not count: cancelling one gives one create back.
      const c = await svc.call('POST', `/api/render/${ids[0]}/cancel`, { token });
      expect(c.body.success).toBe(true);
      const again = await Promise.all([0, 1, 2].map((i) => create(token, { videoUrl: `${VIDEO}?again=${i}`, scenario: demoScenario() })));
      expect(again.map((r) => r.status).sort()).toEqual([201, 403, 403]);
    });

    it('per-user override: concurrent limit → 429 RENDER_QUOTA_CONCURRENT_EXCEEDED, exact under a race', async () => {
      await svc.app.get(QuotaService).setOverride('busy', { daily: 1000, monthly: 1000, concurrent: 2 });
      const token = await mintToken('busy');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(token, { videoUrl: `${VIDEO}?c=${i}`, scenario: demoScenario() })),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(2);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused).toHaveLength(18);
      for (const r of refused) {
        expect(r.status).toBe(429);
        expectEnvelope(r.body, 'RENDER_QUOTA_CONCURRENT_EXCEEDED');
      }
      // Cancelling one frees one slot.
      const first = results.find((r) => r.status === 201)!.body.jobId;
      expect((await svc.call('POST', `/api/render/${first}/cancel`, { token })).body.success).toBe(true);
      expect((await create(token, { videoUrl: `${VIDEO}?c=after`, scenario: demoScenario() })).status).toBe(201);
      expect((await create(token, { videoUrl: `${VIDEO}?c=after2`, scenario: demoScenario() })).status).toBe(429);
    });

    it('a per-user daily override beats the default', async () => {
      await svc.app.get(QuotaService).setOverride('vip', { daily: 5 });
      const token = await mintToken('vip');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => create(token, { videoUrl: `${VIDEO}?v=${i}`, scenario: demoScenario() })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 201, 403, 403, 403]);
    });
  });

  describe('idempotency', () => {
    it('10 concurrent creates with the same key and body → one job; same key, other body → 422', async () => {
      const token = await mintToken('idem');
      const body = { videoUrl: VIDEO, scenario: demoScenario(), options: { width: 480, height: 360 } };
      const results = await Promise.all(Array.from({ length: 10 }, () => create(token, body, { 'Idempotency-Key': 'export-42' })));
      for (const r of results) expect(r.status).toBe(201);
      const ids = new Set(results.map((r) => r.body.jobId));
      expect(ids.size).toBe(1);
      const history = await svc.call('GET', '/api/render/history?limit=100', { token });
      expect(history.body).toHaveLength(1);

      const different = await create(token, { ...body, options: { width: 640, height: 360 } }, { 'Idempotency-Key': 'export-42' });
      expect(different.status).toBe(422);
      expect(different.body.detail).toMatchObject({ code: expect.any(String), message: expect.any(String), error: expect.any(String) });

      // Keys are per user: another user with the same key gets their own job.
      const other = await create(await mintToken('idem-2'), body, { 'Idempotency-Key': 'export-42' });
      expect(other.status).toBe(201);
      expect(ids.has(other.body.jobId)).toBe(false);
      // A later retry with the same key and body still answers the same job.
      const later = await create(token, body, { 'Idempotency-Key': 'export-42' });
      expect(later.status).toBe(201);
      expect(later.body.jobId).toBe([...ids][0]);
    });
  });

  describe('cancel while queued', () => {
    it('cancels, stays cancelled, a second cancel answers success: false', async () => {
      const token = await mintToken('canceller');
      const r = await create(token, { videoUrl: VIDEO, scenario: demoScenario() });
      expect(r.status).toBe(201);
      const { jobId } = r.body;
      const c = await svc.call('POST', `/api/render/${jobId}/cancel`, { token });
      expect(c.status).toBe(200);
      expect(c.body).toEqual({ success: true, message: expect.any(String) });
      for (let i = 0; i < 3; i++) {
        const s = await svc.call('GET', `/api/render/${jobId}/status`, { token });
        expect(s.body).toMatchObject({ jobId, status: 'cancelled' });
        expect(s.body.downloadUrl).toBeUndefined();
        await new Promise((res) => setTimeout(res, 300));
      }
      const c2 = await svc.call('POST', `/api/render/${jobId}/cancel`, { token });
      expect(c2.status).toBe(200);
      expect(c2.body.success).toBe(false);
      const h = await svc.call('GET', '/api/render/history', { token });
      expect(h.body[0]).toMatchObject({ jobId, status: 'cancelled', downloadUrl: null });
    });
  });

  describe('validation', () => {
    const ok = () => ({ videoUrl: VIDEO, scenario: demoScenario() });
    let token: string;
    beforeAll(async () => {
      token = await mintToken('validator');
      await svc.app.get(QuotaService).setOverride('validator', { daily: 1000, concurrent: 1000 });
    });

    it.each([
      ['width', 100],
      ['width', 3842],
      ['height', 5000],
      ['height', 100],
      ['fps', 0],
      ['fps', 61],
      ['fps', 29.97],
      ['quality', 5],
      ['quality', 101],
      ['width', 481],
      ['width', 1280.5],
      ['width', '1920'],
      ['format', 'avi'],
    ])('options.%s = %j → 400 RENDER_VALIDATION_FAILED naming the field', async (field, value) => {
      const r = await create(token, { ...ok(), options: { [field]: value } });
      expect(r.status).toBe(400);
      expectEnvelope(r.body, 'RENDER_VALIDATION_FAILED');
      expect(r.body.detail.message).toContain(`options.${field}`);
    });

    it('in-range options are accepted', async () => {
      const r = await create(token, { ...ok(), options: { width: 480, height: 360, fps: 60, quality: 10, format: 'mp4' } });
      expect(r.status).toBe(201);
      const r2 = await create(token, { ...ok(), options: { width: 3840, height: 2160, fps: 1, quality: 100 } });
      expect(r2.status).toBe(201);
    });

    it('unknown fields → 400 naming them', async () => {
      const r = await create(token, { ...ok(), priority: 'high' });
      expect(r.status).toBe(400);
      expectEnvelope(r.body, 'RENDER_VALIDATION_FAILED');
      expect(r.body.detail.message).toContain('priority');
      const r2 = await create(token, { ...ok(), options: { width: 480, codec: 'hevc' } });
      expect(r2.status).toBe(400);
      expect(r2.body.detail.message).toContain('codec');
    });

    it('missing or mistyped required fields → 400', async () => {
      for (const [body, field] of [
        [{ scenario: demoScenario() }, 'videoUrl'],
        [{ videoUrl: VIDEO }, 'scenario'],
        [{ videoUrl: 42, scenario: demoScenario() }, 'videoUrl'],
        [{ videoUrl: VIDEO, scenario: 'not an object' }, 'scenario'],
        [{ ...ok(), callbackUrl: 'not a url' }, 'callbackUrl'],
      ] as const) {
        const r = await create(token, body);
        expect([field, r.status]).toEqual([field, 400]);
        expect(r.body.detail.message).toContain(field);
      }
      const malformed = await svc.call('POST', '/api/render/create', { token, rawBody: '{"videoUrl": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
    });

    it('oversized scenario (> MAX_SCENARIO_BYTES) → 413', async () => {
      const big = simpleScenario({ text: 'x'.repeat(6000) });
      const r = await create(token, { videoUrl: VIDEO, scenario: big });
      expect(r.status).toBe(413);
      expect(r.body.detail).toMatchObject({ code: expect.stringMatching(/^RENDER_/), message: expect.stringMatching(/scenario/) });
      // Far beyond the body limit too: still 413 in the envelope.
      const huge = await create(token, { videoUrl: VIDEO, scenario: simpleScenario({ text: 'y'.repeat(200_000) }) });
      expect(huge.status).toBe(413);
      expect(huge.body.detail.code).toMatch(/^RENDER_/);
    });

    it('invalid scenario (unknown plugin) → 400 naming the path', async () => {
      const r = await create(token, { videoUrl: VIDEO, scenario: simpleScenario({ plugin: 'no-such-plugin@9.9.9' }) });
      expect(r.status).toBe(400);
      expectEnvelope(r.body, 'RENDER_VALIDATION_FAILED');
      expect(r.body.detail.message).toMatch(/no-such-plugin/);
      expect(JSON.stringify(r.body.detail)).toMatch(/scenario\.cues\[0\]|scenario\.cues\.0|cues/);
      const bad = await create(token, { videoUrl: VIDEO, scenario: { version: '2.0', cues: 'nope' } });
      expect(bad.status).toBe(400);
      expect(bad.body.detail.message).toMatch(/scenario/);
    });

    it('with ALLOW_PRIVATE_NETWORKS unset: loopback, private, metadata and non-https video URLs → 400 naming videoUrl', async () => {
      for (const videoUrl of [
        'http://127.0.0.1:8080/a.mp4',
        'https://127.0.0.1/a.mp4',
        'https://10.1.2.3/a.mp4',
        'https://192.168.0.10/a.mp4',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/a.mp4',
        'http://videos.example.com/a.mp4',
        'file:///etc/passwd',
        'ftp://example.com/a.mp4',
        'javascript:alert(1)',
      ]) {
        const r = await create(token, { videoUrl, scenario: demoScenario() });
        expect([videoUrl, r.status]).toEqual([videoUrl, 400]);
        expect(r.body.detail.message).toContain('videoUrl');
        expect(r.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
      }
      const cb = await create(token, { ...ok(), callbackUrl: 'http://127.0.0.1:9/hook' });
      expect(cb.status).toBe(400);
      expect(cb.body.detail.message).toContain('callbackUrl');
    });
  });
});
