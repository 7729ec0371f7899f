// docker-compose.yml, checked on every CI run without a container engine (`npm run compose:smoke`
// runs it with podman and renders through it): every image builds from this repository (no
// registry), PostgreSQL and Redis publish no host port, the services get every secret boot
// requires, a stop leaves a worker time to hand its render back, and presigned S3 URLs are signed
// for the endpoint clients reach (S3_PUBLIC_ENDPOINT), not the stack-internal service name.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { storageOptions } from '../../src/app/core.module.js';
import { loadAppConfig } from '../../src/config/app-config.js';
import { storageOrigins } from '../../src/console/console-csp.js';
import { S3StorageDriver } from '../../src/storage/s3-storage.driver.js';
import { ROOT } from '../helpers/engine.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  environment?: Record<string, string>;
  stop_grace_period?: string;
  deploy?: { replicas?: number };
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

describe('docker-compose.yml', () => {
  it('every image is built from this repository, on the base `npm run images` makes without a registry', () => {
    for (const [name, s] of Object.entries(services)) {
      expect([name, s.image?.startsWith('localhost/')]).toEqual([name, true]);
      expect([name, !!s.build]).toEqual([name, true]);
      const file = join(ROOT, s.build!.context, s.build!.dockerfile);
      expect([name, existsSync(file)]).toEqual([name, true]);
      const from = readFileSync(file, 'utf8').match(/^FROM\s+(\S+)/gm)!.map((l) => l.split(/\s+/)[1]);
      for (const image of from) expect([name, image]).toEqual([name, expect.stringMatching(/^(docker\.io\/library\/)?node:24-bookworm-slim(\s|$)/)]);
    }
  });

  it('only the API and S3 publish host ports (this machine has its own PostgreSQL and Redis)', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length).map(([n]) => n).sort();
    expect(published).toEqual(['api', 's3']);
  });

  it('API and workers get every secret boot requires, and boot accepts the stack configuration', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment!;
      expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(env.URL_SIGNING_SECRET).toMatch(/^\$\{URL_SIGNING_SECRET:\?/);
      // Compose's ${VAR:-default} resolved as the stack would see it.
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{(\w+):[-?]([^}]*)\}/g, (_, n: string, d: string) =>
        ({ JWT_SECRET: 'j'.repeat(40), URL_SIGNING_SECRET: 'u'.repeat(40) })[n] ?? d)]));
      const config = loadAppConfig(resolved);
      expect(config.mode).toBe(name);
      expect(config.storage).toMatchObject({ driver: 's3', s3Endpoint: 'http://s3:9000', s3PublicEndpoint: 'http://localhost:3090' });
    }
    expect(services.worker.deploy?.replicas).toBe(2);
    expect(services.worker.environment!.MIGRATE_ON_START).toBe('false');
  });

  it('a stop gives a worker more than its shutdown grace to hand a render back', () => {
    // The worker's WORKER_SHUTDOWN_GRACE_MS as its configuration reads it (the default when compose sets none).
    const grace = services.worker.environment!.WORKER_SHUTDOWN_GRACE_MS;
    const env = { JWT_SECRET: 'j'.repeat(40), URL_SIGNING_SECRET: 'u'.repeat(40), ...(grace ? { WORKER_SHUTDOWN_GRACE_MS: grace } : {}) };
    const { shutdownGraceMs } = loadAppConfig(env).worker;
    expect(Number(services.worker.stop_grace_period!.replace(/s$/, '')) * 1000).toBeGreaterThan(shutdownGraceMs);
  });
});

describe('S3_PUBLIC_ENDPOINT', () => {
  const env = {
    JWT_SECRET: 'j'.repeat(40), URL_SIGNING_SECRET: 'u'.repeat(40), STORAGE_DRIVER: 's3', S3_BUCKET: 'ecg-render',
    S3_ENDPOINT: 'http://s3:9000', S3_FORCE_PATH_STYLE: 'true',
  };
  const driver = (extra: Record<string, string>) => {
    const o = storageOptions(loadAppConfig({ ...env, ...extra }));
    if (o.driver !== 's3') throw new Error('not s3');
    return new S3StorageDriver({ ...o.s3, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  };

  it('presigned upload and download URLs name the public endpoint; without it, the service endpoint', async () => {
    const pub = driver({ S3_PUBLIC_ENDPOINT: 'http://localhost:3090' });
    expect((await pub.createUploadTarget('uploads/u/a.mp4', { contentType: 'video/mp4', size: 10 })).uploadUrl).toMatch(/^http:\/\/localhost:3090\/ecg-render\/uploads\/u\/a\.mp4\?/);
    expect((await pub.getDownloadUrl('renders/j/output.mp4')).url).toMatch(/^http:\/\/localhost:3090\/ecg-render\/renders\//);
    const internal = driver({});
    expect((await internal.getDownloadUrl('renders/j/output.mp4')).url).toMatch(/^http:\/\/s3:9000\/ecg-render\//);
    pub.onApplicationShutdown();
    internal.onApplicationShutdown();
  });

  it('the console may reach the public endpoint (CSP), and a non-http value is refused at boot', () => {
    expect(storageOrigins(loadAppConfig({ ...env, S3_PUBLIC_ENDPOINT: 'http://localhost:3090' }))).toContain('http://localhost:3090');
    expect(() => loadAppConfig({ ...env, S3_PUBLIC_ENDPOINT: 'ftp://x' })).toThrow(/S3_PUBLIC_ENDPOINT/);
  });
});
