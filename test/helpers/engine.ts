/**
 * Helpers for the engine's end-to-end tests (test/engine): an in-process engine (Nest
 * application context with one BrowserPool), the compiled command line as a child process,
 * "no process left behind" checks, and small pixel measurements on decoded frames.
 */
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadEngineConfig } from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { EngineModule } from '../../src/render/engine.module.js';

const exec = promisify(execFile);

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES_DIR = join(ROOT, 'test/fixtures/motiontext-samples');
/** Node 24 (the `node` dev dependency); the system node may be older. */
export const NODE_BIN = join(ROOT, 'node_modules/.bin/node');
export const CLI_JS = join(ROOT, 'dist/src/cli/render.js');

/** Builds dist/caption-page/caption-page.js when it is missing or older than its sources. */
export function ensureCaptionPageBundle(): void {
  execFileSync(NODE_BIN, ['scripts/build-caption-page.mjs', '--if-stale'], { cwd: ROOT, stdio: 'pipe' });
}

@Module({})
class E2eEngineRoot {}

/**
 * The engine as the CLI builds it (ConfigModule.forEngine + EngineModule), in this process:
 * one BrowserPool shared by every render of the suite. Close it in afterAll.
 * Defaults to libx264 ultrafast so CI stays quick; pass env to change that.
 */
export async function createEngineContext(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  // FONT_FALLBACK=warn: some fixtures name faces nobody ships ('Arial Black') or relative font
  // files with no ASSET_ORIGINS; they test rendering. Refusal is tested in src/fonts and test/fonts.
  const config = loadEngineConfig({ ...process.env, ENCODER: 'x264', X264_PRESET: 'ultrafast', FONT_FALLBACK: 'warn', ...env });
  return NestFactory.createApplicationContext(
    { module: E2eEngineRoot, imports: [ConfigModule.forEngine(config), EngineModule] },
    { logger: ['error', 'warn'], abortOnError: false },
  );
}

/** A solid-colour video (lavfi `color=`), optionally with a 440 Hz sine, libx264 ultrafast + AAC. */
export async function makeColorVideo(o: {
  path: string;
  seconds: number;
  width: number;
  height: number;
  fps: number;
  color?: string;
  audio?: boolean;
}): Promise<string> {
  await exec('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=${o.color ?? 'black'}:size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`,
    ...(o.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${o.seconds}`] : []),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
    o.path,
  ]);
  return o.path;
}

/** All fixture scenarios (top level, v2/, legacy/), as paths relative to FIXTURES_DIR, sorted. */
export function listFixtures(): string[] {
  const out: string[] = [];
  for (const sub of ['', 'v2', 'legacy']) {
    const dir = join(FIXTURES_DIR, sub);
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.json')) out.push(sub ? `${sub}/${f}` : f);
  }
  return out;
}

export function readFixture(rel: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, rel), 'utf8')) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Pixels

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Luma-ish brightness (max of R, G, B) of pixel i of a raw RGBA buffer. */
const brightness = (rgba: Buffer, i: number) => Math.max(rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]);

/** Pixels of `rect` (whole frame by default) brighter than `threshold` (0–255, max channel). */
export function countBright(rgba: Buffer, w: number, h: number, threshold: number, rect: Rect = { x: 0, y: 0, w, h }): number {
  let n = 0;
  for (let y = rect.y; y < Math.min(h, rect.y + rect.h); y++) {
    for (let x = rect.x; x < Math.min(w, rect.x + rect.w); x++) if (brightness(rgba, y * w + x) > threshold) n++;
  }
  return n;
}

/** Bounding box of the pixels brighter than `threshold`, or null when there are none. */
export function brightBox(rgba: Buffer, w: number, h: number, threshold: number): Rect | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (brightness(rgba, y * w + x) > threshold) {
        if (x < x0) x0 = x;
        if (y < y0) y0 = y;
        if (x > x1) x1 = x;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Mean of max(R,G,B) over `rect`. */
export function meanBrightness(rgba: Buffer, w: number, rect: Rect): number {
  let sum = 0;
  for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) sum += brightness(rgba, y * w + x);
  return sum / (rect.w * rect.h);
}

// ---------------------------------------------------------------------------------------------
// Processes

export interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
  comm: string;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(rest[1]), state: rest[0], comm };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Live (non-zombie) processes whose parent chain includes `root` (root itself excluded). */
export function descendantsOf(root: number): ProcInfo[] {
  const infos = allPids()
    .map(readStat)
    .filter((p): p is ProcInfo => !!p);
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of infos) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length) {
    for (const child of byParent.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child.pid);
    }
  }
  return out.filter((p) => p.state !== 'Z');
}

/**
 * Live processes that carry ECG_E2E_TAG=<tag> in their environment. Children inherit the
 * environment (puppeteer passes process.env to Chromium; ffmpeg is spawned with it), so this
 * finds everything a tagged CLI started, even after it was re-parented to init when the CLI died.
 */
export function processesTagged(tag: string): ProcInfo[] {
  const needle = Buffer.from(`\0ECG_E2E_TAG=${tag}\0`);
  const out: ProcInfo[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`), Buffer.from([0])]);
      if (!env.includes(needle)) continue;
    } catch {
      continue;
    }
    const info = readStat(pid);
    if (info && info.state !== 'Z') out.push(info);
  }
  return out;
}

