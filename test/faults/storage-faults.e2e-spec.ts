// Rows 5 and 8: the result cannot be stored.
//   row 5 — S3 failing during upload, injected with aws-sdk-client-mock: the multipart upload is
//           aborted; the job is retried, then failed — never "completed" with a bad object.
//   row 8 — the render disk fills up (RENDER_TMP_DIR on a small tmpfs): the job fails cleanly
//           (RENDER_DISK_FULL), temp files removed, never completed.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/storage-faults
import { jest } from '@jest/globals';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3StorageDriver } from '../../src/storage/s3-storage.driver.js';
import { ffmpeg, makeTinyVideo, walkFiles } from '../helpers/fault-harness.js';
import { mintToken, pollStatus } from '../support/api-client.js';
import { simpleScenario, startService, tmpEntries, type Service } from '../helpers/service-harness.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(240_000);

/** 6 s of 640×360 noise, nearly lossless: the render's output is several MB (multipart). */
async function makeNoiseVideo(path: string): Promise<void> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'nullsrc=s=640x360:r=10:d=6,geq=random(1)*255:128:128',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '10',
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
}

describe('row 5: S3 failing during upload (aws-sdk-client-mock)', () => {
  const s3 = mockClient(S3Client);
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-s3-'));
  });
  afterAll(() => {
    s3.restore();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => s3.reset());

  it('the driver: a part fails → AbortMultipartUpload for that upload id; never completed', async () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, randomBytes(12 * 1024 * 1024));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    let parts = 0;
    s3.on(UploadPartCommand).callsFake(() =>
      ++parts >= 2
        ? Promise.reject(
            Object.assign(new Error('We encountered an internal error. Please try again.'), {
              name: 'InternalError',
              $metadata: { httpStatusCode: 500 },
            }),
          )
        : Promise.resolve({ ETag: '"etag-1"' }),
    );
    s3.on(AbortMultipartUploadCommand).resolves({});
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const driver = new S3StorageDriver({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      partSize: 5 * 1024 * 1024,
    });
    await expect(driver.putFile('renders/x/output.mp4', file)).rejects.toThrow();
    const aborts = s3.commandCalls(AbortMultipartUploadCommand);
    expect(aborts.length).toBeGreaterThanOrEqual(1);
    expect(aborts[0].args[0].input).toMatchObject({ Bucket: 'b', Key: 'renders/x/output.mp4', UploadId: 'upload-1' });
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('the driver: the caller aborts mid-upload → AbortMultipartUpload; never completed', async () => {
    const file = join(dir, 'big2.bin');
    writeFileSync(file, randomBytes(12 * 1024 * 1024));
    const ac = new AbortController();
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(UploadPartCommand).callsFake(async () => {
      ac.abort();
      await new Promise((r) => setTimeout(r, 200));
      return { ETag: '"e"' };
    });
    s3.on(AbortMultipartUploadCommand).resolves({});
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const driver = new S3StorageDriver({ bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true });
    await expect(driver.putFile('renders/y/output.mp4', file, { signal: ac.signal })).rejects.toThrow();
    expect(s3.commandCalls(AbortMultipartUploadCommand).some((c) => c.args[0].input.UploadId === 'upload-2')).toBe(true);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  describe('through the service', () => {
    let files: FileServer;
    let svc: Service;
    let token: string;

    beforeAll(async () => {
      await makeNoiseVideo(join(dir, 'noise.mp4'));
      files = await startFileServer(dir);
      process.env.AWS_ACCESS_KEY_ID = 'TEST';
      process.env.AWS_SECRET_ACCESS_KEY = 'TEST';
      svc = await startService({
        mode: 'standalone',
        env: {
          STORAGE_DRIVER: 's3',
          S3_BUCKET: 'renders',
          S3_ENDPOINT: 'http://127.0.0.1:9',
          S3_FORCE_PATH_STYLE: 'true',
          AWS_ACCESS_KEY_ID: 'TEST',
          AWS_SECRET_ACCESS_KEY: 'TEST',
        },
      });
      token = await mintToken('s3-faults');
    });
    afterAll(async () => {
      await svc?.close();
      await files?.close();
    });

    it('every upload fails → the multipart upload is aborted each time; retried, then failed; never completed', async () => {
      let uploadNo = 0;
      s3.on(CreateMultipartUploadCommand).callsFake(() => Promise.resolve({ UploadId: `job-upload-${++uploadNo}` }));
      s3.on(UploadPartCommand).rejects(
        Object.assign(new Error('SlowDown: please reduce your request rate'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
      );
      s3.on(PutObjectCommand).rejects(
        Object.assign(new Error('InternalError'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }),
      );
      s3.on(AbortMultipartUploadCommand).resolves({});
      s3.on(CompleteMultipartUploadCommand).resolves({});
      const r = await svc.call('POST', '/api/render/create', {
        token,
        body: {
          videoUrl: files.url('noise.mp4'),
          scenario: simpleScenario({ start: 0, end: 6 }),
          options: { width: 640, height: 360, quality: 100 },
        },
      });
      expect(r.status).toBe(201);
      const { final, seen } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 200_000, intervalMs: 500 });
      expect(final.status).toBe('failed');
      expect(final.errorCode).toBe('RENDER_STORAGE_FAILED');
      expect(final.downloadUrl).toBeUndefined();
      expect(seen.some((s) => s.status === 'completed')).toBe(false);
      const rows = await svc.res.db.dataSource.query(`SELECT attempts, output_key FROM "${svc.res.db.schema}".render_jobs WHERE id = $1`, [
        r.body.jobId,
      ]);
      expect(rows[0].attempts).toBe(3);
      expect(rows[0].output_key).toBeNull();
      const created = s3.commandCalls(CreateMultipartUploadCommand).map((c) => c.args[0].input.Key);
      expect(created.length).toBe(3); // one multipart upload per attempt…
      expect(new Set(created)).toEqual(new Set([`renders/${r.body.jobId}/output.mp4`]));
      const aborted = new Set(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId));
      expect(aborted).toEqual(new Set(['job-upload-1', 'job-upload-2', 'job-upload-3'])); // …each aborted
      expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
      expect(tmpEntries(svc.res.renderTmpDir)).toEqual([]);
    });
  });
});

