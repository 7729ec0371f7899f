/**
 * Harness for the service's end-to-end tests (test/service): boots a root module (api, worker or
 * standalone) in this process exactly as src/main.ts does (NestFactory.create +
 * configureHttpApp + listen), each test file isolated in its own PostgreSQL schema, Bull queue
 * prefix, storage and temp dirs; mints HS256 tokens with jose; serves source videos from a
 * loopback HTTP server; and can spawn the compiled service (dist/src/main.js) as child processes.
 * Everything is torn down by close(): app, schema, temp dirs, the Bull keys of the prefix.
 */
import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { configureHttpApp } from '../../src/app/http-app.js';
import { rootModuleFor } from '../../src/app/root-modules.js';
import { loadAppConfig, type AppConfig, type RenderMode } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from '../../src/database/testing.js';
import { ensureCaptionPageBundle, NODE_BIN, ROOT } from './engine.js';

const exec = promisify(execFile);

export const TEST_JWT_SECRET = 'EcgRenderTestSecret0123456789abcdefABCDEF';
/** Distinct from TEST_JWT_SECRET: start-up refuses a URL-signing or webhook key equal to the JWT key. */
export const TEST_URL_SIGNING_SECRET = 'EcgRenderTestUrlSigning0123456789abcdefXYZ';
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('ecg-render test webhook key 0123456789').toString('base64')}`;
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export type Env = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Tokens

export async function mintToken(sub: string, opts: { secret?: string; expiresInSec?: number; issuedAtSec?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(opts.issuedAtSec ?? now)
    .setExpirationTime(now + (opts.expiresInSec ?? 3600));
  return jwt.sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));
}

// ---------------------------------------------------------------------------------------------
// Loopback servers

export interface FileServer {
  baseUrl: string;
  port: number;
  /** URL of a file of the served dir. */
  url(name: string): string;
  /** Requests seen (path). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the files of `dir` on 127.0.0.1 (content type from the extension). */
export async function startFileServer(dir: string): Promise<FileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/+/, ''));
    requests.push(name);
    const p = join(dir, name);
    if (!name || name.includes('..') || !existsSync(p) || !statSync(p).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.txt') ? 'text/plain' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': String(statSync(p).size) });
    createReadStream(p).pipe(res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    port,
    url: (name) => `${baseUrl}/${encodeURIComponent(name)}`,
    requests,
    close: () => closeServer(server, sockets),
  };
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

/** A loopback webhook receiver; `respond` picks the status for each request (default 200). */
export async function startReceiver(respond: (req: ReceivedRequest, index: number) => number = () => 200): Promise<{
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const status = respond(r, received.length);
      received.push(r);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => closeServer(server, sockets) };
}

/** A free TCP port on 127.0.0.1 (PUBLIC_BASE_URL must name the port before the app boots). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// Isolated resources (schema, queue prefix, dirs) and the environment that names them

export interface ServiceResources {
  db: TestDatabase;
  queuePrefix: string;
  /** Parent temp dir of this harness (storage/ and render-tmp/ live inside). */
  dir: string;
  storageDir: string;
  renderTmpDir: string;
  port: number;
  baseUrl: string;
  /** Environment for loadAppConfig / a spawned process. */
  env: Env;
  /** Drops the schema, removes the dirs and the Bull keys of the prefix. */
  release(): Promise<void>;
}

export async function createResources(extraEnv: Env = {}, opts: { allowPrivateNetworks?: boolean } = {}): Promise<ServiceResources> {
  const db = await createTestDatabase({ poolSize: 2 });
  const queuePrefix = `ecgt${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ecg-svc-'));
  const storageDir = join(dir, 'storage');
  const renderTmpDir = join(dir, 'render-tmp');
  for (const d of [storageDir, renderTmpDir]) execFileSync('mkdir', ['-p', d]);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Env = {
    NODE_ENV: 'test',
    PORT: String(port),
    PUBLIC_BASE_URL: baseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    URL_SIGNING_SECRET: TEST_URL_SIGNING_SECRET,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    // Suites fire hundreds of requests a minute from one user and address; the limits have their
    // own test (test/service/security-rate-limits.e2e-spec.ts).
    RATE_LIMIT_PER_MINUTE: '100000',
    DATABASE_URL: db.url,
    DATABASE_SCHEMA: db.schema,
    MIGRATE_ON_START: 'false',
    REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    STORAGE_DRIVER: 'local',
    LOCAL_STORAGE_DIR: storageDir,
    RENDER_TMP_DIR: renderTmpDir,
    ENCODER: 'x264',
    X264_PRESET: 'ultrafast',
    BROWSER_POOL_SIZE: '1',
    LOG_LEVEL: 'warn',
    ...(opts.allowPrivateNetworks === false ? {} : { ALLOW_PRIVATE_NETWORKS: 'true' }),
    ...extraEnv,
  };
  return {
    db,
    queuePrefix,
    dir,
    storageDir,
    renderTmpDir,
    port,
    baseUrl,
    env,
    async release() {
      await obliterateQueues(queuePrefix).catch(() => undefined);
      await db.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every Redis key of the Bull queues under `prefix` (all queues of this harness). */
export async function obliterateQueues(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export async function countQueueKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}:*`);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// In-process service

export interface Service {
  app: NestExpressApplication;
  config: AppConfig;
  res: ServiceResources;
  baseUrl: string;
  /** JSON request to the API with an optional bearer token. */
  call(
    method: string,
    path: string,
    o?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) {
    body = o.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

export interface StartOptions {
  mode: RenderMode;
  env?: Env;
  allowPrivateNetworks?: boolean;
  /** Resources to reuse (e.g. to boot a second process on the same schema/prefix). */
  resources?: ServiceResources;
}

/** Boots a root module in this process as src/main.ts does (migrations ran in createResources). */
export async function startService(o: StartOptions): Promise<Service> {
  if (o.mode !== 'api') ensureCaptionPageBundle();
  const res = o.resources ?? (await createResources(o.env, { allowPrivateNetworks: o.allowPrivateNetworks }));
  const env: Env = { ...res.env, ...(o.env ?? {}), ECG_RENDER_MODE: o.mode };
  const config = loadAppConfig(env);
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(rootModuleFor(config), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    configureHttpApp(app, config);
    await app.listen(o.mode === 'worker' ? 0 : res.port, '127.0.0.1');
  } catch (err) {
    await app?.close().catch(() => undefined);
    if (!o.resources) await res.release();
    throw err;
  }
  const baseUrl = res.baseUrl;
  let closed = false;
  return {
    app,
    config,
    res,
    baseUrl,
    call: (method, path, opts) => request(baseUrl, method, path, opts),
    async close() {
      if (closed) return;
      closed = true;
      await app!.close().catch((err) => console.warn(`app.close: ${(err as Error).message}`));
      if (!o.resources) await res.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Render-flow helpers

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Polls the status endpoint (as the editor does, but faster) until a terminal state or `until`. */
export async function pollStatus(
  baseUrl: string,
  token: string,
  jobId: string,
  o: { timeoutMs?: number; intervalMs?: number; until?: (s: any) => boolean } = {},
): Promise<{ final: any; seen: any[] }> {
  const deadline = Date.now() + (o.timeoutMs ?? 90_000);
  const until = o.until ?? ((s: any) => TERMINAL.includes(s.status));
  const seen: any[] = [];
  for (;;) {
    const r = await request(baseUrl, 'GET', `/api/render/${jobId}/status`, { token });
    if (r.status !== 200) throw new Error(`status ${jobId}: HTTP ${r.status} ${r.text}`);
    seen.push(r.body);
    if (until(r.body)) return { final: r.body, seen };
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${r.body.status} (${r.body.progress}%) after ${o.timeoutMs ?? 90_000} ms`);
    await sleep(o.intervalMs ?? 250);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Downloads a URL to a file with fetch (as the editor does); returns the response. */
export async function downloadTo(url: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const r = await fetch(url, { headers });
  if (r.ok) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, Buffer.from(await r.arrayBuffer()));
  }
  return r;
}

