#!/usr/bin/env node
// Bundles the caption page (libs/caption-page/src/browser/main.ts) into
// dist/caption-page/caption-page.js: one minified IIFE holding motiontext-renderer's ESM dist,
// gsap and our plugins. Nothing else from motiontext-renderer's dependency tree (express,
// cors, dotenv, react-icons) is reachable from its dist, so nothing else ends up in the bundle.
//
// Flags:
//   --if-missing  skip when the output already exists
//   --if-stale    skip when the output is newer than every file under libs/caption-page/src
//                 and package-lock.json
//   (none)        always build
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'libs/caption-page/src');
const entry = join(srcDir, 'browser/main.ts');
const outfile = join(root, 'dist/caption-page/caption-page.js');
// Our bundled plugins' assets (flames' image, …), copied beside the bundle; CaptionPage serves them.
const assetsDir = join(root, 'libs/caption-page/plugin-assets');
const assetsOut = join(root, 'dist/caption-page/plugin-assets');

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (a !== '--if-missing' && a !== '--if-stale') {
    console.error(`build-caption-page: unknown flag ${a}`);
    process.exit(2);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

if (existsSync(outfile)) {
  if (args.has('--if-missing')) {
    process.exit(0);
  }
  if (args.has('--if-stale')) {
    const out = statSync(outfile).mtimeMs;
    const lock = join(root, 'package-lock.json');
    const inputs = Math.max(
      newestMtime(srcDir),
      existsSync(assetsDir) ? newestMtime(assetsDir) : 0,
      existsSync(lock) ? statSync(lock).mtimeMs : 0,
    );
    if (out > inputs) process.exit(0);
  }
}

mkdirSync(dirname(outfile), { recursive: true });
const started = Date.now();
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  minify: !process.env.NO_MINIFY, // NO_MINIFY=1: readable names in a CPU profile of the page
  sourcemap: false,
  legalComments: 'eof',
  // motiontext-renderer reads Vite's import.meta.env for its (unused) dev plugin server config.
  define: { 'import.meta.env': '{}' },
  mainFields: ['module', 'browser', 'main'],
  conditions: ['import', 'browser'],
  logLevel: 'warning',
  metafile: true,
});

// Guard: the bundle must hold only the engine's dist, gsap and our own sources.
const allowed = [/^<define:/, /^node_modules\/motiontext-renderer\/dist\//, /^node_modules\/gsap\//, /^libs\/caption-page\/src\//];
const bad = Object.keys(result.metafile.inputs).filter((p) => !allowed.some((re) => re.test(p)));
if (bad.length) {
  console.error(`build-caption-page: unexpected modules in bundle:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
rmSync(assetsOut, { recursive: true, force: true });
if (existsSync(assetsDir)) cpSync(assetsDir, assetsOut, { recursive: true });
const bytes = statSync(outfile).size;
console.log(`build-caption-page: ${outfile.slice(root.length + 1)} ${(bytes / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`);
