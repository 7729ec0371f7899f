// The Bull dashboard (@bull-board) at /admin/queues, behind ADMIN_TOKEN.
//   - ADMIN_TOKEN unset → nothing is mounted: /admin/queues answers Nest's 404.
//   - `Authorization: Bearer <token>` → allowed (API clients, curl).
//   - `GET /admin/queues?token=<token>` (a browser) → sets an HttpOnly, SameSite=Strict cookie
//     scoped to /admin/queues and redirects (303) to the same URL without the token, so the
//     token leaves the address bar and the UI's asset and API requests authenticate by cookie.
//     The cookie holds an HMAC of the token, not the token; rotating ADMIN_TOKEN invalidates it.
//   - anything else → 401 `{detail:{error, message, code:'ADMIN_UNAUTHORIZED'}}`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Logger, type INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bull';
import type { NextFunction, Request, Response } from 'express';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { findQueues, OPS_QUEUE_NAMES } from './ops-queues.js';

export const BULL_BOARD_PATH = '/admin/queues';
export const ADMIN_COOKIE = 'ecg_admin';

export interface BullBoardOptions {
  /** Default: the `render` and `render-callbacks` queues registered in the app (absent ones skipped). */
  queues?: Queue[];
  /** Default: AppConfig.adminToken (ADMIN_TOKEN). Unset/empty → the dashboard is not mounted. */
  adminToken?: string;
  /** Default `/admin/queues`. Not affected by `app.setGlobalPrefix`. */
  basePath?: string;
  /** Hide retry/clean/remove buttons. Default false. */
  readOnly?: boolean;
  /** Cookie lifetime. Default 8 h. */
  cookieMaxAgeSec?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const safeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The cookie value for a token: HMAC-SHA256(token, fixed label), base64url. */
export function adminCookieValue(token: string): string {
  return createHmac('sha256', token).update('ecg-render bull-board session v1').digest('base64url');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Express middleware enforcing the admin token (exported for reuse on other admin routes). */
export function adminAuthMiddleware(token: string, cookiePath: string, cookieMaxAgeSec = 8 * 3600) {
  const cookieValue = adminCookieValue(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const url = new URL(req.originalUrl, 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!safeEqual(queryToken, token)) return deny(res);
      const secure = req.secure || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https';
      res.setHeader(
        'Set-Cookie',
        `${ADMIN_COOKIE}=${cookieValue}; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=${cookieMaxAgeSec}` +
          (secure ? '; Secure' : ''),
      );
      if (req.method === 'GET' || req.method === 'HEAD') {
        url.searchParams.delete('token');
        res.setHeader('Cache-Control', 'no-store');
        res.redirect(303, url.pathname + url.search);
        return;
      }
      return next();
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (bearer !== undefined && safeEqual(bearer, token)) return next();
    const cookie = readCookie(req.headers.cookie, ADMIN_COOKIE);
    if (cookie !== undefined && safeEqual(cookie, cookieValue)) return next();
    return deny(res);
  };
}

function deny(res: Response): void {
  res
    .status(401)
    .setHeader('WWW-Authenticate', 'Bearer realm="ecg-render admin"')
    .json({ detail: { error: 'Unauthorized', message: 'admin token required', code: 'ADMIN_UNAUTHORIZED' } });
}

/**
 * Mounts the dashboard on the app's Express instance. Call it in main.ts after `NestFactory.create`
 * and BEFORE `app.listen()` / `app.init()` (Nest installs its 404 handler at init; middleware added
 * later is never reached). Returns false (and mounts nothing) when no admin token is configured.
 */
export function mountBullBoard(app: INestApplication, options: BullBoardOptions = {}): boolean {
  const logger = new Logger('BullBoard');
  let token = options.adminToken;
  if (!('adminToken' in options)) {
    try {
      token = app.get<AppConfig>(APP_CONFIG, { strict: false }).adminToken;
    } catch {
      token = undefined;
    }
  }
  if (!token) {
    logger.log('ADMIN_TOKEN is not set: the queue dashboard is disabled');
    return false;
  }
  if (token.length < 16) logger.warn('ADMIN_TOKEN is shorter than 16 characters; use a long random value');
  const basePath = (options.basePath ?? BULL_BOARD_PATH).replace(/\/$/, '');
  const queues = options.queues ?? findQueues(app, OPS_QUEUE_NAMES);
  if (queues.length === 0) logger.warn('no Bull queue is registered in this app: the dashboard will be empty');

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullAdapter(q, { readOnlyMode: options.readOnly ?? false })),
    // @bull-board/express 9.10.1 carries its own nested @bull-board/api (9.10.1 vs 9.10.2): same
    // shapes, separately declared types.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'ECG Render queues' } },
  });
  app.use(basePath, adminAuthMiddleware(token, basePath, options.cookieMaxAgeSec), serverAdapter.getRouter());
  logger.log(`queue dashboard mounted at ${basePath} (${queues.map((q) => q.name).join(', ') || 'no queues'})`);
  return true;
}