describe('a local write killed mid-way (soak finding)', () => {
  it('leaves a .part file that the next write of the same key removes: no partial object survives', async () => {
    const { LocalStorageDriver } = await import('../../src/storage/local-storage.driver.js');
    const root = mkdtempSync(join(tmpdir(), 'ecg-faults-local-'));
    try {
      const driver = new LocalStorageDriver({ dir: root, secret: 'x'.repeat(32), publicBaseUrl: 'http://127.0.0.1:1' });
      mkdirSync(join(root, 'renders/job1'), { recursive: true });
      // What a SIGKILLed worker leaves behind: its temp file, never renamed, never removed.
      writeFileSync(join(root, 'renders/job1/.output.mp4.0b7f3c7e-1111-4222-8333-944455556666.part'), 'half');
      const src = join(root, 'src.bin');
      writeFileSync(src, randomBytes(1000));
      await driver.putFile('renders/job1/output.mp4', src);
      expect(walkFiles(join(root, 'renders'))).toEqual(['job1/output.mp4']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('row 8: disk full during a render', () => {
  let dir: string;
  let tmpfs: string;
  let mounted = false;
  let files: FileServer;
  let svc: Service;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-disk-'));
    await makeNoiseVideo(join(dir, 'noise.mp4'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    files = await startFileServer(dir);
    tmpfs = join(dir, 'small-disk');
    mkdirSync(tmpfs);
    // Room for the source (downloaded first), not for the output.
    const size = statSync(join(dir, 'noise.mp4')).size + 256 * 1024;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', tmpfs]);
    mounted = true;
    svc = await startService({ mode: 'standalone', env: { RENDER_TMP_DIR: tmpfs, QUOTA_DAILY: '100' } });
    token = await mintToken('disk-full');
  });

  afterAll(async () => {
    await svc?.close();
    await files?.close();
    if (mounted) execFileSync('umount', ['-l', tmpfs]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the render disk fills up → failed (RENDER_DISK_FULL) after its retries, temp files removed, never completed; a small job still completes', async () => {
    const r = await svc.call('POST', '/api/render/create', {
      token,
      body: {
        videoUrl: files.url('noise.mp4'),
        scenario: simpleScenario({ start: 0, end: 6 }),
        options: { width: 640, height: 360, quality: 100 },
      },
    });
    expect(r.status).toBe(201);
    const { final, seen } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 200_000, intervalMs: 500 });
    expect(final.status).toBe('failed');
    expect(final.errorCode).toBe('RENDER_DISK_FULL');
    expect(final.error).toMatch(/space/i);
    expect(seen.some((s) => s.status === 'completed')).toBe(false);
    expect(tmpEntries(tmpfs)).toEqual([]);
    expect(walkFiles(svc.res.storageDir)).toEqual([]);
    // The disk is usable again: a tiny job fits and completes.
    const ok = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('tiny.mp4'), scenario: simpleScenario({ start: 0, end: 1 }) },
    });
    expect((await pollStatus(svc.baseUrl, token, ok.body.jobId, { timeoutMs: 60_000 })).final.status).toBe('completed');
    expect(tmpEntries(tmpfs)).toEqual([]);
  });
});
