// Hostile input at the API (api root, no worker; ALLOW_PRIVATE_NETWORKS unset, as in production):
//   row 7  (at create) — 'row 7: SSRF videoUrl …' / 'row 7: SSRF callbackUrl …'
//          (download time, redirects, DNS: test/faults/ssrf-download.e2e-spec.ts; the fetcher's
//          own table: src/net/guarded-fetcher.spec.ts)
//   row 10 — 'row 10: options …'
//   row 11 (size limits) — 'row 11: 100k cues …', 'row 11: a 10 MB scenario …', 'row 11: deep nesting …'
//   row 13 — 'row 13: quota race …'
//   row 14 (admission side) — 'row 14: Idempotency-Key …' (reuse after completion: render-input.e2e-spec.ts)
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/api-input
import { jest } from '@jest/globals';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { QuotaService } from '../../src/quota/quota.service.js';
import { mintToken } from '../support/api-client.js';
import { simpleScenario, startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(120_000);

const VIDEO = 'https://videos.example.com/clip.mp4';

const SSRF_HOSTS = [
  '127.0.0.1',
  'localhost',
  '0.0.0.0',
  '[::1]',
  '[::ffff:127.0.0.1]',
  '169.254.169.254',
  '2130706433',
  '0177.0.0.1',
  '0x7f.0.0.1',
  '10.0.0.1',
  '[fe80::1]',
];
// Host names (metadata.google.internal, a name resolving to 127.0.0.1) cannot be judged without
// DNS at create time: they are refused at connect time (ssrf-download.e2e-spec.ts).
const BAD_SCHEMES = [
  'file:///etc/passwd',
  'gopher://example.com/_x',
  'ftp://example.com/a.mp4',
  'data:video/mp4;base64,AAAA',
  'javascript:alert(1)',
  'http://videos.example.com/a.mp4',
];

describe('hostile input at the API', () => {
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    svc = await startService({
      mode: 'api',
      allowPrivateNetworks: false,
      env: { QUOTA_DAILY: '10', QUOTA_MONTHLY: '1000', QUOTA_CONCURRENT: '1000' },
    });
    token = await mintToken('hostile');
    await svc.app.get(QuotaService).setOverride('hostile', { daily: 100_000, monthly: 100_000, concurrent: 100_000 });
  });

  afterAll(async () => {
    await svc?.close();
  });

  const create = (body: unknown, o: { token?: string; headers?: Record<string, string> } = {}) =>
    svc.call('POST', '/api/render/create', { token: o.token ?? token, body, headers: o.headers });

  it.each(SSRF_HOSTS.flatMap((h) => [`https://${h}/a.mp4`, `https://${h}:8443/a.mp4`]).concat(BAD_SCHEMES))(
    'row 7: SSRF videoUrl %s → 400 naming videoUrl, nothing enqueued',
    async (videoUrl) => {
      const r = await create({ videoUrl, scenario: simpleScenario() });
      expect([videoUrl, r.status, r.body.detail?.code]).toEqual([videoUrl, 400, 'RENDER_VALIDATION_FAILED']);
      expect(r.body.detail.message).toContain('videoUrl');
    },
  );

  it.each(SSRF_HOSTS.map((h) => `https://${h}/hook`).concat(BAD_SCHEMES))(
    'row 7: SSRF callbackUrl %s → 400 naming callbackUrl',
    async (callbackUrl) => {
      const r = await create({ videoUrl: VIDEO, scenario: simpleScenario(), callbackUrl });
      expect([callbackUrl, r.status, r.body.detail?.code]).toEqual([callbackUrl, 400, 'RENDER_VALIDATION_FAILED']);
      expect(r.body.detail.message).toContain('callbackUrl');
    },
  );

  describe('row 10: options', () => {
    const cases: Array<[string, unknown]> = [
      ['width', -1920],
      ['width', 0],
      ['width', 'NaN'],
      ['width', 1280.5],
      ['width', 1281],
      ['width', 1e9],
      ['width', 2 ** 53],
      ['width', 3842],
      ['width', true],
      ['width', [1920]],
      ['width', { v: 1 }],
      ['height', -2],
      ['height', 0],
      ['height', 719],
      ['height', 720.25],
      ['height', 1e308],
      ['height', '720'],
      ['fps', 0],
      ['fps', 1000],
      ['fps', -30],
      ['fps', 29.97],
      ['fps', 'NaN'],
      ['fps', 1e6],
      ['quality', -1],
      ['quality', 0],
      ['quality', 101],
      ['quality', 55.5],
      ['quality', 1e9],
      ['format', 'avi'],
      ['format', ''],
      ['format', 42],
    ];
    it.each(cases)('options.%s = %j → 400 naming the field', async (field, value) => {
      const r = await create({ videoUrl: VIDEO, scenario: simpleScenario(), options: { [field]: value } });
      expect([field, value, r.status, r.body.detail?.code]).toEqual([field, value, 400, 'RENDER_VALIDATION_FAILED']);
      expect(r.body.detail.message).toContain(`options.${field}`);
    });

    it('non-JSON numbers (NaN, Infinity via 1e999) → 400, never a job', async () => {
      const token = await mintToken('nan-user');
      const nan = await svc.call('POST', '/api/render/create', {
        token,
        rawBody: `{"videoUrl":"${VIDEO}","scenario":${JSON.stringify(simpleScenario())},"options":{"width":NaN}}`,
      });
      expect(nan.status).toBe(400);
      expect(nan.body.detail.code).toBe('RENDER_VALIDATION_FAILED');
      const inf = await svc.call('POST', '/api/render/create', {
        token,
        rawBody: `{"videoUrl":"${VIDEO}","scenario":${JSON.stringify(simpleScenario())},"options":{"fps":1e999}}`,
      });
      expect(inf.status).toBe(400);
      expect(inf.body.detail.message).toContain('options.fps');
      expect((await svc.call('GET', '/api/render/history?limit=100', { token })).body).toHaveLength(0);
    });
  });

  describe('row 11: scenario size limits', () => {
    it('100k cues → 413, answered fast, the event loop never stalls', async () => {
      const base = simpleScenario() as any;
      const cue = base.cues[0];
      const cues = Array.from({ length: 100_000 }, (_, i) => ({
        ...cue,
        id: `c${i}`,
        root: { ...cue.root, id: `g${i}`, children: [{ ...cue.root.children[0], id: `t${i}`, displayTime: [i * 0.01, i * 0.01 + 0.01] }] },
      }));
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      const t0 = Date.now();
      const r = await create({ videoUrl: VIDEO, scenario: { ...base, cues } });
      h.disable();
      expect(r.status).toBe(413);
      expect(r.body.detail.code).toMatch(/^RENDER_/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(h.max / 1e6).toBeLessThan(2000);
    });

    it('a 10 MB scenario → 413 in the error envelope', async () => {
      const r = await create({ videoUrl: VIDEO, scenario: simpleScenario({ text: 'x'.repeat(10 * 1024 * 1024) }) });
      expect(r.status).toBe(413);
      expect(r.body.detail.code).toMatch(/^RENDER_/);
    });

    it('deep nesting (groups 10 000 deep, and 100 000 nested arrays) → 4xx, not 500; the API stays up', async () => {
      // Built as text: JSON.stringify of 10 000 levels would overflow this test's own stack.
      let root = '{"id":"leaf","eType":"text","text":"deep","displayTime":[0,1]}';
      root = Array.from({ length: 10_000 }, (_, i) => `{"id":"g${i}","eType":"group","children":[`).join('') + root + ']}'.repeat(10_000);
      const scenarioText = JSON.stringify(simpleScenario()).replace(/"root":\{.*\}\}\]\}$/, `"root":${root}}]}`);
      expect(scenarioText).toContain('"g9999"');
      const deep = await svc.call('POST', '/api/render/create', { token, rawBody: `{"videoUrl":"${VIDEO}","scenario":${scenarioText}}` });
      expect(deep.status).toBeGreaterThanOrEqual(400);
      expect(deep.status).toBeLessThan(500);
      expect(deep.body.detail.code).toMatch(/^RENDER_/);

      const arrays = '['.repeat(100_000) + ']'.repeat(100_000);
      const raw = await svc.call('POST', '/api/render/create', {
        token,
        rawBody: `{"videoUrl":"${VIDEO}","scenario":{"version":"2.0","x":${arrays}}}`,
      });
      expect(raw.status).toBeGreaterThanOrEqual(400);
      expect(raw.status).toBeLessThan(500);
      // Still serving.
      expect((await svc.call('GET', '/api/render/history', { token })).status).toBe(200);
    });
  });

  it('row 11: NUL characters in the scenario or the URLs → 400 naming the field, not 500', async () => {
    const r = await create({ videoUrl: VIDEO, scenario: simpleScenario({ text: 'nul\u0000inside' }) });
    expect([r.status, r.body.detail?.code]).toEqual([400, 'RENDER_VALIDATION_FAILED']);
    expect(r.body.detail.message).toContain('scenario');
    const k = simpleScenario() as any;
    k.cues[0].root.children[0]['x\u0000'] = 1;
    expect((await create({ videoUrl: VIDEO, scenario: k })).status).toBe(400);
    const u = await create({ videoUrl: `${VIDEO}\u0000x`, scenario: simpleScenario() });
    expect(u.status).toBe(400);
    expect(u.body.detail.message).toContain('videoUrl');
    const c = await create({ videoUrl: VIDEO, scenario: simpleScenario(), callbackUrl: 'https://hooks.example.com/\u0000' });
    expect(c.status).toBe(400);
    expect(c.body.detail.message).toContain('callbackUrl');
  });

  it('row 13: quota race — 50 concurrent creates one short of the daily limit → exactly 1 accepted', async () => {
    const racer = await mintToken('racer-13');
    // Daily limit 10 (QUOTA_DAILY): 9 used first.
    for (let i = 0; i < 9; i++)
      expect((await create({ videoUrl: `${VIDEO}?pre=${i}`, scenario: simpleScenario() }, { token: racer })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => create({ videoUrl: `${VIDEO}?race=${i}`, scenario: simpleScenario() }, { token: racer })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 403)) expect(r.body.detail.code).toBe('RENDER_QUOTA_DAILY_EXCEEDED');
    expect((await svc.call('GET', '/api/render/history?limit=100', { token: racer })).body).toHaveLength(10);
  });

  it('row 14: Idempotency-Key — 30 concurrent duplicates → one job, the same answer; same key with another body (even concurrently) → 422', async () => {
    const user = await mintToken('idem-14');
    const body = { videoUrl: VIDEO, scenario: simpleScenario() };
    const other = { videoUrl: `${VIDEO}?other`, scenario: simpleScenario() };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => create(i % 3 === 2 ? other : body, { token: user, headers: { 'Idempotency-Key': 'k-14' } })),
    );
    const ok = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 422);
    expect(ok.length + conflicts.length).toBe(30);
    // Whichever body won the key, every answer with it is the same job; the other body is 422.
    expect(new Set(ok.map((r) => r.body.jobId)).size).toBe(1);
    expect(new Set(ok.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect([10, 20]).toContain(conflicts.length);
    for (const r of conflicts) expect(r.body.detail.code).toBe('RENDER_IDEMPOTENCY_CONFLICT');
    expect((await svc.call('GET', '/api/render/history?limit=100', { token: user })).body).toHaveLength(1);
  });
});