/** Polls until no tagged process is alive (they may take a moment to exit), then returns the survivors. */
export async function waitForNoTagged(tag: string, timeoutMs = 5000): Promise<ProcInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesTagged(tag);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs what a test tagged and left behind (so one failing test does not poison the others). */
export function killTagged(tag: string): void {
  for (const p of processesTagged(tag)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The command line

/**
 * Compiles the project (tsc -p tsconfig.build.json) so dist/src/cli/render.js is current. Jest
 * workers may do this concurrently: a lock file serialises them. Errors in files the CLI does not
 * load (other areas in progress) do not stop the tests: tsc emits anyway; the CLI must exist and
 * be newer than its source.
 */
export async function compileCli(): Promise<void> {
  const lock = join(ROOT, 'dist', '.e2e-tsc.lock');
  const deadline = Date.now() + 180_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(dirname(lock), { recursive: true });
        continue;
      }
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) unlinkSync(lock); // stale
      } catch {
        /* raced */
      }
      if (Date.now() > deadline) throw new Error(`compileCli: ${lock} held for too long`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    try {
      await exec(NODE_BIN, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}`;
      // Tolerate type errors elsewhere; not in what the CLI runs.
      const mine = out.split('\n').filter((l) => /^(src\/(cli|render|scenario|encoder|browser-pool|config)|libs\/caption-page)\//.test(l));
      if (mine.length) throw new Error(`tsc failed on the engine:\n${mine.join('\n')}`, { cause: err });
      if (!existsSync(CLI_JS)) throw err;
    }
    if (statSync(CLI_JS).mtimeMs + 1 < statSync(join(ROOT, 'src/cli/render.ts')).mtimeMs) {
      throw new Error(`${CLI_JS} is older than src/cli/render.ts after tsc`);
    }
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  done: Promise<CliResult>;
}

/**
 * Starts `node dist/src/cli/render.js ...args` with `env` added (ECG_E2E_TAG=tag marks every
 * process it starts, see processesTagged). cwd is the repository root.
 */
export function startCli(args: string[], env: Record<string, string>, tag: string): CliRun {
  const started = Date.now();
  const child = spawn(NODE_BIN, [CLI_JS, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, ECG_E2E_TAG: tag, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, pid: child.pid!, output: () => stdout + stderr, done };
}

/** Runs the CLI to completion, SIGKILLing it after `timeoutMs`. */
export async function runCli(args: string[], env: Record<string, string>, tag: string, timeoutMs = 90_000): Promise<CliResult> {
  const run = startCli(args, env, tag);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `pred(output so far)` holds, or after `timeoutMs` (resolving false). */
export async function waitForOutput(run: CliRun, pred: (out: string) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.done.then(
    () => (exited = true),
    () => (exited = true),
  );
  while (Date.now() < deadline && !exited) {
    if (pred(run.output())) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred(run.output());
}

// ---------------------------------------------------------------------------------------------
// Frames

/** Every frame of the first video stream, decoded (in order) and scaled to w×h, as raw RGBA buffers. */
export async function extractAllFramesRgba(path: string, w: number, h: number): Promise<Buffer[]> {
  const { stdout } = await exec(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      path,
      '-vf',
      `scale=${w}:${h}`,
      '-vsync',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
  );
  const buf = stdout as unknown as Buffer;
  const size = w * h * 4;
  if (buf.length % size !== 0) throw new Error(`${path}: ${buf.length} bytes is not a whole number of ${w}x${h} RGBA frames`);
  const frames: Buffer[] = [];
  for (let off = 0; off < buf.length; off += size) frames.push(buf.subarray(off, off + size));
  return frames;
}

export { decodePng } from '../../src/render/png.js';

/** Pixels (not bytes) that differ between two RGBA buffers of the same size. */
export function differingPixels(a: Buffer, b: Buffer): number {
  if (a.length !== b.length) throw new Error('differingPixels: sizes differ');
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) n++;
  return n;
}

/** Pixels with any opacity. */
export function opaquePixels(rgba: Buffer): number {
  let n = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] > 0) n++;
  return n;
}