/** Entries of RENDER_TMP_DIR (a job's temp dir is `ecg-<jobId>-*`). */
export function tmpEntries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * Entries left in RENDER_TMP_DIR after waiting up to `ms` for them to go: the runner removes a
 * job's temp dir in its `finally`, just after the terminal state is written.
 */
export async function tmpLeftovers(dir: string, ms = 2000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = tmpEntries(dir);
    if (!left.length || Date.now() > deadline) return left;
    await sleep(50);
  }
}

/** The demo scenario: cue1 0.5–3.0 s (white bold text near the bottom), cue2 3.5–6.5 s, … */
export function demoScenario(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'samples/demo-scenario.json'), 'utf8')) as Record<string, unknown>;
}

/** A minimal v2.0 scenario: one cue of text at the bottom, from `start` to `end`. */
export function simpleScenario(o: { start?: number; end?: number; text?: string; plugin?: string } = {}): Record<string, unknown> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [
      {
        id: 'subtitle',
        type: 'subtitle',
        layer: 1,
        defaultStyle: { fontFamily: "'Noto Sans CJK KR', sans-serif", fontWeight: 'bold', color: '#ffffff' },
      },
    ],
    cues: [
      {
        id: 'cue1',
        track: 'subtitle',
        root: {
          id: 'group1',
          eType: 'group',
          children: [
            {
              id: 'text1',
              eType: 'text',
              text: o.text ?? 'CAPTION CAPTION',
              layout: { position: { x: 0.5, y: 0.86 }, anchor: 'bc' },
              ...(o.plugin ? { pluginChain: [{ name: o.plugin }] } : {}),
              displayTime: [o.start ?? 0.5, o.end ?? 2.5],
            },
          ],
        },
      },
    ],
  };
}

