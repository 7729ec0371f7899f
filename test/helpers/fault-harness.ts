/**
 * Helpers of the fault-injection suite (test/faults): an in-process service whose providers can
 * be overridden (Test.createTestingModule over the real root module), slow and sentinel servers,
 * a private redis-server the test can stop and restart, process-tree helpers, storage walks.
 * Builds on test/support/ (isolated resources, loopback servers, the API client).
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configureHttpApp } from '../../src/app/http-app.js';
import { rootModuleFor } from '../../src/app/root-modules.js';
import { loadAppConfig, type AppConfig, type RenderMode } from '../../src/config/app-config.js';
import { ensureCaptionPageBundle } from './engine.js';
import { closeServer, freePort, listen } from '../support/loopback.js';
import { createResources, type Env, type ServiceResources } from '../support/service-resources.js';
import { request, sleep, type ApiResponse } from '../support/api-client.js';

const exec = promisify(execFile);

export interface FaultService {
  app: NestExpressApplication;
  config: AppConfig;
  res: ServiceResources;
  baseUrl: string;
  call(
    method: string,
    path: string,
    o?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface FaultServiceOptions {
  mode: RenderMode;
  env?: Env;
  allowPrivateNetworks?: boolean;
  resources?: ServiceResources;
  /** Provider overrides: [token, value] (useValue). */
  overrides?: Array<[unknown, unknown]>;
  /** Provider overrides by factory: [token, factory, inject]. */
  factoryOverrides?: Array<[unknown, (...args: any[]) => unknown, unknown[]]>;
}

/** The real root module of `mode`, in this process, with provider overrides. */
export async function startFaultService(o: FaultServiceOptions): Promise<FaultService> {
  if (o.mode !== 'api') ensureCaptionPageBundle();
  const res = o.resources ?? (await createResources(o.env, { allowPrivateNetworks: o.allowPrivateNetworks }));
  const env: Env = { ...res.env, ...(o.env ?? {}), ECG_RENDER_MODE: o.mode };
  const config = loadAppConfig(env);
  let app: NestExpressApplication | undefined;
  try {
    let builder = Test.createTestingModule({ imports: [rootModuleFor(config)] });
    for (const [token, value] of o.overrides ?? []) builder = builder.overrideProvider(token as any).useValue(value);
    for (const [token, factory, inject] of o.factoryOverrides ?? []) {
      builder = builder.overrideProvider(token as any).useFactory({ factory, inject: inject as any[] });
    }
    const moduleRef = await builder.compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['error', 'warn'], abortOnError: false } as any);
    await configureHttpApp(app, config);
    await app.listen(o.mode === 'worker' ? 0 : res.port, '127.0.0.1');
  } catch (err) {
    await app?.close().catch(() => undefined);
    if (!o.resources) await res.release();
    throw err;
  }
  let closed = false;
  return {
    app,
    config,
    res,
    baseUrl: res.baseUrl,
    call: (method, path, opts) => request(res.baseUrl, method, path, opts),
    async close() {
      if (closed) return;
      closed = true;
      await app.close().catch((err) => console.warn(`app.close: ${(err as Error).message}`));
      if (!o.resources) await res.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

export interface CountingServer {
  url: string;
  port: number;
  /** TCP connections accepted. */
  connections(): number;
  /** Requests seen (method + url), WebSocket upgrades included. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on loopback that counts connections and requests (incl. upgrades). */
export async function startCountingServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) =>
    void r.writeHead(200, { 'content-type': 'text/plain' }).end('sentinel'),
): Promise<CountingServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on('upgrade', (req, socket: Socket) => {
    requests.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    requests,
    close: () => closeServer(server, sockets),
  };
}

/**
 * Serves `filePath` slowly: the headers at once, then `chunks` pieces spread over `totalMs`.
 * `aborted()` tells whether a client went away before the end.
 */
export async function startSlowFileServer(
  filePath: string,
  totalMs: number,
  chunks = 20,
): Promise<CountingServer & { aborted(): number; completed(): number }> {
  let aborted = 0;
  let completed = 0;
  const srv = await startCountingServer((req, res) => {
    const data = readFileSync(filePath);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(data.length) });
    const step = Math.ceil(data.length / chunks);
    let i = 0;
    let done = false;
    req.socket.on('close', () => {
      if (!done) aborted++;
    });
    const timer = setInterval(
      () => {
        if (res.destroyed) {
          clearInterval(timer);
          return;
        }
        const part = data.subarray(i * step, (i + 1) * step);
        i++;
        if (i >= chunks || part.length === 0) {
          clearInterval(timer);
          done = true;
          completed++;
          res.end(part);
        } else res.write(part);
      },
      Math.max(1, Math.floor(totalMs / chunks)),
    );
  });
  return { ...srv, aborted: () => aborted, completed: () => completed };
}

