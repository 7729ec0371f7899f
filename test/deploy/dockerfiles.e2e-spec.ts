// The images' recipes, checked on every CI run without building them (`npm run images` builds and
// smoke-tests them; too slow for every run): the build stage copies everything `npm run build`
// reads and runs exactly that build, the runtime stage ships what the service starts from, and
// the GPU image is the CPU image plus the NVIDIA toolkit's variables — one browser, one ffmpeg.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/engine.js';

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

function stages(file: string): Stage[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) out.push({ from: from[1], name: from[2], lines: [] });
    else if (out.length) out[out.length - 1].lines.push(line);
  }
  return out;
}

const copies = (s: Stage) =>
  s.lines.filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l)).flatMap((l) => l.split(/\s+/).slice(1, -1));

describe('Dockerfile', () => {
  const [build, runtime] = stages('Dockerfile');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('builds with `npm run build`, prunes dev dependencies and the font formats nothing reads', () => {
    expect(build.name).toBe('build');
    expect(build.lines.some((l) => /^RUN .*npm run build\b.*npm prune --omit=dev.*scripts\/prune-runtime\.mjs node_modules/.test(l))).toBe(true);
  });

  it('copies every input of `npm run build` into the build stage', () => {
    const copied = new Set(copies(build).map((p) => p.replace(/^\.\//, '').replace(/\/$/, '')));
    // The scripts the build runs …
    for (const m of pkg.scripts.build.matchAll(/node (scripts\/\S+)/g)) expect(copied.has(m[1].split('/')[0])).toBe(true);
    // … the folders they read (the caption page with its plugin assets, the console) …
    for (const dir of ['libs', 'console', 'src', 'scripts']) expect(copied.has(dir)).toBe(true);
    // … and every tsconfig and folder the compile includes.
    const tsBuild = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { extends: string; include: string[] };
    expect(copied.has(tsBuild.extends.replace(/^\.\//, ''))).toBe(true);
    expect(copied.has('tsconfig.build.json')).toBe(true);
    for (const inc of tsBuild.include) if (existsSync(join(ROOT, inc))) expect(copied.has(inc)).toBe(true);
    for (const p of copied) if (p !== 'package.json' && p !== 'package-lock.json') expect(existsSync(join(ROOT, p))).toBe(true);
  });

  it('ships the build output, installs Chromium, ffmpeg and fonts, and runs as a non-root user under tini', () => {
    const text = runtime.lines.join('\n');
    for (const p of ['/app/dist', '/app/node_modules', '/app/package.json']) expect(text).toContain(`--from=build ${p}`);
    expect(text).toMatch(/apt-get install[^\n]*\bchromium\b[^\n]*\bffmpeg\b[^\n]*\bfonts-noto-cjk\b[^\n]*\btini\b/);
    expect(runtime.lines.some((l) => /^USER\s+(?!root\b|0\b)\S+/.test(l))).toBe(true);
    expect(text).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    expect(text).toMatch(/CMD \[.*"dist\/src\/main\.js"\]/);
  });
});

describe('Dockerfile.gpu', () => {
  const gpu = stages('Dockerfile.gpu');
  it('is the CPU image plus the NVIDIA toolkit variables: no other browser, ffmpeg or download', () => {
    expect(gpu).toHaveLength(1);
    const text = readFileSync(join(ROOT, 'Dockerfile.gpu'), 'utf8');
    expect(text).toMatch(/^ARG BASE_IMAGE=\S*ecg-render:latest$/m);
    expect(gpu[0].from).toBe('${BASE_IMAGE}');
    expect(gpu[0].lines.filter((l) => !/^(ENV|ARG|LABEL)\b/.test(l))).toEqual([]);
    expect(text).toMatch(/NVIDIA_DRIVER_CAPABILITIES=\S*video/);
  });
});
