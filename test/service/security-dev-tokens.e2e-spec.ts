// Issue 12 #3: dev tokens need NODE_ENV=development (start-up refuses ALLOW_DEV_TOKENS otherwise,
// src/config/security-config.spec.ts), answer loopback requests only, and mint `dev:` subjects.
//   bash scripts/test.sh test/service/security-dev-tokens.e2e-spec.ts
import { jest } from '@jest/globals';
import type { Request } from 'express';
import { isLocalRequest, isLoopbackAddress } from '../../src/console/dev-token.controller.js';
import { mintToken } from '../support/api-client.js';
import { startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(60_000);

describe('dev tokens', () => {
  it('NODE_ENV unset and no ALLOW_DEV_TOKENS: POST /api/dev/token does not exist (404)', async () => {
    const svc = await startService({ mode: 'api', env: { NODE_ENV: '' } });
    try {
      const r = await svc.call('POST', '/api/dev/token', { body: { userId: 'victim' } });
      expect(r.status).toBe(404);
      expect(r.text).not.toMatch(/eyJ/);
    } finally {
      await svc.close();
    }
  });

  describe('in development mode', () => {
    let svc: Service;
    beforeAll(async () => {
      svc = await startService({ mode: 'api', env: { NODE_ENV: 'development', ALLOW_DEV_TOKENS: 'true' } });
    });
    afterAll(async () => {
      await svc?.close();
    });

    it('a proxied request (X-Forwarded-For / Forwarded) is refused with 403 and no token', async () => {
      for (const headers of [
        { 'x-forwarded-for': '203.0.113.9' },
        { forwarded: 'for=203.0.113.9' },
        { 'x-real-ip': '203.0.113.9' },
      ] as Array<Record<string, string>>) {
        const r = await svc.call('POST', '/api/dev/token', { body: { userId: 'alice' }, headers });
        expect(r.status).toBe(403);
        expect(r.body.detail.code).toBe('RENDER_FORBIDDEN');
        expect(r.text).not.toMatch(/eyJ/);
      }
    });

    it('a loopback request gets a dev:<name> token that works and can never be a real user', async () => {
      const r = await svc.call('POST', '/api/dev/token', { body: { userId: 'alice' } });
      expect(r.status).toBe(201);
      expect(r.body.userId).toBe('dev:alice');
      const created = await svc.call('POST', '/api/uploads', {
        token: r.body.token,
        body: { filename: 'a.mp4', contentType: 'video/mp4', size: 10 },
      });
      expect(created.status).toBe(201);
      // a regular token claiming the same subject is refused
      expect((await svc.call('GET', '/api/render/history', { token: await mintToken('dev:alice') })).status).toBe(401);
      expect((await svc.call('GET', '/api/render/history', { token: await mintToken('alice') })).status).toBe(200);
    });
  });

  it('loopback detection', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '192.168.1.2', '::', '0.0.0.0', undefined]) expect(isLoopbackAddress(a)).toBe(false);
    const req = (remoteAddress: string, headers: Record<string, string> = {}) =>
      ({ socket: { remoteAddress }, headers }) as unknown as Request;
    expect(isLocalRequest(req('10.1.2.3'))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1'))).toBe(true);
    expect(isLocalRequest(req('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }))).toBe(false);
  });
});
