/**
 * Harness for the service's end-to-end tests (test/service, test/faults): boots a root module
 * (api, worker or standalone) in this process exactly as src/main.ts does (NestFactory.create +
 * configureHttpApp + listen), each test file isolated in its own resources
 * (test/support/service-resources.ts); the scenarios the suites render; checks that a job leaves
 * no temp dir or process behind; and the compile of dist for the tests that spawn it
 * (test/support/service-process.ts). close() tears everything down.
 */
import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configureHttpApp } from '../../src/app/http-app.js';
import { rootModuleFor } from '../../src/app/root-modules.js';
import { loadAppConfig, type AppConfig, type RenderMode } from '../../src/config/app-config.js';
import { request, sleep, type ApiResponse } from '../support/api-client.js';
import { createResources, type Env, type ServiceResources } from '../support/service-resources.js';
import { ensureCaptionPageBundle, ROOT } from './engine.js';

const exec = promisify(execFile);

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
    await configureHttpApp(app, config);
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
      await app.close().catch((err) => console.warn(`app.close: ${(err as Error).message}`));
      if (!o.resources) await res.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

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

// ---------------------------------------------------------------------------------------------
// Leftovers: temp dirs and processes

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
