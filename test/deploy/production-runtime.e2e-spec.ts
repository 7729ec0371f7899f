// The runtime needs no dev dependency. The production build (tsconfig.build.json, what
// `npm run build` and the Dockerfile compile) reaches no test or bench code and no package a
// production install lacks; and the compiled service, next to node_modules pruned to the
// production dependencies as the Dockerfile prunes them (`npm prune --omit=dev` +
// scripts/prune-runtime.mjs), in a folder with no other node_modules above it, boots in
// standalone mode (api + worker: every module) with NODE_ENV=production and answers /health.
// The pruned node_modules (hard links into ours, so a few seconds and no extra disk) is cached per
// package-lock.json in .cache/prod-runtime/; each run links it into a temp folder outside the
// repository, since node would otherwise find our dev dependencies in /work/…/node_modules above.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT, NODE_BIN } from '../helpers/engine.js';
import { buildDist } from '../helpers/service-harness.js';
import { request } from '../support/api-client.js';
import { spawnService, waitForHttp, type SpawnedService } from '../support/service-process.js';
import { createResources, type ServiceResources } from '../support/service-resources.js';

jest.setTimeout(600_000);

/** node_modules with the production dependencies only, pruned as the Dockerfile prunes it; cached. */
function productionNodeModules(): string {
  const key = createHash('sha256')
    .update(readFileSync(join(ROOT, 'package-lock.json')))
    .update(readFileSync(join(ROOT, 'scripts/prune-runtime.mjs')))
    .digest('hex')
    .slice(0, 16);
  const cached = join(ROOT, '.cache/prod-runtime', key);
  if (existsSync(join(cached, 'node_modules'))) return join(cached, 'node_modules');
  const work = `${cached}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(work, 'node_modules')]);
    // npm rewrites its hidden lockfile: a copy of its own, not a link to ours.
    const hidden = join(ROOT, 'node_modules/.package-lock.json');
    rmSync(join(work, 'node_modules/.package-lock.json'), { force: true });
    if (existsSync(hidden)) cpSync(hidden, join(work, 'node_modules/.package-lock.json'));
    for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(work, f));
    execFileSync('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: work, stdio: 'pipe' });
    execFileSync(NODE_BIN, [join(ROOT, 'scripts/prune-runtime.mjs'), 'node_modules'], { cwd: work, stdio: 'pipe' });
    rmSync(cached, { recursive: true, force: true });
    renameSync(work, cached);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  return join(cached, 'node_modules');
}

/** The sources tsconfig.build.json compiles, as their emitted paths under dist/. */
function productionBuildOutputs(): string[] {
  const file = join(ROOT, 'tsconfig.build.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, (p) => ts.sys.readFile(p)).config, ts.sys, ROOT);
  return parsed.fileNames.filter((f) => !f.endsWith('.d.ts')).map((f) => join(ROOT, 'dist', relative(ROOT, f)).replace(/\.ts$/, '.js'));
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"]+)['"]/g;
const packageName = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Every compiled file the roots reach through relative imports, and every package they import. */
function importGraph(roots: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [...roots];
  while (queue.length) {
    const f = queue.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    if (!f.endsWith('.js')) continue;
    for (const [, spec] of readFileSync(f, 'utf8').matchAll(SPECIFIER)) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(f), spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(packageName(spec))) {
        packages.set(packageName(spec), relative(ROOT, f));
      }
    }
  }
  return { files, packages };
}

describe('production runtime', () => {
  let modules: string;

  beforeAll(async () => {
    await buildDist();
    modules = productionNodeModules();
  });

  it('the production build reaches no test or bench code and imports only what the production install has', () => {
    const roots = productionBuildOutputs();
    expect(roots).toContain(join(ROOT, 'dist/src/main.js'));
    for (const f of roots) expect(existsSync(f)).toBe(true);
    const { files, packages } = importGraph(roots);
    const outside = [...files].map((f) => relative(join(ROOT, 'dist'), f)).filter((f) => !/^(src|libs|scripts)\/|^ormconfig\.js$/.test(f));
    expect(outside).toEqual([]);
    expect([...files].filter((f) => /\.spec\.js$|\/testing\.js$|test-servers\.js$/.test(f))).toEqual([]);
    // The pruned install really lacks the dev dependencies…
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: object; devDependencies: object };
    for (const dev of ['jest', '@nestjs/testing', 'supertest', 's3rver', 'esbuild']) {
      expect(Object.keys(pkg.devDependencies)).toContain(dev);
      expect(existsSync(join(modules, dev))).toBe(false);
    }
    // … and has every package the build imports (a dev-only package would be missing).
    const missing = [...packages].filter(([name]) => !existsSync(join(modules, name, 'package.json')));
    expect(missing).toEqual([]);
    expect(packages.size).toBeGreaterThan(10);
  });

  describe('the compiled service on the production node_modules', () => {
    let app: string;
    let res: ServiceResources;
    let svc: SpawnedService | undefined;

    beforeAll(async () => {
      app = mkdtempSync(join(tmpdir(), 'ecg-prod-app-'));
      for (let d = dirname(app); d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'node_modules'))).toBe(false);
      execFileSync('cp', ['-al', modules, join(app, 'node_modules')]);
      // Links inside it stay inside it (npm's are relative): nothing leads back to our node_modules.
      expect(execFileSync('find', [join(app, 'node_modules'), '-type', 'l', '-lname', '/*'], { encoding: 'utf8' })).toBe('');
      // What the image ships (Dockerfile, runtime stage): package.json, node_modules, dist, samples —
      // dist as the production build left it (the bench's build adds dist/bench and dist/test).
      cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
      cpSync(join(ROOT, 'samples'), join(app, 'samples'), { recursive: true });
      cpSync(join(ROOT, 'dist'), join(app, 'dist'), {
        recursive: true,
        filter: (src) => !/^(bench|test|\.tsbuildinfo.*)$/.test(relative(join(ROOT, 'dist'), src).split('/')[0]),
      });
      res = await createResources({ NODE_ENV: 'production', ECG_RENDER_MODE: 'standalone' }, { allowPrivateNetworks: false });
    });

    afterAll(async () => {
      await svc?.stop();
      await res?.release();
      if (app) rmSync(app, { recursive: true, force: true });
    });

    it('boots in standalone mode and answers /health', async () => {
      expect(existsSync(join(app, 'dist/src/main.js'))).toBe(true);
      expect(existsSync(join(app, 'dist/test'))).toBe(false);
      svc = spawnService(res.env, 'standalone', { root: app, node: NODE_BIN, nodeArgs: ['--max-semi-space-size=1'] });
      await waitForHttp(`${res.baseUrl}/health`, svc, 120_000);
      const health = await request(res.baseUrl, 'GET', '/health');
      expect({ status: health.status, output: health.status === 200 ? '' : svc.output() }).toEqual({ status: 200, output: '' });
      expect(svc.child.exitCode).toBeNull();
    });
  });
});
