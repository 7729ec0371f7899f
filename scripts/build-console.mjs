#!/usr/bin/env node
// Builds the web console into dist/console/: console/src/main.ts bundled by esbuild into app.js
// (one minified IIFE, no dependencies), plus index.html, app.css and the preview's caption frame.
// The preview reuses the caption page bundle (dist/caption-page/caption-page.js, built here when
// missing), which the API serves at /console/caption-page.js.
// Flags: --if-stale  skip when dist/console is newer than every file under console/
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'console');
const outDir = join(root, 'dist/console');
const stamp = join(outDir, 'app.js');

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== '--if-stale') {
    console.error(`build-console: unknown flag ${a}`);
    process.exit(2);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    newest = Math.max(newest, ent.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

execFileSync(process.execPath, [join(root, 'scripts/build-caption-page.mjs'), '--if-stale'], { stdio: 'inherit' });
if (args.includes('--if-stale') && existsSync(stamp) && statSync(stamp).mtimeMs > newestMtime(srcDir)) process.exit(0);

mkdirSync(outDir, { recursive: true });
const started = Date.now();
const result = await build({
  entryPoints: [join(srcDir, 'src/main.ts')],
  outfile: stamp,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome110',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  metafile: true,
});
const bad = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('console/src/'));
if (bad.length) {
  console.error(`build-console: unexpected modules in the bundle:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
copyFileSync(join(srcDir, 'index.html'), join(outDir, 'index.html'));
copyFileSync(join(srcDir, 'caption-frame.html'), join(outDir, 'caption-frame.html'));
copyFileSync(join(srcDir, 'src/app.css'), join(outDir, 'app.css'));
copyFileSync(join(srcDir, 'src/caption-frame.css'), join(outDir, 'caption-frame.css'));
console.log(`build-console: dist/console (${(statSync(stamp).size / 1024).toFixed(0)} KiB app.js) in ${Date.now() - started} ms`);
