import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- s3rver ships no type declarations
import S3rver from 's3rver';
import { FetchRefusedError, FetchTooLargeError } from '../net/errors.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { S3SourceResolver } from './s3-source-resolver.js';
import { createS3Client, S3StorageDriver } from './s3-storage.driver.js';
import { outputKeyForJob } from './keys.js';
import { StorageKeyError, StorageNotFoundError } from './storage-driver.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 * 1024;

describe('S3StorageDriver against s3rver (127.0.0.1)', () => {
  let tmp: string;
  let server: any;
  let port: number;
  let driver: S3StorageDriver;
  let fetcher: GuardedFetcher;
  const bigFile = () => join(tmp, 'big.bin');
  let big: Buffer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 's3-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(tmp, 's3data') } as any);
    const addr = (await server.run()) as { port: number };
    port = addr.port;
    const conn = {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const admin = createS3Client(conn);
    await admin.send(new CreateBucketCommand({ Bucket: 'renders' }));
    await admin.send(new CreateBucketCommand({ Bucket: 'sources' }));
    admin.destroy();
    driver = new S3StorageDriver({ ...conn, bucket: 'renders', partSize: 5 * MiB, queueSize: 2 });
    big = randomBytes(12 * MiB + 12345);
    writeFileSync(bigFile(), big);
    fetcher = new GuardedFetcher({ allowHttp: true, allowHosts: [`127.0.0.1:${port}`] }); // test-only allowance
  });

  afterAll(async () => {
    await fetcher.close();
    driver.onApplicationShutdown();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('multipart-uploads a >10 MB file; presigned GET returns the same bytes', async () => {
    const key = outputKeyForJob('job-1');
    expect(key).toBe('renders/job-1/output.mp4');
    const r = await driver.putFile(key, bigFile(), { contentType: 'video/mp4' });
    expect(r).toEqual({ key, size: big.length });
    expect(await driver.exists(key)).toBe(true);

    const { url, expiresAt } = await driver.getDownloadUrl(key, { ttlSeconds: 600, filename: '자막 video.mp4' });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now() + 590_000);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).toContain('response-content-disposition=');
    const res = await fetcher.fetch(url, { maxBytes: 20 * MiB });
    expect(res.status).toBe(200);
    expect(sha(await res.buffer())).toBe(sha(big));

    // URLs are minted fresh per call
    await new Promise((r) => setTimeout(r, 1100));
    expect((await driver.getDownloadUrl(key)).url).not.toBe(url);
  });

  it('putFile is idempotent (same key overwrites)', async () => {
    const small = join(tmp, 'small.bin');
    writeFileSync(small, 'first');
    await driver.putFile('renders/job-2/output.mp4', small);
    writeFileSync(small, 'second!');
    expect(await driver.putFile('renders/job-2/output.mp4', small)).toEqual({ key: 'renders/job-2/output.mp4', size: 7 });
    const chunks: Buffer[] = [];
    for await (const c of await driver.openRead('renders/job-2/output.mp4')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('second!');
    await driver.delete('renders/job-2/output.mp4');
    expect(await driver.exists('renders/job-2/output.mp4')).toBe(false);
    await expect(driver.openRead('renders/job-2/output.mp4')).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('presigned PUT upload works', async () => {
    const key = 'uploads/user-1/source.mp4';
    const target = await driver.createUploadTarget(key, { contentType: 'video/mp4', ttlSeconds: 300 });
    expect(target.method).toBe('PUT');
    const payload = randomBytes(64 * 1024);
    const res = await fetcher.fetch(target.uploadUrl, { method: 'PUT', headers: { ...target.headers }, body: payload });
    expect(res.status).toBe(200);
    await res.dump();
    const dest = join(tmp, 'fromput.bin');
    const d = await driver.downloadToFile(key, dest);
    expect(d.bytes).toBe(payload.length);
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(driver.resolveSourceUrl('storage://uploads/user-1/source.mp4')).toBe(key);
    expect(driver.resolveSourceUrl('s3://renders/uploads/user-1/source.mp4')).toBe(key);
    expect(driver.resolveSourceUrl('https://example.com/a.mp4')).toBeNull();
  });

  it('presigned PUT is single-use: it signs If-None-Match: * (S3 answers 412 once the object exists)', async () => {
    const target = await driver.createUploadTarget('uploads/user-1/once.mp4', { contentType: 'video/mp4', ttlSeconds: 300 });
    expect(target.headers).toEqual({ 'content-type': 'video/mp4', 'if-none-match': '*' });
    // Signed, so the uploader must send it; s3rver ignores conditional writes, AWS S3 enforces them.
    expect(new URL(target.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toMatch(/if-none-match/);
  });

  it('refuses traversal and odd keys', async () => {
    for (const bad of ['../etc/passwd', 'a/../../b', '/abs/key', 'a//b', '.hidden', 'a\\b', 'a/b c', '']) {
      await expect(driver.putFile(bad, bigFile())).rejects.toBeInstanceOf(StorageKeyError);
      await expect(driver.getDownloadUrl(bad)).rejects.toBeInstanceOf(StorageKeyError);
    }
    expect(() => outputKeyForJob('../x')).toThrow(StorageKeyError);
  });

  it('S3SourceResolver downloads s3:// only from allowed buckets', async () => {
    const src = new S3SourceResolver({
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      allowedBuckets: ['renders'],
    });
    const dest = join(tmp, 'src.bin');
    // A render key is never a source (issue 12 #11): read an object stored elsewhere in the bucket.
    await expect(src.download(`s3://renders/${outputKeyForJob('job-1')}`, dest)).rejects.toBeInstanceOf(FetchRefusedError);
    await driver.putFile('exports/clip.mp4', bigFile());
    const r = await src.download('s3://renders/exports/clip.mp4', dest);
    expect(r.bytes).toBe(big.length);
    expect(sha(readFileSync(dest))).toBe(sha(big));
    await expect(src.download('s3://sources/x.mp4', join(tmp, 'n.bin'))).rejects.toBeInstanceOf(FetchRefusedError);
    await expect(src.download('s3://renders', join(tmp, 'n.bin'))).rejects.toBeInstanceOf(FetchRefusedError);
    await expect(src.download('s3://renders/exports/clip.mp4', join(tmp, 'n.bin'), { maxBytes: MiB })).rejects.toBeInstanceOf(
      FetchTooLargeError,
    );
    expect(src.canResolve('s3://renders/a')).toBe(true);
    expect(src.canResolve('https://x/a')).toBe(false);
    src.onApplicationShutdown();
  });
});

describe('S3StorageDriver failure paths (aws-sdk-client-mock)', () => {
  let tmp: string;
  let file: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 's3m-'));
    file = join(tmp, 'f.bin');
    writeFileSync(file, randomBytes(11 * MiB));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const setup = () => {
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    mock.on(AbortMultipartUploadCommand).resolves({});
    mock.on(CompleteMultipartUploadCommand).resolves({});
    const driver = new S3StorageDriver({ bucket: 'b', client, partSize: 5 * MiB, queueSize: 1 });
    return { client, mock, driver };
  };

  it('an UploadPart failure aborts the multipart upload and propagates', async () => {
    const { mock, driver } = setup();
    mock.on(UploadPartCommand).rejects(new Error('part 2 exploded'));
    await expect(driver.putFile('renders/j/output.mp4', file)).rejects.toThrow('part 2 exploded');
    const aborts = mock.commandCalls(AbortMultipartUploadCommand);
    expect(aborts).toHaveLength(1);
    expect(aborts[0].args[0].input).toMatchObject({ Bucket: 'b', Key: 'renders/j/output.mp4', UploadId: 'upload-1' });
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('the caller AbortSignal aborts the upload (AbortMultipartUpload sent)', async () => {
    const { mock, driver } = setup();
    const ac = new AbortController();
    mock.on(UploadPartCommand).callsFake(async () => {
      setTimeout(() => ac.abort(), 20); // abort while the first part is in flight
      await new Promise((r) => setTimeout(r, 300));
      return { ETag: '"etag"' };
    });
    const t0 = Date.now();
    const err = await driver.putFile('renders/j/output.mp4', file, { signal: ac.signal }).catch((e) => e);
    expect(err?.name).toBe('AbortError');
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 400)); // let the in-flight part settle
    const aborts = mock.commandCalls(AbortMultipartUploadCommand);
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts[0].args[0].input).toMatchObject({ UploadId: 'upload-1' });
    expect(mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('an already-aborted signal uploads nothing', async () => {
    const { mock, driver } = setup();
    const ac = new AbortController();
    ac.abort();
    await expect(driver.putFile('renders/j/output.mp4', file, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(mock.calls()).toHaveLength(0);
  });
});
