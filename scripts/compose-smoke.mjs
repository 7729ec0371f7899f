#!/usr/bin/env node
// The API part of `npm run compose:smoke` (scripts/compose-smoke.sh brings the stack up and down):
// against the running docker-compose.yml stack, waits for the API to be ready, mints a token,
// uploads a clip to the stack's S3 through the presigned URL, renders it on a worker, downloads
// the result (from S3 again) and checks its frame count. Env: API_BASE, S3_PUBLIC_ENDPOINT,
// JWT_SECRET (the stack's). Prints one line per check and the figures; exits non-zero on failure.
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
  until,
  upload,
} from './smoke-helpers.mjs';

const base = process.env.API_BASE ?? fail('API_BASE is not set');
const s3 = new URL(process.env.S3_PUBLIC_ENDPOINT ?? fail('S3_PUBLIC_ENDPOINT is not set')).origin;
const started = Date.now();
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const work = mkdtempSync(join(tmpdir(), 'ecg-compose-smoke-'));

try {
  await until('API health ready', async () => (await fetch(`${base}/health/ready`)).status === 200, 240_000);
  ok('API health ready', `${secs(started)} after the stack was up`);

  const api = apiClient(base, await mintToken(process.env.JWT_SECRET ?? fail('JWT_SECRET is not set')));
  const source = makeClip(join(work, 'source.mp4'), 6);
  const up = await upload(api, source);
  if (new URL(up.uploadUrl).origin !== s3) fail(`upload URL ${new URL(up.uploadUrl).origin}, not the stack's S3 ${s3}`);
  ok('uploaded to S3 through the presigned URL', `${up.bytes} bytes to ${s3}`);

  const t0 = Date.now();
  const job = await api('POST', '/api/render/create', { videoUrl: up.videoUrl, scenario: demoScenario() });
  const status = await awaitCompleted(api, job.jobId);
  ok('rendered on a worker', `${job.jobId} in ${secs(t0)} (create → completed)`);

  if (new URL(status.downloadUrl).origin !== s3) fail(`download URL ${new URL(status.downloadUrl).origin}, not the stack's S3 ${s3}`);
  const out = join(work, 'out.mp4');
  const nOut = await download(status.downloadUrl, out);
  const nSrc = frames(source);
  if (nOut !== nSrc) fail(`frame count ${nOut}, source ${nSrc}`);
  ok('downloaded from S3 and checked', `${nOut}/${nSrc} frames, ${(statSync(out).size / 1024).toFixed(0)} KiB`);
  console.log(`[smoke] API part passed in ${secs(started)}`);
} catch (err) {
  console.error(`[smoke] FAILED: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
