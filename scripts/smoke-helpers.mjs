// What the image smoke tests share (scripts/images-smoke.mjs, scripts/compose-smoke.mjs): checks
// that print one line each, waiting, the test clip, a service token, and one render through the
// public API (upload → create → poll → download) with its frames counted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SignJWT } from 'jose';

export const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', ...opts }).trim();
export function ok(what, detail = '') {
  console.log(`[smoke] ok   ${what}${detail ? ` — ${detail}` : ''}`);
}
export function fail(what) {
  throw new Error(what);
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn every second until it answers something truthy (errors count as "not yet"). */
export async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((err) => (err?.fatal ? Promise.reject(err) : undefined));
    if (v) return v;
    if (Date.now() > end) fail(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/**
 * fetch, once more when the server closed an idle keep-alive socket as the request went out
 * (undici: "other side closed", nothing answered): the server never read that request, and
 * undici retries only idempotent methods itself. Seen here between checks seconds apart.
 */
export async function fetchFresh(url, init) {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (err?.cause?.code !== 'UND_ERR_SOCKET') throw err;
    return fetch(url, init);
  }
}

/** Frame count of the first video stream, decoded (not the container's claim). */
export const frames = (file) =>
  Number(
    sh('ffprobe', [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ]),
  );

/** A 640x360 test clip with a tone, `seconds` long at 30 fps (made once per path). */
export function makeClip(file, seconds, { audio = true } = {}) {
  if (existsSync(file)) return file;
  const input = ['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`];
  if (audio) input.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...input,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-shortest'] : []),
    file,
  ]);
  return file;
}

/** An HS256 token as the service requires it (exp and iat), valid 10 minutes. */
export async function mintToken(jwtSecret, subject = 'smoke-user') {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(jwtSecret));
}

/** JSON calls to the API with a bearer token; any status ≥ 300 fails with the answer. */
export function apiClient(base, token) {
  return async (method, path, body) => {
    const res = await fetchFresh(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (res.status >= 300) fail(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** POST /api/uploads, then PUT the file to the URL it answers; returns the upload's videoUrl. */
export async function upload(api, file) {
  const bytes = readFileSync(file);
  const up = await api('POST', '/api/uploads', { filename: file.split('/').pop(), contentType: 'video/mp4', size: bytes.length });
  const put = await fetchFresh(up.uploadUrl, {
    method: up.method,
    headers: { 'content-type': 'video/mp4', ...(up.headers ?? {}) },
    body: bytes,
  }).catch((err) =>
    fail(`PUT upload to ${new URL(up.uploadUrl).origin}: ${err.message} (${err.cause?.message ?? err.cause?.code ?? 'no cause'})`),
  );
  if (put.status >= 300) fail(`PUT upload to ${new URL(up.uploadUrl).origin}: ${put.status} ${await put.text()}`);
  return { videoUrl: up.videoUrl, uploadUrl: up.uploadUrl, bytes: bytes.length };
}

export const demoScenario = () => JSON.parse(readFileSync('samples/demo-scenario.json', 'utf8'));

/** Polls a job's status until completed (a failed or cancelled job fails at once). */
export function awaitCompleted(api, jobId, timeoutMs = 300_000) {
  return until(
    'render completed',
    async () => {
      const s = await api('GET', `/api/render/${jobId}/status`);
      if (s.status === 'failed' || s.status === 'cancelled')
        throw Object.assign(new Error(`render ${s.status}: ${JSON.stringify(s.error)}`), { fatal: true });
      return s.status === 'completed' ? s : undefined;
    },
    timeoutMs,
  );
}

/** Downloads a finished job's output to `out`; returns its decoded frame count. */
export async function download(url, out) {
  const dl = await fetchFresh(url);
  if (dl.status !== 200) fail(`download from ${new URL(url).origin}: ${dl.status}`);
  writeFileSync(out, Buffer.from(await dl.arrayBuffer()));
  return frames(out);
}
