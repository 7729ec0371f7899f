// Issue 12 #11: with STORAGE_DRIVER=s3, the results bucket is never a source (even when listed in
// S3_SOURCE_BUCKETS), a render key is never a source, and another user's upload prefix is refused
// in any bucket. Create-time refusals (400 naming videoUrl); the worker's resolver refuses the same.
//   bash scripts/test.sh test/service/security-s3-sources.e2e-spec.ts
import { jest } from '@jest/globals';
import { uploadPrefixFor } from '../../src/storage/keys.js';
import { S3SourceResolver } from '../../src/storage/s3-source-resolver.js';
import { demoScenario, startService, type Service } from '../helpers/service-harness.js';
import { mintToken } from '../support/api-client.js';

jest.setTimeout(60_000);

const RESULTS = 'ecg-results';
const SOURCES = 'editor-exports';

describe('s3:// sources', () => {
  let svc: Service;
  beforeAll(async () => {
    // api only: nothing is downloaded, so no S3 server is needed for create-time checks.
    svc = await startService({
      mode: 'api',
      env: {
        STORAGE_DRIVER: 's3',
        S3_BUCKET: RESULTS,
        S3_SOURCE_BUCKETS: `${RESULTS},${SOURCES}`,
        S3_ENDPOINT: 'http://127.0.0.1:9',
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
  });

  const create = async (user: string, videoUrl: string) =>
    svc.call('POST', '/api/render/create', { token: await mintToken(user), body: { videoUrl, scenario: demoScenario() } });

  it("refuses the results bucket: other users' renders and uploads, and even the caller's own", async () => {
    const victim = uploadPrefixFor('victim');
    for (const url of [
      `s3://${RESULTS}/renders/6f1c1f7e-0000-4000-8000-000000000000/output.mp4`,
      `s3://${RESULTS}/${victim}0b5c/clip.mp4`,
      `s3://${RESULTS}/${uploadPrefixFor('attacker')}0b5c/clip.mp4`,
      `s3://${RESULTS}/anything.mp4`,
    ]) {
      const r = await create('attacker', url);
      expect([url, r.status]).toEqual([url, 400]);
      expect(r.body.detail.details).toEqual([{ field: 'videoUrl', reason: expect.any(String) }]);
    }
  });

  it("in another source bucket: render keys and other users' upload prefixes are refused, the rest accepted", async () => {
    for (const url of [
      `s3://${SOURCES}/renders/x/output.mp4`,
      `s3://${SOURCES}/${uploadPrefixFor('victim')}a/clip.mp4`,
      `s3://${SOURCES}//renders/x/output.mp4`,
    ]) {
      const r = await create('attacker', url);
      expect([url, r.status]).toEqual([url, 400]);
    }
    expect((await create('attacker', `s3://${SOURCES}/${uploadPrefixFor('attacker')}a/clip.mp4`)).status).toBe(201);
    expect((await create('attacker', `s3://${SOURCES}/exports/2026/clip.mp4`)).status).toBe(201);
  });

  it('the resolver the worker downloads with refuses the results bucket too', () => {
    const resolver = new S3SourceResolver({ allowedBuckets: [RESULTS, SOURCES], resultsBucket: RESULTS, region: 'us-east-1' });
    expect(() => resolver.parse(`s3://${RESULTS}/renders/x/output.mp4`)).toThrow(/results/);
    expect(resolver.parse(`s3://${SOURCES}/exports/clip.mp4`)).toEqual({ bucket: SOURCES, key: 'exports/clip.mp4' });
    resolver.onApplicationShutdown();
  });
});