/** Mean absolute RGB difference of two RGBA frames over the rows [y0, y1). */
export function meanDiff(a: Buffer, b: Buffer, w: number, y0: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
      n += 3;
    }
  }
  return sum / n;
}

/** Pixels of rows [y0, y1) whose largest RGB channel difference exceeds `threshold`. */
export function changedPixels(a: Buffer, b: Buffer, w: number, y0: number, y1: number, threshold = 80): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2])) > threshold) n++;
    }
  }
  return n;
}

/** Count of near-white pixels (all channels ≥ 230) in rows [y0, y1). */
export function whitePixels(a: Buffer, w: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (a[i] >= 230 && a[i + 1] >= 230 && a[i + 2] >= 230) n++;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Pids of live (non-zombie) processes whose command line contains `needle` and whose argv[0] matches `name`. */
export function findProcesses(name: RegExp, needle?: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (!cmd.length || !name.test(cmd[0])) continue;
      if (needle && !cmd.join(' ').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z') continue;
      out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Compiles the service (tsc -p tsconfig.build.json) and the caption page bundle. */
export async function buildDist(): Promise<void> {
  ensureCaptionPageBundle();
  await exec(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

export interface SpawnedService {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `node dist/src/main.js` with this environment (process group of its own, so children die with it). */
export function spawnService(env: Env, tag: string): SpawnedService {
  const child = spawn(NODE_BIN, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const append = (c: Buffer) => {
    out += c.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    output: () => `[${tag}] ${out}`,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Anything left in its process group (Chromium, ffmpeg) goes too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* group empty */
      }
    },
  };
}

/** Waits until `url` answers (any HTTP status) or the process exits. */
export async function waitForHttp(url: string, svc: SpawnedService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (svc.child.exitCode !== null) throw new Error(`process exited (${svc.child.exitCode}) before answering:\n${svc.output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} not answering after ${timeoutMs} ms:\n${svc.output()}`);
      await sleep(300);
    }
  }
}
