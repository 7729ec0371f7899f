// The Bull dashboard (@bull-board) at /admin/queues, behind ADMIN_TOKEN.
//   - ADMIN_TOKEN unset → nothing is mounted: /admin/queues answers Nest's 404.
//   - `Authorization: Bearer <token>` → allowed (API clients, curl).
//   - `GET /admin/queues?token=<token>` (a browser) → sets an HttpOnly, SameSite=Strict cookie
//     scoped to /admin/queues and redirects (303) to the same URL without the token, so the
//     token leaves the address bar and the UI's asset and API requests authenticate by cookie.
//     The cookie is a session: `<expiry>.<HMAC(token, expiry)>`, refused after its expiry
//     (ADMIN_SESSION_SECONDS, default 8 h) even if replayed; rotating ADMIN_TOKEN invalidates it.
//   - ADMIN_TOKEN shorter than 32 characters: refused at start-up (and never mounted here).
//   - every answer carries a CSP (scripts from this origin only, no framing) and X-Frame-Options.
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
  /** Session lifetime. Default AppConfig.security.adminSessionSeconds, else 8 h. */
  cookieMaxAgeSec?: number;
}

/** The dashboard's UI: its own scripts and styles (inline style attributes), no frames, no remote fonts. */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
export const MIN_ADMIN_TOKEN_CHARS = 32;

const digest = (s: string) => createHash('sha256').update(s).digest();
const safeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** The session cookie for a token, valid until `expiresAtSec`: `<expiry>.<HMAC-SHA256(token, label|expiry)>`. */
export function adminCookieValue(token: string, expiresAtSec: number): string {
  const mac = createHmac('sha256', token).update(`ecg-render bull-board session v2|${expiresAtSec}`).digest('base64url');
  return `${expiresAtSec}.${mac}`;
}

/** A cookie made by adminCookieValue for this token and not yet expired. */
export function isValidAdminCookie(token: string, cookie: string, nowSec = Math.floor(Date.now() / 1000)): boolean {
  const m = /^(\d{1,12})\.[\w-]+$/.exec(cookie);
  if (!m) return false;
  const exp = Number(m[1]);
  return safeEqual(cookie, adminCookieValue(token, exp)) && exp > nowSec;
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
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', ADMIN_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const url = new URL(req.originalUrl, 'http://localhost');
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!safeEqual(queryToken, token)) return deny(res);
      const secure =
        req.secure ||
        String(req.headers['x-forwarded-proto'] ?? '')
          .split(',')[0]
          .trim() === 'https';
      const cookieValue = adminCookieValue(token, Math.floor(Date.now() / 1000) + cookieMaxAgeSec);
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
    if (cookie !== undefined && isValidAdminCookie(token, cookie)) return next();
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
  let sessionSeconds = options.cookieMaxAgeSec;
  let config: AppConfig | undefined;
  try {
    config = app.get<AppConfig>(APP_CONFIG, { strict: false });
  } catch {
    config = undefined;
  }
  if (!('adminToken' in options)) token = config?.adminToken;
  sessionSeconds ??= config?.security?.adminSessionSeconds;
  if (!token) {
    logger.log('ADMIN_TOKEN is not set: the queue dashboard is disabled');
    return false;
  }
  if (token.length < MIN_ADMIN_TOKEN_CHARS) {
    logger.error(`ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_CHARS} characters: the queue dashboard is disabled`);
    return false;
  }
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
  app.use(basePath, adminAuthMiddleware(token, basePath, sessionSeconds), serverAdapter.getRouter());
  logger.log(`queue dashboard mounted at ${basePath} (${queues.map((q) => q.name).join(', ') || 'no queues'})`);
  return true;
}
