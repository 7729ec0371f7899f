// `npm run render` needs no database, queue, health checks, API docs or S3: importing it must not
// load their packages (each costs the command line memory and start-up time). A static walk of the
// TS sources from src/cli/render.ts, so it needs no build.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const ENTRY = resolve('src/cli/render.ts');

/** typeorm, @nestjs/typeorm, bull, @nestjs/bull, @bull-board/*, ioredis, @nestjs/terminus, @nestjs/swagger, @aws-sdk/*. */
const SERVICE_ONLY_PACKAGE = /typeorm|bull|ioredis|terminus|swagger|@aws-sdk\//;

// `import type` / `export type` are erased by tsc; every other import or re-export is followed
// (an import used only as a type is kept here too: an over-approximation, never a miss).
const IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Each bare package the graph imports, with the chain of files that leads to it. */
function packagesReachedFrom(entry: string): Map<string, string[]> {
  const parent = new Map<string, string | null>([[entry, null]]);
  const reached = new Map<string, string[]>();
  const queue = [entry];
  const chainTo = (file: string): string[] => {
    const chain: string[] = [];
    for (let f: string | null | undefined = file; f; f = parent.get(f)) chain.unshift(relative(process.cwd(), f));
    return chain;
  };
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        const path = existsSync(target) ? target : resolve(dirname(file), spec); // a .js or .json file as it is
        if (!parent.has(path)) {
          parent.set(path, file);
          if (/\.[cm]?[jt]s$/.test(path)) queue.push(path);
        }
      } else if (!reached.has(spec)) {
        reached.set(spec, chainTo(file));
      }
    }
  }
  return reached;
}

describe('npm run render: what importing it loads', () => {
  it('reaches none of the service-only packages (database, queue, health, swagger, S3)', () => {
    const offending = [...packagesReachedFrom(ENTRY)]
      .filter(([pkg]) => SERVICE_ONLY_PACKAGE.test(pkg))
      .map(([pkg, chain]) => `${pkg} <- ${chain.join(' -> ')}`);
    expect(offending).toEqual([]);
  });

  it('the walk does see the engine and its packages (so an empty result above means something)', () => {
    const reached = packagesReachedFrom(ENTRY);
    expect(reached.has('@nestjs/core')).toBe(true);
    expect(reached.has('prom-client')).toBe(true); // RenderMetrics, via the engine
  });
});
