#!/usr/bin/env node
// Smoke test of the built images (run by scripts/images.sh). Each container runs standalone on
// the host network against this machine's PostgreSQL (own schema) and Redis (own prefix), as its
// non-root user. Checks: health ready; the console at /; upload → render → download of a clip
// whose frames are counted and compared with the source (captions where a cue shows, the source
// elsewhere); no process as root and Chromium without --no-sandbox; SIGTERM → a clean exit. The
// GPU image (no GPU here) must report libx264 after its probe and give the CPU image's pixels.
// Prints one line per check and the figures; exits non-zero on the first failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiClient,
  awaitCompleted,
  demoScenario,
  download,
  fail,
  frames,
  makeClip,
  mintToken,
  ok,
  sh,
  until,
  upload,
} from './smoke-helpers.mjs';

const IMAGES = (process.env.ECG_IMAGES ?? 'localhost/ecg-render:latest,localhost/ecg-render-gpu:latest').split(',');
let id = '';
let name = '';
let port = 0;
let base = '';
const secrets = {
  JWT_SECRET: randomBytes(24).toString('hex'),
  URL_SIGNING_SECRET: randomBytes(24).toString('hex'),
  WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}`,
};
const work = mkdtempSync(join(tmpdir(), 'ecg-smoke-'));
const started = Date.now();

const podman = (...args) => sh('podman', ['--runtime', 'runc', ...args]);

/** Grey frames of a clip at time t (scaled to 160x90), for comparing pictures. */
function frameAt(file, t) {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-vf', 'scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    { maxBuffer: 1 << 20 },
  );
}
const meanDiff = (a, b) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

const source = join(work, 'source.mp4');

async function smoke(IMAGE) {
  id = randomBytes(4).toString('hex');
  name = `ecg-smoke-${id}`;
  port = 3900 + Math.floor(Math.random() * 90);
  base = `http://127.0.0.1:${port}`;
  const gpuImage = /gpu/.test(IMAGE);
  makeClip(source, 8);
  const env = {
    ECG_RENDER_MODE: 'standalone',
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    DATABASE_SCHEMA: `smoke_${id}`,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `smoke${id}`,
    ...secrets,
    // A render still running at SIGTERM is handed back after 2 s (checked below).
    WORKER_SHUTDOWN_GRACE_MS: '2000',
  };
  // The GPU image boots as a worker by default; here it serves the API too.
  podman(
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    '--shm-size',
    '1g',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    IMAGE,
  );
  ok('container started', `${IMAGE} as ${name}`);

  await until('health ready', async () => (await fetch(`${base}/health/ready`)).status === 200, 180_000);
  ok('health ready', `${((Date.now() - started) / 1000).toFixed(0)} s after start`);

  const home = await fetch(`${base}/`);
  const html = await home.text();
  if (home.status !== 200 || !/<script[^>]+app\.js/.test(html)) fail(`console at /: ${home.status} ${html.slice(0, 120)}`);
  ok('console served at /');

  const api = apiClient(base, await mintToken(secrets.JWT_SECRET));
  const up = await upload(api, source);
  ok('uploaded', `${up.bytes} bytes`);

  const scenario = demoScenario();
  const job = await api('POST', '/api/render/create', { videoUrl: up.videoUrl, scenario });
  const status = await awaitCompleted(api, job.jobId);
  ok('render completed', job.jobId);

  // Processes of the container while the browser pool is alive: none as root, Chromium sandboxed.
  const top = podman('top', name, 'user', 'args');
  const rows = top.split('\n').slice(1);
  if (rows.some((r) => /^root\s/.test(r))) fail(`a process runs as root:\n${top}`);
  const chromium = rows.filter((r) => /chrom/.test(r));
  if (chromium.some((r) => r.includes('--no-sandbox'))) fail(`Chromium runs with --no-sandbox:\n${chromium.join('\n')}`);
  ok('non-root, Chromium sandbox on', `${rows.length} processes, ${chromium.length} Chromium, user ${rows[0]?.split(/\s+/)[0]}`);

  if (gpuImage) {
    const logs = podman('logs', name);
    if (!/Encoder: libx264|falling back to libx264/.test(logs)) fail('the GPU image did not report libx264 after its probe');
    ok('GPU image without a GPU: libx264 after the NVENC probe');
  }
  const out = join(work, `out-${gpuImage ? 'gpu' : 'cpu'}.mp4`);
  const nOut = await download(status.downloadUrl, out);
  const nSrc = frames(source);
  if (nOut !== nSrc) fail(`frame count ${nOut}, source ${nSrc}`);
  const withCaption = meanDiff(frameAt(out, 2), frameAt(source, 2));
  const without = meanDiff(frameAt(out, 0.2), frameAt(source, 0.2));
  if (!(withCaption > 1.5 && without < 1.5)) fail(`frames: caption diff ${withCaption.toFixed(2)} at 2 s, ${without.toFixed(2)} at 0.2 s`);
  ok(
    'downloaded and checked',
    `${nOut} frames, ${(statSync(out).size / 1024).toFixed(0)} KiB; mean diff vs source ${withCaption.toFixed(2)} (caption) / ${without.toFixed(2)} (none)`,
  );

  // SIGTERM in the middle of a longer render: the job is handed back (lease released), not lost.
  const long = join(work, 'long.mp4');
  const up2 = await upload(api, makeClip(long, 60, { audio: false }));
  const running = await api('POST', '/api/render/create', { videoUrl: up2.videoUrl, scenario });
  await until(
    'long render started',
    async () => {
      const s = await api('GET', `/api/render/${running.jobId}/status`);
      return s.status === 'processing' && s.progress > 0;
    },
    120_000,
  );
  const t0 = Date.now();
  spawnSync('podman', ['--runtime', 'runc', 'stop', '-t', '40', name], { stdio: 'ignore' });
  const code = Number(podman('inspect', name, '--format', '{{.State.ExitCode}}'));
  if (code === 137) fail('SIGTERM: the container had to be killed');
  ok('SIGTERM mid-render: clean exit', `exit ${code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const row = sh('psql', [
    '-h',
    '127.0.0.1',
    '-U',
    'postgres',
    '-d',
    'test',
    '-At',
    '-c',
    `SELECT status, lease_until < now() FROM "smoke_${id}".render_jobs WHERE id = '${running.jobId}'`,
  ]);
  if (!(row === 'queued|t' || row === 'queued|' || row === 'processing|t')) fail(`the job running at SIGTERM was not handed back: ${row}`);
  ok('the render running at SIGTERM was handed back', row.replace('|', ', lease expired: '));
  return out;
}

async function main() {
  const outs = [];
  for (const image of IMAGES) {
    try {
      outs.push(await smoke(image));
    } catch (err) {
      try {
        console.error(podman('logs', '--tail', '40', name));
      } catch {
        // the container never started: no logs to show
      }
      throw err;
    } finally {
      cleanup();
    }
  }
  if (outs.length === 2) {
    const md5 = (f) =>
      sh('ffmpeg', ['-v', 'error', '-i', f, '-map', '0:v', '-f', 'framemd5', '-'])
        .split('\n')
        .filter((l) => !l.startsWith('#'));
    const [a, b] = outs.map(md5);
    const differ = a.filter((l, i) => l !== b[i]).length;
    if (differ || a.length !== b.length) fail(`CPU and GPU images drew different frames: ${differ} of ${a.length}`);
    ok('CPU and GPU images: identical frames', `${a.length} frames`);
  }
}

function cleanup() {
  spawnSync('podman', ['--runtime', 'runc', 'rm', '-f', name], { stdio: 'ignore' });
  spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-c', `DROP SCHEMA IF EXISTS "smoke_${id}" CASCADE`], {
    stdio: 'ignore',
  });
}

try {
  await main();
  console.log(`[smoke] passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`[smoke] FAILED: ${err.message}`);
  process.exitCode = 1;
} finally {
  cleanup();
  rmSync(work, { recursive: true, force: true });
}
