import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FetchTooLargeError } from '../net/errors.js';
import { LocalStorageDriver } from './local-storage.driver.js';
import { verifySignedRequest, verifySignedUrl } from './signed-url.js';
import { outputKeyForJob } from './keys.js';
import { StorageKeyError, StorageNotFoundError, validateStorageKey } from './storage-driver.js';

const SECRET = 'local-storage-test-secret-0123456789';

describe('LocalStorageDriver', () => {
  let tmp: string;
  let driver: LocalStorageDriver;
  let clock = new Date('2030-01-01T00:00:00Z');
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ls-'));
    clock = new Date('2030-01-01T00:00:00Z');
    driver = new LocalStorageDriver({
      dir: join(tmp, 'store'),
      publicBaseUrl: 'https://render.example.com/',
      secret: SECRET,
      now: () => clock,
    });
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('putFile writes atomically, overwrites, reads back, deletes', async () => {
    const src = join(tmp, 'in.mp4');
    writeFileSync(src, 'v1');
    const key = outputKeyForJob('abc');
    expect(await driver.putFile(key, src)).toEqual({ key, size: 2 });
    writeFileSync(src, 'version2');
    expect(await driver.putFile(key, src)).toEqual({ key, size: 8 });
    expect(readFileSync(driver.pathFor(key), 'utf8')).toBe('version2');
    expect(readdirSync(join(tmp, 'store/renders/abc'))).toEqual(['output.mp4']); // no temp leftovers
    expect(await driver.exists(key)).toBe(true);
    const dest = join(tmp, 'copy.mp4');
    await driver.downloadToFile(key, dest);
    expect(readFileSync(dest, 'utf8')).toBe('version2');
    await driver.delete(key);
    await driver.delete(key); // idempotent
    expect(await driver.exists(key)).toBe(false);
    await expect(driver.openRead(key)).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('putStream enforces maxBytes and leaves no partial file', async () => {
    await expect(
      driver.putStream('uploads/u/x.mp4', Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)]), { maxBytes: 1500 }),
    ).rejects.toBeInstanceOf(FetchTooLargeError);
    expect(readdirSync(join(tmp, 'store/uploads/u'))).toEqual([]);
    expect(await driver.putStream('uploads/u/x.mp4', Readable.from([Buffer.from('ok')]), { maxBytes: 1500 })).toEqual({
      key: 'uploads/u/x.mp4',
      size: 2,
    });
  });

  it('download URLs are signed, verified in constant time, expire, and reject tampering', async () => {
    const key = outputKeyForJob('job-9');
    const { url, expiresAt } = await driver.getDownloadUrl(key, { ttlSeconds: 600, filename: 'my video.mp4' });
    expect(url.startsWith('https://render.example.com/api/files/renders/job-9/output.mp4?expires=')).toBe(true);
    expect(expiresAt.toISOString()).toBe('2030-01-01T00:10:00.000Z');

    const ok = verifySignedUrl(SECRET, url, clock);
    expect(ok).toMatchObject({ ok: true, key, filename: 'my video.mp4' });
    // The controller form: route param + parsed query.
    const u = new URL(url);
    expect(verifySignedRequest(SECRET, { method: 'GET', key, query: Object.fromEntries(u.searchParams) }, clock).ok).toBe(true);
    expect(verifySignedRequest(SECRET, { method: 'HEAD', key, query: u.searchParams }, clock).ok).toBe(true);

    // expiry
    expect(verifySignedUrl(SECRET, url, new Date('2030-01-01T00:10:00Z'))).toEqual({ ok: false, reason: 'expired' });
    // tampering: other key, longer expiry, other filename, other secret, PUT with a GET signature
    expect(verifySignedUrl(SECRET, url.replace('job-9', 'job-8'), clock)).toEqual({ ok: false, reason: 'bad-signature' });
    const later = new URL(url);
    later.searchParams.set('expires', String(Number(later.searchParams.get('expires')) + 3600));
    expect(verifySignedUrl(SECRET, later, clock)).toEqual({ ok: false, reason: 'bad-signature' });
    const renamed = new URL(url);
    renamed.searchParams.set('filename', 'evil.html');
    expect(verifySignedUrl(SECRET, renamed, clock)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignedUrl('another-secret-0123456789abcdef', url, clock)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignedRequest(SECRET, { method: 'PUT', key, query: u.searchParams }, clock)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const noSig = new URL(url);
    noSig.searchParams.delete('sig');
    expect(verifySignedUrl(SECRET, noSig, clock)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignedRequest(SECRET, { method: 'GET', key: '../etc/passwd', query: u.searchParams }, clock)).toEqual({
      ok: false,
      reason: 'invalid-key',
    });
    // minted fresh each call
    clock = new Date(clock.getTime() + 5000);
    expect((await driver.getDownloadUrl(key)).url).not.toBe(url);
  });

  it('upload targets are signed PUT URLs bound to content type and size', async () => {
    const t = await driver.createUploadTarget('uploads/u1/src.mp4', { contentType: 'video/mp4', size: 1234, ttlSeconds: 60 });
    expect(t.method).toBe('PUT');
    expect(t.headers).toEqual({ 'content-type': 'video/mp4' });
    expect(t.uploadUrl.startsWith('https://render.example.com/api/uploads/uploads/u1/src.mp4?')).toBe(true);
    expect(verifySignedUrl(SECRET, t.uploadUrl, clock)).toMatchObject({ ok: true, contentType: 'video/mp4', size: 1234 });
    const bigger = new URL(t.uploadUrl);
    bigger.searchParams.set('size', '99999999');
    expect(verifySignedUrl(SECRET, bigger, clock)).toEqual({ ok: false, reason: 'bad-signature' });
    // a PUT URL is not a download URL
    const asGet = t.uploadUrl.replace('/api/uploads/', '/api/files/');
    expect(verifySignedUrl(SECRET, asGet, clock)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses traversal, absolute and odd keys everywhere', async () => {
    const bad = ['../x', 'a/../../etc/passwd', '/etc/passwd', 'a//b', './a', '.env', 'a\\..\\b', 'a/b%2F..', 'a b', 'ä', '', 'x/'];
    for (const k of bad) {
      expect(() => validateStorageKey(k)).toThrow(StorageKeyError);
      await expect(driver.putFile(k, __filename_or_self())).rejects.toBeInstanceOf(StorageKeyError);
      await expect(driver.getDownloadUrl(k)).rejects.toBeInstanceOf(StorageKeyError);
      await expect(driver.exists(k)).rejects.toBeInstanceOf(StorageKeyError);
      await expect(driver.delete(k)).rejects.toBeInstanceOf(StorageKeyError);
    }
    expect(existsSync(join(tmp, 'x'))).toBe(false);
    expect(driver.resolveSourceUrl('storage://uploads/u1/src.mp4')).toBe('uploads/u1/src.mp4');
    expect(() => driver.resolveSourceUrl('storage://../../etc/passwd')).toThrow(StorageKeyError);
    expect(driver.resolveSourceUrl('https://example.com/v.mp4')).toBeNull();
  });

  it('requires a real secret', () => {
    expect(() => new LocalStorageDriver({ dir: tmp, publicBaseUrl: 'http://x', secret: 'short' })).toThrow(/secret/);
  });
});

function __filename_or_self(): string {
  return '/dev/null';
}
