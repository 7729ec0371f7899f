// `--workers N[,M…]`: one render through the real service per worker count — an api process and
// N worker processes (`node dist/src/main.js`) on one Redis queue and one PostgreSQL schema, long
// renders split into segments (SEGMENT_SECONDS) that any worker renders, joined by stream copy.
// The source is served from a loopback HTTP server (ALLOW_PRIVATE_NETWORKS=true, NODE_ENV=test),
// exactly as the service tests do. Each worker count gets fresh resources (own schema, queue
// prefix, storage and temp dirs), all removed afterwards.
//
// The few helpers needed are copied from test/helpers/service-harness.ts (tsconfig.build.json
// excludes test/, so the bench cannot import them).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { createTestDatabase, type TestDatabase } from '../src/database/testing.js';

export type Env = Record<string, string>;

const JWT_SECRET = 'EcgRenderBenchSecret0123456789abcdefABCDEF';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServiceRunOptions {
  repoRoot: string;
  sourcePath: string;
  scenario: Record<string, unknown>;
  workers: number;
  /** Service environment on top of the isolation variables (SEGMENT_SECONDS, X264_PRESET…). */
  env: Env;
  signal: AbortSignal;
  status: (line: string) => void;
  timeoutMs: number;
}

export interface ServiceRunResult {
  workers: number;
  /** POST /api/render/create → status `completed`. */
  wallSeconds: number;
  /** Worker boot (until every /health answers): not part of wallSeconds. */
  bootSeconds: number;
  outputPath: string;
  finalStatus: Record<string, unknown>;
  /** Highest progress (%) the status endpoint reported before the end. */
  maxProgressSeen: number;
}

async function mintToken(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 6 * 3600)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Serves one file on 127.0.0.1; returns its URL and a closer. */
async function serveFile(path: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const name = basename(path);
  const server = createServer((req, res) => {
    if (decodeURIComponent((req.url ?? '/').split('?')[0].replace(/^\/+/, '')) !== name || !existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(statSync(path).size) });
    createReadStream(path).pipe(res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function obliterateQueues(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface Spawned {
  child: ChildProcess;
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

/** `node dist/src/main.js` in its own process group (so its Chromium and ffmpeg go with it). */
function spawnService(repoRoot: string, env: Env, tag: string): Spawned {
  const child = spawn(join(repoRoot, 'node_modules/.bin/node'), ['--max-semi-space-size=4', join(repoRoot, 'dist/src/main.js')], {
    cwd: repoRoot,
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
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* gone */
    }
  };
  return {
    child,
    output: () => `[${tag}] ${out}`,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        kill('SIGTERM');
        const timer = setTimeout(() => kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      kill('SIGKILL'); // anything left in its group
    },
  };
}

async function waitForHttp(url: string, svc: Spawned, signal: AbortSignal, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
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

async function api(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: any; text: string }> {
  const r = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: parsed, text };
}

/** Boots api + N workers on fresh resources, renders once, tears everything down. */
export async function serviceRender(o: ServiceRunOptions): Promise<ServiceRunResult> {
  let db: TestDatabase | undefined;
  const queuePrefix = `ecgb${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ecg-bench-svc-'));
  const procs: Spawned[] = [];
  let file: Awaited<ReturnType<typeof serveFile>> | undefined;
  try {
    db = await createTestDatabase({ poolSize: 2 });
    const storageDir = join(dir, 'storage');
    mkdirSync(storageDir, { recursive: true });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const common: Env = {
      NODE_ENV: 'test',
      PUBLIC_BASE_URL: baseUrl,
      PORT: String(port),
      JWT_SECRET,
      URL_SIGNING_SECRET: 'EcgRenderBenchUrlSigning0123456789abcdefXYZ',
      DATABASE_URL: db.url,
      DATABASE_SCHEMA: db.schema,
      MIGRATE_ON_START: 'false',
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      STORAGE_DRIVER: 'local',
      LOCAL_STORAGE_DIR: storageDir,
      BROWSER_POOL_SIZE: '1',
      ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
      ...o.env,
    };
    const t0 = performance.now();
    const apiProc = spawnService(o.repoRoot, { ...common, ECG_RENDER_MODE: 'api' }, 'api');
    procs.push(apiProc);
    const workerHealth: string[] = [];
    for (let w = 0; w < o.workers; w++) {
      const healthPort = await freePort();
      const tmp = join(dir, `render-tmp-${w}`);
      mkdirSync(tmp, { recursive: true });
      procs.push(
        spawnService(
          o.repoRoot,
          { ...common, ECG_RENDER_MODE: 'worker', WORKER_HEALTH_PORT: String(healthPort), RENDER_TMP_DIR: tmp },
          `worker${w}`,
        ),
      );
      workerHealth.push(`http://127.0.0.1:${healthPort}/health`);
    }
    await waitForHttp(`${baseUrl}/health`, apiProc, o.signal);
    for (let w = 0; w < o.workers; w++) await waitForHttp(workerHealth[w], procs[w + 1], o.signal);
    const bootSeconds = (performance.now() - t0) / 1000;

    file = await serveFile(o.sourcePath);
    const token = await mintToken('bench-user');
    const started = performance.now();
    const created = await api(baseUrl, 'POST', '/api/render/create', token, { videoUrl: file.url, scenario: o.scenario });
    if (created.status !== 201) throw new Error(`create: HTTP ${created.status} ${created.text}`);
    const jobId = created.body.jobId as string;
    const deadline = Date.now() + o.timeoutMs;
    let final: any;
    let maxProgress = 0;
    for (;;) {
      o.signal.throwIfAborted();
      const s = await api(baseUrl, 'GET', `/api/render/${jobId}/status`, token);
      if (s.status !== 200) throw new Error(`status: HTTP ${s.status} ${s.text}`);
      maxProgress = Math.max(maxProgress, Number(s.body.progress) || 0);
      o.status(
        `  ${o.workers} worker(s): ${s.body.status} ${s.body.progress}% after ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
      if (['completed', 'failed', 'cancelled'].includes(s.body.status)) {
        final = s.body;
        break;
      }
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${s.body.status} after ${o.timeoutMs} ms`);
      for (const p of procs) if (p.child.exitCode !== null) throw new Error(`a service process exited:\n${p.output()}`);
      await sleep(250);
    }
    const wallSeconds = (performance.now() - started) / 1000;
    o.status('');
    if (final.status !== 'completed') {
      throw new Error(
        `render ${final.status}: ${JSON.stringify(final.error ?? final)}\n${procs.map((p) => p.output().slice(-3000)).join('\n')}`,
      );
    }
    const outputPath = join(dirname(dir), `${basename(dir)}-output.mp4`);
    const r = await fetch(final.downloadUrl);
    if (!r.ok || !r.body) throw new Error(`download: HTTP ${r.status}`);
    // Streamed to disk: buffering it here would add the output's size to the measured tree.
    await pipeline(Readable.fromWeb(r.body as import('node:stream/web').ReadableStream), createWriteStream(outputPath));
    return { workers: o.workers, wallSeconds, bootSeconds, outputPath, finalStatus: final, maxProgressSeen: maxProgress };
  } finally {
    await file?.close();
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await obliterateQueues(queuePrefix).catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
