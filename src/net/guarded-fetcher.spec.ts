import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FetchAbortedError,
  FetchHttpError,
  FetchRefusedError,
  FetchTimeoutError,
  FetchTooLargeError,
  FetchTooManyRedirectsError,
} from './errors.js';
import { GuardedFetcher, type HostResolver } from './guarded-fetcher.js';
import { checkAddress } from './ip-policy.js';
import { startSentinel, startServer, type TestServer } from '../../test/support/loopback.js';

const fakeDns: HostResolver = async (host) => {
  const table: Record<string, string[]> = {
    'evil.test': ['127.0.0.1'],
    'evil6.test': ['::1'],
    'mixed.test': ['93.184.216.34', '10.0.0.5'],
    'metadata.test': ['169.254.169.254'],
    'public.test': ['127.0.0.1'], // exempted by allowHosts in the redirect tests
  };
  const hit = table[host];
  if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return hit.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('ip policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['169.254.169.254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.100.100.200', 'metadata'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b:1::1', 'NAT64'],
    ['2002:7f00:1::', 'loopback'],
    ['2001::1', 'teredo'],
    ['::7f00:1', 'ipv4Compatible'],
  ])('refuses %s (%s)', (addr, why) => {
    const v = checkAddress(addr);
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows public %s', (addr) => {
    expect(checkAddress(addr)).toEqual({ allowed: true });
  });

  it('WHATWG URL parsing normalises numeric hosts before the check', () => {
    expect(new URL('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0177.0.0.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://0x7f.1/').hostname).toBe('127.0.0.1');
    expect(new URL('http://017700000001/').hostname).toBe('127.0.0.1');
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });
});

