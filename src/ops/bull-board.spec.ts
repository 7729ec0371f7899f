import request from 'supertest';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { createHmac } from 'node:crypto';
import { adminCookieValue, ADMIN_COOKIE, ADMIN_CSP, isValidAdminCookie, mountBullBoard } from './bull-board.js';
import { CALLBACK_QUEUE, RENDER_QUEUE } from '../queue/queue.constants.js';
import { ConfigModule } from '../config/config.module.js';
import { loadAppConfig } from '../config/app-config.js';
import { bootOpsTestApp, type OpsTestApp } from '../../test/helpers/ops-test-app.js';

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('Bull dashboard at /admin/queues (ADMIN_TOKEN set)', () => {
  let t: OpsTestApp;
  let mounted = false;
  beforeAll(async () => {
    t = await bootOpsTestApp({ imports: [], beforeInit: (app) => (mounted = mountBullBoard(app, { adminToken: TOKEN })) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('mounts', () => expect(mounted).toBe(true));

  it('401 without a token, with a wrong token, with a wrong cookie', async () => {
    const server = t.app.getHttpServer();
    const res = await request(server).get('/admin/queues').expect(401);
    expect(res.body.detail.code).toBe('ADMIN_UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    await request(server).get('/admin/queues').set('Authorization', 'Bearer nope').expect(401);
    await request(server).get('/admin/queues?token=nope').expect(401);
    await request(server).get('/admin/queues/api/queues').set('Cookie', `${ADMIN_COOKIE}=forged`).expect(401);
    await request(server).get(`/admin/queues/api/queues`).set('Cookie', `${ADMIN_COOKIE}=${TOKEN}`).expect(401);
  });

  it('200 with the Bearer token: UI page and queue API listing both queues', async () => {
    const server = t.app.getHttpServer();
    const page = await request(server).get('/admin/queues').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await request(server).get('/admin/queues/api/queues').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const names = (api.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    expect(names).toEqual([RENDER_QUEUE, CALLBACK_QUEUE].sort());
  });

  it('?token= sets an HttpOnly cookie and redirects without the token; the cookie authenticates assets', async () => {
    const server = t.app.getHttpServer();
    const res = await request(server).get(`/admin/queues?token=${TOKEN}&x=1`).expect(303);
    expect(res.headers.location).toBe('/admin/queues?x=1');
    const setCookie = String(res.headers['set-cookie']);
    const value = new RegExp(`${ADMIN_COOKIE}=([^;]+)`).exec(setCookie)![1];
    const exp = Number(value.split('.')[0]);
    expect(exp - Date.now() / 1000).toBeGreaterThan(8 * 3600 - 60);
    expect(exp - Date.now() / 1000).toBeLessThanOrEqual(8 * 3600);
    expect(value).toBe(adminCookieValue(TOKEN, exp));
    expect(setCookie).toMatch(/Max-Age=28800/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/admin\/queues/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = `${ADMIN_COOKIE}=${value}`;
    const page = await request(server).get('/admin/queues').set('Cookie', cookie).expect(200);
    // <base href="/admin/queues/"> + src="static/js/….js"
    const asset = '/admin/queues/' + /src="(static\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toMatch(/^\/admin\/queues\/static\/.+\.js$/);
    await request(server).get(asset).set('Cookie', cookie).expect(200);
    await request(server).get(asset).expect(401);
  });

  it('a session cookie stops working at its expiry; the old unexpiring cookie is refused (issue 12 #10)', async () => {
    const server = t.app.getHttpServer();
    const now = Math.floor(Date.now() / 1000);
    await request(server)
      .get('/admin/queues/api/queues')
      .set('Cookie', `${ADMIN_COOKIE}=${adminCookieValue(TOKEN, now + 60)}`)
      .expect(200);
    await request(server)
      .get('/admin/queues/api/queues')
      .set('Cookie', `${ADMIN_COOKIE}=${adminCookieValue(TOKEN, now - 1)}`)
      .expect(401);
    // a forged expiry on a real MAC
    const [, mac] = adminCookieValue(TOKEN, now - 1).split('.');
    await request(server)
      .get('/admin/queues/api/queues')
      .set('Cookie', `${ADMIN_COOKIE}=${now + 3600}.${mac}`)
      .expect(401);
    const v1 = createHmac('sha256', TOKEN).update('ecg-render bull-board session v1').digest('base64url');
    await request(server).get('/admin/queues/api/queues').set('Cookie', `${ADMIN_COOKIE}=${v1}`).expect(401);
    expect(isValidAdminCookie(TOKEN, adminCookieValue(TOKEN, now + 10), now + 11)).toBe(false);
  });

  it('the dashboard and its refusals carry a CSP without framing, and X-Frame-Options: DENY', async () => {
    const server = t.app.getHttpServer();
    for (const res of [
      await request(server).get('/admin/queues').set('Authorization', `Bearer ${TOKEN}`).expect(200),
      await request(server).get('/admin/queues').expect(401),
    ]) {
      expect(res.headers['content-security-policy']).toBe(ADMIN_CSP);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self';/);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('does not expose queue data to unauthenticated API calls', async () => {
    const queue = t.app.get<Queue>(getQueueToken(RENDER_QUEUE), { strict: false });
    expect(queue).toBeDefined();
    await request(t.app.getHttpServer()).get('/admin/queues/api/queues').expect(401);
  });
});

describe('Bull dashboard with ADMIN_TOKEN unset', () => {
  let t: OpsTestApp;
  let mounted = true;
  beforeAll(async () => {
    t = await bootOpsTestApp({ imports: [], beforeInit: (app) => (mounted = mountBullBoard(app, { adminToken: undefined })) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is not mounted: 404 with or without a token', async () => {
    expect(mounted).toBe(false);
    await request(t.app.getHttpServer()).get('/admin/queues').expect(404);
    await request(t.app.getHttpServer()).get('/admin/queues').set('Authorization', `Bearer ${TOKEN}`).expect(404);
  });
});

describe('Bull dashboard with a short ADMIN_TOKEN', () => {
  let t: OpsTestApp;
  let mounted = true;
  beforeAll(async () => {
    t = await bootOpsTestApp({
      imports: [],
      beforeInit: (app) => (mounted = mountBullBoard(app, { adminToken: 'short-token-0123456789' })),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is not mounted (start-up refuses it too: src/config/security-config.spec.ts)', async () => {
    expect(mounted).toBe(false);
    await request(t.app.getHttpServer()).get('/admin/queues').set('Authorization', 'Bearer short-token-0123456789').expect(404);
  });
});

describe('Bull dashboard token from AppConfig (ADMIN_TOKEN)', () => {
  let t: OpsTestApp;
  beforeAll(async () => {
    const config = loadAppConfig({
      JWT_SECRET: 'x'.repeat(32),
      URL_SIGNING_SECRET: 'u'.repeat(32),
      ADMIN_TOKEN: TOKEN,
      ADMIN_SESSION_SECONDS: '600',
    });
    t = await bootOpsTestApp({ imports: [ConfigModule.forApp(config)], beforeInit: (app) => mountBullBoard(app) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uses AppConfig.adminToken (and ADMIN_SESSION_SECONDS) when no option is given', async () => {
    await request(t.app.getHttpServer()).get('/admin/queues').expect(401);
    const login = await request(t.app.getHttpServer()).get(`/admin/queues?token=${TOKEN}`).expect(303);
    expect(String(login.headers['set-cookie'])).toMatch(/Max-Age=600/);
    await request(t.app.getHttpServer()).get('/admin/queues').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });
});
