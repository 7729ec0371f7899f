// Issue 12 #8 and #1 (upload part): the local driver's signed PUT. The signed content type must be
// the request's (415), a chunked body beyond the signed size is a 413 (was a 500), and an upload
// URL is single-use: once a file exists, another PUT is refused (409) and the file is unchanged.
//   bash scripts/test.sh test/service/security-uploads.e2e-spec.ts
import { jest } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { parseStorageUrl } from '../../src/storage/storage-driver.js';
import { mintToken } from '../support/api-client.js';
import { startService, type Service } from '../helpers/service-harness.js';

jest.setTimeout(60_000);

/** A raw PUT: `chunks` are written one by one with Transfer-Encoding: chunked unless a length is given. */
function put(url: string, chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'PUT', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err),
    );
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

describe('local signed PUT', () => {
  let svc: Service;
  let token: string;
  beforeAll(async () => {
    svc = await startService({ mode: 'api' });
    token = await mintToken('uploader');
  });
  afterAll(async () => {
    await svc?.close();
  });

  async function target(size: number, contentType = 'video/mp4') {
    const r = await svc.call('POST', '/api/uploads', { token, body: { filename: 'clip.mp4', contentType, size } });
    expect(r.status).toBe(201);
    const key = parseStorageUrl(r.body.videoUrl)!;
    return { url: r.body.uploadUrl as string, path: join(svc.res.storageDir, ...key.split('/')) };
  }

  it('a content type other than the signed one is refused with 415 naming Content-Type; nothing is stored', async () => {
    const t = await target(10);
    for (const ct of ['application/vnd.apple.mpegurl', 'text/plain', 'video/webm']) {
      const r = await put(t.url, [Buffer.alloc(10, 1)], { 'content-type': ct, 'content-length': '10' });
      expect([ct, r.status]).toEqual([ct, 415]);
      expect(r.body.detail).toMatchObject({
        code: 'RENDER_VALIDATION_FAILED',
        details: [{ field: 'Content-Type', reason: expect.stringContaining('video/mp4') }],
      });
    }
    const none = await put(t.url, [Buffer.alloc(10, 1)], { 'content-length': '10' });
    expect(none.status).toBe(415);
    expect(existsSync(t.path)).toBe(false);
    // the signed type (parameters ignored, case-insensitive) is accepted
    expect((await put(t.url, [Buffer.alloc(10, 1)], { 'content-type': 'Video/MP4; codecs="avc1"', 'content-length': '10' })).status).toBe(
      200,
    );
  });

  it('a chunked body beyond the signed size answers 413 in the envelope, not 500; no file or temp file is left', async () => {
    const t = await target(1000);
    const r = await put(t.url, [Buffer.alloc(600, 2), Buffer.alloc(600, 3)], {
      'content-type': 'video/mp4',
      'transfer-encoding': 'chunked',
    });
    expect(r.status).toBe(413);
    expect(r.body.detail.code).toBe('RENDER_PAYLOAD_TOO_LARGE');
    expect(existsSync(t.path)).toBe(false);
    const dir = join(t.path, '..');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('an upload URL is single-use: a second PUT is refused with 409 and the first bytes stay', async () => {
    const t = await target(16);
    const first = Buffer.alloc(16, 0x41);
    expect((await put(t.url, [first], { 'content-type': 'video/mp4', 'content-length': '16' })).status).toBe(200);
    const again = await put(t.url, [Buffer.alloc(16, 0x42)], { 'content-type': 'video/mp4', 'content-length': '16' });
    expect(again.status).toBe(409);
    expect(again.body.detail.message).toMatch(/already used/);
    expect(readFileSync(t.path)).toEqual(first);
    // concurrent PUTs to a fresh URL: exactly one wins
    const u = await target(16);
    const results = await Promise.all(
      [0x43, 0x44, 0x45, 0x46].map((b) => put(u.url, [Buffer.alloc(16, b)], { 'content-type': 'video/mp4', 'content-length': '16' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(readdirSync(join(u.path, '..'))).toEqual(['clip.mp4']);
  });

  it('a short body is refused and does not use up the URL', async () => {
    const t = await target(100);
    const r = await put(t.url, [Buffer.alloc(50, 1)], { 'content-type': 'video/mp4', 'transfer-encoding': 'chunked' });
    expect(r.status).toBe(400);
    expect(existsSync(t.path)).toBe(false);
    expect((await put(t.url, [Buffer.alloc(100, 1)], { 'content-type': 'video/mp4', 'content-length': '100' })).status).toBe(200);
  });
});
