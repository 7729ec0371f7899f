// Row 7 at download and delivery time, through the whole service (standalone, in-process). The
// guarded fetcher runs with the production address policy (ALLOW_PRIVATE_NETWORKS off) and two
// test-only seams: DNS is simulated (rebind.test → 127.0.0.1, videos.public.test → 127.0.0.1),
// and videos.public.test is exempt from the address policy — it plays the public server that
// answers with a redirect to an internal address. A loopback sentinel proves nothing connected.
// The literal-address / scheme table at create time: api-input.e2e-spec.ts; every case at the
// fetcher level (DNS rebinding, redirects, IPv4-mapped, octal, …): src/net/guarded-fetcher.spec.ts.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/ssrf-download
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUARDED_FETCHER_OPTIONS, type GuardedFetcherOptions } from '../../src/net/guarded-fetcher.js';
import {
  makeTinyVideo,
  startCountingServer,
  startFaultService,
  waitFor,
  type CountingServer,
  type FaultService,
} from '../helpers/fault-harness.js';
import { mintToken, pollStatus, sleep } from '../support/api-client.js';
import { simpleScenario, tmpLeftovers } from '../helpers/service-harness.js';

jest.setTimeout(150_000);

describe('row 7: SSRF at download and callback time', () => {
  let dir: string;
  let sentinel: CountingServer;
  let publicSrv: CountingServer;
  let svc: FaultService;
  let token: string;
  let video: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-ssrf-'));
    await makeTinyVideo(join(dir, 'tiny.mp4'), { seconds: 1, w: 64, h: 64, fps: 5 });
    video = readFileSync(join(dir, 'tiny.mp4'));
    sentinel = await startCountingServer((_q, r) => void r.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    // The "public" server: /ok serves the video; /to/<where> redirects there.
    publicSrv = await startCountingServer((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/ok'))
        return void res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(video.length) }).end(video);
      if (url.startsWith('/hook')) return void res.writeHead(200).end('ok');
      if (url.startsWith('/to/')) return void res.writeHead(302, { location: decodeURIComponent(url.slice(4)) }).end();
      if (url.startsWith('/hop/'))
        return void res.writeHead(301, { location: `http://videos.public.test:${publicSrv.port}/to/${url.slice(5)}` }).end();
      res.writeHead(404).end();
    });
    const fetcherOptions: GuardedFetcherOptions = {
      allowHttp: true,
      allowPrivateNetworks: false,
      allowHosts: [`videos.public.test:${publicSrv.port}`],
      resolver: (host: string) => {
        if (host === 'rebind.test' || host === 'videos.public.test') return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
        if (host === 'metadata.test') return Promise.resolve([{ address: '169.254.169.254', family: 4 }]);
        if (host === 'mapped.test') return Promise.resolve([{ address: '::ffff:127.0.0.1', family: 6 }]);
        return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
      },
    };
    svc = await startFaultService({
      mode: 'standalone',
      allowPrivateNetworks: false,
      env: { QUOTA_DAILY: '1000', QUOTA_CONCURRENT: '100' },
      overrides: [[GUARDED_FETCHER_OPTIONS, fetcherOptions]],
    });
    token = await mintToken('ssrf-user');
  });

  afterAll(async () => {
    await svc?.close();
    await sentinel?.close();
    await publicSrv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pub = (path: string) => `http://videos.public.test:${publicSrv?.port}${path}`;
  const create = (videoUrl: string, callbackUrl?: string) =>
    svc.call('POST', '/api/render/create', {
      token,
      body: { videoUrl, scenario: simpleScenario({ start: 0, end: 1 }), ...(callbackUrl ? { callbackUrl } : {}) },
    });

  it('control: the "public" server itself is reachable (the job completes)', async () => {
    const r = await create(pub('/ok.mp4'));
    expect(r.status).toBe(201);
    expect((await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 60_000 })).final.status).toBe('completed');
  });

  const internal = () => [
    `http://127.0.0.1:${sentinel.port}/x.mp4`,
    `http://localhost:${sentinel.port}/x.mp4`,
    `http://[::1]:${sentinel.port}/x.mp4`,
    `http://[::ffff:127.0.0.1]:${sentinel.port}/x.mp4`,
    `http://2130706433:${sentinel.port}/x.mp4`,
    `http://0177.0.0.1:${sentinel.port}/x.mp4`,
    `http://0.0.0.0:${sentinel.port}/x.mp4`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://rebind.test:${sentinel.port}/x.mp4`,
    `http://mapped.test:${sentinel.port}/x.mp4`,
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'ftp://127.0.0.1/x.mp4',
    'data:video/mp4;base64,AAAA',
  ];

  it('a public-looking videoUrl redirecting to each internal target (directly, and after a first hop) → refused before connecting', async () => {
    const ids: Array<[string, string]> = [];
    for (const target of internal()) {
      for (const path of [`/to/${encodeURIComponent(target)}`, `/hop/${encodeURIComponent(target)}`]) {
        const r = await create(pub(path));
        expect([target, r.status]).toEqual([target, 201]); // nothing wrong is visible at create time
        ids.push([`${path}`, r.body.jobId]);
      }
    }
    for (const [path, id] of ids) {
      const { final } = await pollStatus(svc.baseUrl, token, id, { timeoutMs: 60_000, intervalMs: 300 });
      expect([path, final.status]).toEqual([path, 'failed']);
      expect(final.error).toMatch(/refus|not allowed|private|loopback|link-local|metadata|scheme|address|redirect/i);
    }
    expect(sentinel.connections()).toBe(0);
    expect(await tmpLeftovers(svc.res.renderTmpDir)).toEqual([]);
  });

  it('a hostname that resolves to loopback / metadata (DNS rebinding) → accepted at create, refused at connect time', async () => {
    for (const url of [
      `http://rebind.test:${sentinel.port}/x.mp4`,
      `http://mapped.test:${sentinel.port}/x.mp4`,
      'http://metadata.test/latest/meta-data/',
    ]) {
      const r = await create(url);
      expect([url, r.status]).toEqual([url, 201]);
      const { final } = await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 60_000 });
      expect([url, final.status]).toEqual([url, 'failed']);
      expect(final.error).toMatch(/refus|not allowed|private|loopback|link-local|metadata|address/i);
      // Refused for good, not retried as a network error.
      const rows = await svc.res.db.dataSource.query(`SELECT attempts FROM "${svc.res.db.schema}".render_jobs WHERE id = $1`, [
        r.body.jobId,
      ]);
      expect(rows[0].attempts).toBe(1);
    }
    expect(sentinel.connections()).toBe(0);
  });

  it('callbackUrl: a hostname resolving to loopback, and a receiver redirecting inward → nothing reaches the internal target', async () => {
    const hookCalls = () => publicSrv.requests.filter((r) => r.includes('/to/')).length;
    const before = hookCalls();
    const a = await create(pub('/ok.mp4'), `http://rebind.test:${sentinel.port}/hook`);
    const b = await create(pub('/ok.mp4'), pub(`/to/${encodeURIComponent(`http://127.0.0.1:${sentinel.port}/hook`)}`));
    expect([a.status, b.status]).toEqual([201, 201]);
    for (const r of [a, b])
      expect((await pollStatus(svc.baseUrl, token, r.body.jobId, { timeoutMs: 60_000 })).final.status).toBe('completed');
    // The redirecting receiver was called (and its 302 not followed); the sentinel never was.
    await waitFor('the redirecting receiver to be called', () => hookCalls() > before, 15_000);
    await sleep(2_000);
    expect(sentinel.connections()).toBe(0);
  });
});
