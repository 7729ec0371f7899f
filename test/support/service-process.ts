// The compiled service (`node dist/src/main.js`) as a child process, for the tests that need real
// processes (test/service/separate-processes, test/faults/worker-processes, test/deploy) and for
// `npm run bench -- --workers`. Its own process group, so its Chromium and ffmpeg go with it.
// test/support/: node built-ins and production dependencies only (the bench compiles it).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from './service-resources.js';

/** The repository: the first folder above this file with a package.json (test/support/ here, dist/test/support/ in the bench's build). */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface SpawnedService {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** The app folder (default REPO_ROOT): its dist/src/main.js is run, by its node_modules/.bin/node unless `node` is given. */
  root?: string;
  node?: string;
  /** Node options before the script (e.g. --max-semi-space-size=1, as `npm start` runs it). */
  nodeArgs?: string[];
}

/** Spawns `node dist/src/main.js` with only this environment (plus PATH and HOME); `tag` prefixes output(). */
export function spawnService(env: Env, tag: string, o: SpawnOptions = {}): SpawnedService {
  const root = o.root ?? REPO_ROOT;
  const child = spawn(o.node ?? join(root, 'node_modules/.bin/node'), [...(o.nodeArgs ?? []), join(root, 'dist/src/main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const append = (c: Buffer) => {
    out += c.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
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
      kill('SIGKILL'); // anything left in its process group (Chromium, ffmpeg)
    },
  };
}

/** Waits until `url` answers (any HTTP status) or the process exits. */
export async function waitForHttp(url: string, svc: SpawnedService, timeoutMs = 60_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (svc.child.exitCode !== null) throw new Error(`process exited (${svc.child.exitCode}) before answering:\n${svc.output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} not answering after ${timeoutMs} ms:\n${svc.output()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}
