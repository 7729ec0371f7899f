// Issue 12 #6: ops endpoints are not public. /metrics needs METRICS_TOKEN (or is only on a worker's
// internal port), liveness/readiness are bare, docs only with DOCS_ENABLED.
//   bash scripts/test.sh test/service/security-ops.e2e-spec.ts
import { jest } from '@jest/globals';
import { startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(90_000);

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('ops endpoints, api without METRICS_TOKEN and docs off (the defaults)', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ mode: 'api' });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('/metrics, /docs and /docs-json do not exist on the public port (404)', async () => {
    for (const path of ['/metrics', '/docs', '/docs/', '/docs-json']) {
      const r = await svc.call('GET', path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.text).not.toMatch(/process_cpu|openapi|swagger/i);
    }
  });

  it('liveness and readiness answer a bare status', async () => {
    expect((await svc.call('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await svc.call('GET', '/health/ready')).body).toEqual({ status: 'ok' });
  });
});

describe('ops endpoints, standalone with METRICS_TOKEN and DOCS_ENABLED', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ mode: 'standalone', env: { METRICS_TOKEN, DOCS_ENABLED: 'true' } });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('/metrics: 401 in the envelope without or with a wrong token, 200 with it', async () => {
    for (const token of [undefined, 'wrong-token-0123456789']) {
      const r = await svc.call('GET', '/metrics', { token });
      expect(r.status).toBe(401);
      expect(r.body.detail.code).toBe('RENDER_UNAUTHORIZED');
      expect(r.text).not.toContain('process_cpu');
    }
    const ok = await svc.call('GET', '/metrics', { token: METRICS_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('ecg_render_jobs');
  });

  it('readiness shows no ffmpeg version or encoder without the token; details with it', async () => {
    const bare = await svc.call('GET', '/health/ready');
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ status: 'ok' });
    expect(bare.text).not.toMatch(/ffmpeg|libx264|version/);
    const detailed = await svc.call('GET', '/health/ready', { token: METRICS_TOKEN });
    expect(detailed.body.details.ffmpeg).toMatchObject({ status: 'up', version: expect.any(String) });
  });

  it('docs are served when DOCS_ENABLED=true', async () => {
    const r = await svc.call('GET', '/docs-json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3/);
  });
});