describe('GuardedFetcher SSRF refusals (no allowance)', () => {
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  let fetcher: GuardedFetcher;
  beforeAll(async () => {
    sentinel = await startSentinel();
    fetcher = new GuardedFetcher({ allowHttp: true, resolver: fakeDns, timeoutMs: 5000, connectTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await fetcher.close();
    await sentinel.close();
  });

  const cases = (p: number): Array<[string, RegExp]> => [
    [`http://127.0.0.1:${p}/`, /127\.0\.0\.1 is loopback/],
    [`https://127.0.0.1:${p}/`, /loopback/],
    [`http://localhost:${p}/`, /localhost is loopback/],
    [`http://LOCALHOST.:${p}/`, /loopback/],
    [`http://app.localhost:${p}/`, /loopback/],
    [`http://0.0.0.0:${p}/`, /unspecified/],
    [`http://0:${p}/`, /unspecified/],
    [`http://[::1]:${p}/`, /::1 is loopback/],
    [`http://[::]:${p}/`, /unspecified/],
    [`http://[::ffff:127.0.0.1]:${p}/`, /loopback/],
    [`http://169.254.169.254/latest/meta-data/`, /metadata/],
    [`http://[fd00:ec2::254]/`, /metadata/],
    [`http://2130706433:${p}/`, /loopback/],
    [`http://0177.0.0.1:${p}/`, /loopback/],
    [`http://0x7f.1:${p}/`, /loopback/],
    [`http://127.1:${p}/`, /loopback/],
    [`http://evil.test:${p}/`, /127\.0\.0\.1 is loopback \(resolved from evil\.test\)/],
    [`http://evil6.test:${p}/`, /::1 is loopback/],
    [`http://mixed.test:${p}/`, /10\.0\.0\.5 is private/],
    [`http://metadata.test/`, /metadata/],
    ['file:///etc/passwd', /scheme file: is not allowed/],
    [`gopher://127.0.0.1:${p}/_GET`, /scheme gopher:/],
    [`ftp://127.0.0.1:${p}/`, /scheme ftp:/],
    ['data:text/plain,hello', /scheme data:/],
    ['javascript:alert(1)', /scheme javascript:/],
    [`ws://127.0.0.1:${p}/`, /scheme ws:/],
    ['not a url', /invalid URL/],
  ];

  it('refuses every internal or non-http target before connecting', async () => {
    for (const [url, reason] of cases(sentinel.port)) {
      const err = await fetcher.fetch(url).then(
        () => null,
        (e) => e,
      );
      expect({ url, err: err?.constructor?.name }).toEqual({ url, err: 'FetchRefusedError' });
      expect({ url, reason: (err as FetchRefusedError).reason }).toEqual({ url, reason: expect.stringMatching(reason) });
      expect((err as FetchRefusedError).retryable).toBe(false);
    }
    // download() goes through the same checks
    await expect(fetcher.download(`http://evil.test:${sentinel.port}/x`, join(tmpdir(), 'never'))).rejects.toBeInstanceOf(
      FetchRefusedError,
    );
    expect(sentinel.connections()).toBe(0);
  });

  it('refuses http: unless allowHttp', async () => {
    const httpsOnly = new GuardedFetcher({ resolver: fakeDns });
    await expect(httpsOnly.fetch('http://example.com/')).rejects.toThrow(/scheme http: is not allowed/);
    await httpsOnly.close();
  });
});

describe('GuardedFetcher with the test-only loopback allowance', () => {
  let origin: TestServer;
  let redirector: TestServer;
  let sentinel: Awaited<ReturnType<typeof startSentinel>>;
  let tmp: string;
  const big = Buffer.alloc(300 * 1024, 7);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'gf-'));
    sentinel = await startSentinel();
    origin = await startServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      switch (u.pathname) {
        case '/hello':
          res.setHeader('content-type', 'text/plain');
          res.end(`hello ${req.method} ${req.headers['authorization'] ?? '-'}`);
          return;
        case '/big':
          res.setHeader('content-length', String(big.length));
          res.end(big);
          return;
        case '/chunked-big': {
          // no content-length: the limit must trip mid-stream
          let sent = 0;
          const push = () => {
            if (sent >= big.length) return res.end();
            res.write(big.subarray(sent, sent + 16 * 1024));
            sent += 16 * 1024;
            setImmediate(push);
          };
          push();
          return;
        }
        case '/hang':
          return; // never answers
        case '/slow-body':
          res.writeHead(200);
          res.write('partial');
          return; // never ends
        case '/500':
          res.statusCode = 500;
          res.end('boom');
          return;
        default:
          res.statusCode = 404;
          res.end();
      }
    });
    redirector = await startServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      const to = u.searchParams.get('to');
      if (u.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      res.writeHead(Number(u.searchParams.get('status') ?? 302), { location: to ?? '/' });
      res.end();
    });
  });
  afterAll(async () => {
    await origin.close();
    await redirector.close();
    await sentinel.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const make = (extra: ConstructorParameters<typeof GuardedFetcher>[0] = {}) =>
    new GuardedFetcher({
      allowHttp: true,
      resolver: fakeDns,
      allowHosts: [`127.0.0.1:${origin.port}`, `public.test:${redirector.port}`],
      timeoutMs: 5000,
      ...extra,
    });

  it('fetches from an allowed loopback port, other ports still refused', async () => {
    const f = make();
    const res = await f.fetch(`http://127.0.0.1:${origin.port}/hello`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello GET -');
    await expect(f.fetch(`http://127.0.0.1:${sentinel.port}/`)).rejects.toBeInstanceOf(FetchRefusedError);
    expect(sentinel.connections()).toBe(0);
    await f.close();
  });

  it('a public-looking allowed URL redirecting to metadata is refused before connecting', async () => {
    const f = make();
    const target = encodeURIComponent('http://169.254.169.254/latest/meta-data/iam');
    const started = Date.now();
    const err = await f.fetch(`http://public.test:${redirector.port}/r?to=${target}`).catch((e) => e);
    expect(err).toBeInstanceOf(FetchRefusedError);
    expect(err.reason).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
    expect(Date.now() - started).toBeLessThan(1000); // no connect attempt/timeout to 169.254.x
    await f.close();
  });

  it('redirects to internal hosts (literal, numeric, DNS-resolved) are refused, sentinel untouched', async () => {
    const f = make();
    for (const to of [
      `http://127.0.0.1:${sentinel.port}/`,
      `http://2130706433:${sentinel.port}/`,
      `http://[::1]:${sentinel.port}/`,
      `http://evil.test:${sentinel.port}/`,
      `file:///etc/passwd`,
      `gopher://127.0.0.1:${sentinel.port}/`,
    ]) {
      for (const status of [301, 302, 303, 307, 308]) {
        const err = await f.fetch(`http://public.test:${redirector.port}/r?status=${status}&to=${encodeURIComponent(to)}`).catch((e) => e);
        expect({ to, status, err: err?.constructor?.name }).toEqual({ to, status, err: 'FetchRefusedError' });
      }
    }
    expect(sentinel.connections()).toBe(0);
    await f.close();
  });

  it('follows allowed redirects, drops Authorization across origins, caps hops', async () => {
    const f = make();
    const res = await f.fetch(`http://public.test:${redirector.port}/r?to=${encodeURIComponent(`http://127.0.0.1:${origin.port}/hello`)}`, {
      headers: { authorization: 'Bearer secret' },
    });
    expect(res.status).toBe(200);
    expect(res.redirects).toEqual([`http://127.0.0.1:${origin.port}/hello`]);
    expect(await res.text()).toBe('hello GET -');
    await expect(f.fetch(`http://public.test:${redirector.port}/loop`)).rejects.toBeInstanceOf(FetchTooManyRedirectsError);
    const noFollow = await f.fetch(`http://public.test:${redirector.port}/r?to=/elsewhere`, { followRedirects: false });
    expect(noFollow.status).toBe(302);
    expect(noFollow.headers.location).toBe('/elsewhere');
    await noFollow.dump();
    await f.close();
  });

  it('enforces maxBytes from Content-Length and mid-stream', async () => {
    const f = make();
    const e1 = await f.fetch(`http://127.0.0.1:${origin.port}/big`, { maxBytes: 100 * 1024 }).catch((e) => e);
    expect(e1).toBeInstanceOf(FetchTooLargeError);
    expect(e1.announcedBytes).toBe(big.length);
    const res = await f.fetch(`http://127.0.0.1:${origin.port}/chunked-big`, { maxBytes: 100 * 1024 });
    await expect(res.buffer()).rejects.toBeInstanceOf(FetchTooLargeError);
    const ok = await f.fetch(`http://127.0.0.1:${origin.port}/chunked-big`, { maxBytes: big.length });
    expect((await ok.buffer()).equals(big)).toBe(true);
    await f.close();
  });

  it('times out: headers, idle body, total', async () => {
    const f = make({ headersTimeoutMs: 300, idleTimeoutMs: 300, timeoutMs: 5000 });
    const e1 = await f.fetch(`http://127.0.0.1:${origin.port}/hang`).catch((e) => e);
    expect(e1).toBeInstanceOf(FetchTimeoutError);
    expect(e1.kind).toBe('headers');
    expect(e1.retryable).toBe(true);
    const res = await f.fetch(`http://127.0.0.1:${origin.port}/slow-body`);
    const e2 = await res.buffer().catch((e) => e);
    expect(e2).toBeInstanceOf(FetchTimeoutError);
    expect(e2.kind).toBe('idle');
    await f.close();
    const g = make({ headersTimeoutMs: 10_000 });
    const e3 = await g.fetch(`http://127.0.0.1:${origin.port}/hang`, { timeoutMs: 300 }).catch((e) => e);
    expect(e3).toBeInstanceOf(FetchTimeoutError);
    expect(e3.kind).toBe('total');
    await g.close();
  });

  it('honours the caller AbortSignal', async () => {
    const f = make();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(f.fetch(`http://127.0.0.1:${origin.port}/hang`, { signal: ac.signal })).rejects.toBeInstanceOf(FetchAbortedError);
    await f.close();
  });

  it('download() writes atomically and removes the partial file on failure', async () => {
    const f = make({ idleTimeoutMs: 300 });
    const dest = join(tmp, 'ok.bin');
    const r = await f.download(`http://127.0.0.1:${origin.port}/chunked-big`, dest, { maxBytes: big.length });
    expect(r.bytes).toBe(big.length);
    expect(readFileSync(dest).equals(big)).toBe(true);

    await expect(
      f.download(`http://127.0.0.1:${origin.port}/chunked-big`, join(tmp, 'big.bin'), { maxBytes: 50_000 }),
    ).rejects.toBeInstanceOf(FetchTooLargeError);
    await expect(f.download(`http://127.0.0.1:${origin.port}/slow-body`, join(tmp, 'slow.bin'))).rejects.toBeInstanceOf(FetchTimeoutError);
    const e = await f.download(`http://127.0.0.1:${origin.port}/500`, join(tmp, 'e.bin')).catch((x) => x);
    expect(e).toBeInstanceOf(FetchHttpError);
    expect(e.retryable).toBe(true);
    expect(existsSync(join(tmp, 'big.bin'))).toBe(false);
    expect(existsSync(join(tmp, 'slow.bin'))).toBe(false);
    expect(readdirSync(tmp)).toEqual(['ok.bin']);
    await f.close();
  });
});
