// STORAGE_DRIVER=s3 against s3rver on loopback (standalone): the result is stored at
// renders/<jobId>/output.mp4 and the status answers a presigned GET that fetch downloads; the
// upload flow answers a presigned PUT.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/service/s3
import { jest } from '@jest/globals';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- s3rver ships no type declarations
import S3rver from 's3rver';
import { countFrames, makeTestVideo, probeStreams } from '../helpers/media.js';
import { demoScenario, startService, tmpLeftovers, type Service } from '../helpers/service-harness.js';
import { downloadTo, mintToken, pollStatus } from '../support/api-client.js';
import { startFileServer, type FileServer } from '../support/loopback.js';

jest.setTimeout(150_000);

const BUCKET = 'ecg-renders';

describe('S3 storage (s3rver)', () => {
  let dir: string;
  let files: FileServer;
  let s3server: any;
  let s3: S3Client;
  let svc: Service;
  let token: string;
  let endpoint: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-svc-s3-'));
    await makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 2, width: 480, height: 270, fps: 10, audio: true });
    files = await startFileServer(dir);
    s3server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3data') } as any);
    const addr = (await s3server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${addr.port}`;
    // The service's S3 client takes credentials from the default provider chain (environment).
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    svc = await startService({
      mode: 'standalone',
      env: {
        STORAGE_DRIVER: 's3',
        S3_BUCKET: BUCKET,
        S3_ENDPOINT: endpoint,
        S3_REGION: 'us-east-1',
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
    token = await mintToken('erin');
  });

  afterAll(async () => {
    await svc?.close();
    s3?.destroy();
    await s3server?.close();
    await files?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create → completed → presigned downloadUrl works; object at renders/<jobId>/output.mp4', async () => {
    const created = await svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl: files.url('clip.mp4'), scenario: demoScenario() },
    });
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    const { final } = await pollStatus(svc.baseUrl, token, jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
    expect(final.downloadUrl.startsWith(`${endpoint}/${BUCKET}/renders/${jobId}/output.mp4?`)).toBe(true);
    expect(final.downloadUrl).toMatch(/X-Amz-Signature=/);
    expect(final.downloadUrl).toMatch(/X-Amz-Expires=/);

    const out = join(dir, 'out.mp4');
    const r = await downloadTo(final.downloadUrl, out);
    expect(r.status).toBe(200);
    expect(await countFrames(out)).toBe(20);
    expect((await probeStreams(out)).map((s) => s.type).sort()).toEqual(['audio', 'video']);

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `renders/${jobId}/output.mp4` }));
    expect(head.ContentLength).toBe(readFileSync(out).length);
    const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'renders/' }));
    expect((list.Contents ?? []).map((o) => o.Key)).toEqual([`renders/${jobId}/output.mp4`]);
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);

    // Minted fresh per status request.
    const again = await svc.call('GET', `/api/render/${jobId}/status`, { token });
    expect(again.body.downloadUrl).toMatch(/X-Amz-Signature=/);
    expect((await fetch(again.body.downloadUrl)).status).toBe(200);
    const h = await svc.call('GET', '/api/render/history', { token });
    expect(h.body[0]).toMatchObject({ jobId, status: 'completed', fileSize: head.ContentLength });
  });

  it('upload flow: presigned PUT to S3, then create with the returned videoUrl', async () => {
    const bytes = readFileSync(join(dir, 'clip.mp4'));
    const up = await svc.call('POST', '/api/uploads', {
      token,
      body: { filename: 'clip.mp4', contentType: 'video/mp4', size: bytes.length },
    });
    expect(up.status).toBe(201);
    expect(up.body.uploadUrl.startsWith(`${endpoint}/${BUCKET}/uploads/`)).toBe(true);
    const put = await fetch(up.body.uploadUrl, { method: 'PUT', headers: up.body.headers ?? {}, body: bytes });
    expect(put.status).toBe(200);
    const created = await svc.call('POST', '/api/render/create', { token, body: { videoUrl: up.body.videoUrl, scenario: demoScenario() } });
    expect(created.status).toBe(201);
    const { final } = await pollStatus(svc.baseUrl, token, created.body.jobId, { timeoutMs: 120_000 });
    expect(final.status).toBe('completed');
    expect((await fetch(final.downloadUrl)).status).toBe(200);
  });
});
