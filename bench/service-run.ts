// `--workers N[,M…]`: one render through the real service per worker count — an api process and
// N worker processes (`node dist/src/main.js`) on one Redis queue and one PostgreSQL schema, long
// renders split into segments (SEGMENT_SECONDS) that any worker renders, joined by stream copy.
// The source is served from a loopback HTTP server (ALLOW_PRIVATE_NETWORKS=true, NODE_ENV=test),
// exactly as the service tests do: the isolated resources, the spawned processes, the loopback
// server and the API client are the tests' own (test/support/, which `npm run bench` compiles
// with the bench: tsconfig.bench.json). Each worker count gets fresh resources (own schema, queue
// prefix, storage and temp dirs), all removed afterwards.
import { createWriteStream, mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { mintToken, pollStatus, request, TERMINAL } from '../test/support/api-client.js';
import { freePort, startFileServer, type FileServer } from '../test/support/loopback.js';
import { spawnService, waitForHttp, type SpawnedService } from '../test/support/service-process.js';
import { createResources, type Env, type ServiceResources } from '../test/support/service-resources.js';

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

/** The fields of GET /api/render/:id/status the bench reads. */
interface JobStatus {
  status: string;
  progress: number;
  error?: unknown;
  downloadUrl?: string;
}

/** Boots api + N workers on fresh resources, renders once, tears everything down. */
export async function serviceRender(o: ServiceRunOptions): Promise<ServiceRunResult> {
  let res: ServiceResources | undefined;
  const procs: SpawnedService[] = [];
  let file: FileServer | undefined;
  // Node with a 4 MB young generation, as `npm start` and the images run it.
  const spawn = (env: Env, tag: string) => spawnService(env, tag, { root: o.repoRoot, nodeArgs: ['--max-semi-space-size=1'] });
  try {
    res = await createResources(o.env);
    const t0 = performance.now();
    const apiProc = spawn({ ...res.env, ECG_RENDER_MODE: 'api' }, 'api');
    procs.push(apiProc);
    const workerHealth: string[] = [];
    for (let w = 0; w < o.workers; w++) {
      const healthPort = await freePort();
      const tmp = join(res.dir, `render-tmp-${w}`);
      mkdirSync(tmp, { recursive: true });
      procs.push(
        spawn({ ...res.env, ECG_RENDER_MODE: 'worker', WORKER_HEALTH_PORT: String(healthPort), RENDER_TMP_DIR: tmp }, `worker${w}`),
      );
      workerHealth.push(`http://127.0.0.1:${healthPort}/health`);
    }
    await waitForHttp(`${res.baseUrl}/health`, apiProc, 120_000, o.signal);
    for (let w = 0; w < o.workers; w++) await waitForHttp(workerHealth[w], procs[w + 1], 120_000, o.signal);
    const bootSeconds = (performance.now() - t0) / 1000;

    file = await startFileServer(dirname(o.sourcePath));
    const token = await mintToken('bench-user', { expiresInSec: 6 * 3600 });
    const started = performance.now();
    const created = await request(res.baseUrl, 'POST', '/api/render/create', {
      token,
      body: { videoUrl: file.url(basename(o.sourcePath)), scenario: o.scenario },
    });
    if (created.status !== 201) throw new Error(`create: HTTP ${created.status} ${created.text}`);
    const jobId = (created.body as { jobId: string }).jobId;
    let maxProgress = 0;
    const polled = await pollStatus(res.baseUrl, token, jobId, {
      timeoutMs: o.timeoutMs,
      until: (s: JobStatus) => {
        o.signal.throwIfAborted();
        maxProgress = Math.max(maxProgress, Number(s.progress) || 0);
        o.status(`  ${o.workers} worker(s): ${s.status} ${s.progress}% after ${((performance.now() - started) / 1000).toFixed(0)} s`);
        if (TERMINAL.includes(s.status)) return true;
        for (const p of procs) if (p.child.exitCode !== null) throw new Error(`a service process exited:\n${p.output()}`);
        return false;
      },
    });
    const final = polled.final as JobStatus;
    const wallSeconds = (performance.now() - started) / 1000;
    o.status('');
    if (final.status !== 'completed') {
      throw new Error(
        `render ${final.status}: ${JSON.stringify(final.error ?? final)}\n${procs.map((p) => p.output().slice(-3000)).join('\n')}`,
      );
    }
    const outputPath = join(dirname(res.dir), `${basename(res.dir)}-output.mp4`);
    const r = await fetch(final.downloadUrl!);
    if (!r.ok || !r.body) throw new Error(`download: HTTP ${r.status}`);
    // Streamed to disk: buffering it here would add the output's size to the measured tree.
    await pipeline(Readable.fromWeb(r.body as ReadableStream), createWriteStream(outputPath));
    return { workers: o.workers, wallSeconds, bootSeconds, outputPath, finalStatus: { ...final }, maxProgressSeen: maxProgress };
  } finally {
    await file?.close();
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await res?.release();
  }
}