// ---------------------------------------------------------------------------------------------
// A redis-server of our own (never the shared one on 6379)

export interface PrivateRedis {
  port: number;
  url: string;
  /** SHUTDOWN SAVE: stops, keeping the data for the next start (a restart, not a wipe). */
  stop(): Promise<void>;
  /** SIGKILL: stops at once; the data since the last save is lost. */
  kill(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  dispose(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ecg-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const { stdout } = await exec('redis-cli', ['-p', String(port), 'ping']);
        if (stdout.trim() === 'PONG') return;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await sleep(50);
    }
  };
  const exited = (c: ChildProcess) =>
    new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    async stop() {
      if (!child) return;
      const c = child;
      await exec('redis-cli', ['-p', String(port), 'shutdown', 'save']).catch(() => undefined);
      await exited(c);
    },
    async kill() {
      if (!child) return;
      const c = child;
      c.kill('SIGKILL');
      await exited(c);
    },
    async dispose() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z';
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  cmd: string;
}

export function processTable(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z') continue;
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      out.push({ pid: Number(e), ppid: Number(f[1]), pgid: Number(f[2]), cmd });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Live descendants of `root` (pid + command line). */
export function descendants(root: number): ProcInfo[] {
  const table = processTable();
  const out: ProcInfo[] = [];
  const walk = (p: number) => {
    for (const x of table)
      if (x.ppid === p) {
        out.push(x);
        walk(x.pid);
      }
  };
  walk(root);
  return out;
}

/** Live members of a process group (a spawned service is the leader of its own group). */
export function groupMembers(pgid: number): ProcInfo[] {
  return processTable().filter((p) => p.pgid === pgid);
}

export const isChromium = (p: ProcInfo) => /chrom/i.test(p.cmd.split(' ')[0] ?? '');
export const isFfmpeg = (p: ProcInfo) => /ffmpeg$|ffprobe$/.test(p.cmd.split(' ')[0] ?? '');

// ---------------------------------------------------------------------------------------------
// Misc

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every file under `dir` (relative paths), recursively. */
export function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

export function fileSize(p: string): number {
  return statSync(p).size;
}

/** A tiny source: `seconds` of testsrc at w×h, `fps`, no audio unless asked (x264 ultrafast). */
export async function makeTinyVideo(
  path: string,
  o: { seconds?: number; w?: number; h?: number; fps?: number; audio?: boolean } = {},
): Promise<string> {
  const s = o.seconds ?? 1;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.w ?? 64}x${o.h ?? 64}:rate=${o.fps ?? 10}:duration=${s}`,
    ...(o.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${s}`, '-c:a', 'aac', '-b:a', '32k'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    path,
  ];
  await exec('ffmpeg', args);
  return path;
}

export async function ffmpeg(args: string[]): Promise<void> {
  await exec('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy in front of PostgreSQL (or anything): the test can cut every connection and refuse
// new ones for a while (a database restart as the app sees it), and knows the local ports of its
// upstream connections (so pg_terminate_backend can target exactly this app's backends).

export interface TcpProxy {
  port: number;
  /** Local ports of the live upstream connections (pg_stat_activity.client_port). */
  upstreamPorts(): number[];
  /** Cuts every connection; new ones are refused until up(). */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const { createServer: createTcpServer, connect } = await import('node:net');
  let refusing = false;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server = createTcpServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    upstreamPorts: () => [...pairs].map((p) => p.upstream.localPort).filter((x): x is number => typeof x === 'number'),
    down() {
      refusing = true;
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
    },
    up() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/**
 * A caption that changes every quarter second for `seconds`: every run of frames needs its own
 * screenshot, so a 60 s 320×180 source takes ~15 s to render on 2 cores (a static caption: ~1 s).
 */
export function busyScenario(seconds = 60): Record<string, unknown> {
  const cue = (i: number) => ({
    id: `c${i}`,
    track: 'subtitle',
    root: {
      id: `g${i}`,
      eType: 'group',
      children: [
        {
          id: `t${i}`,
          eType: 'text',
          text: `caption ${i}`,
          layout: { position: { x: 0.5, y: 0.86 }, anchor: 'bc' },
          displayTime: [i * 0.25, i * 0.25 + 0.2],
        },
      ],
    },
  });
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
    cues: Array.from({ length: seconds * 4 }, (_, i) => cue(i)),
  };
}
