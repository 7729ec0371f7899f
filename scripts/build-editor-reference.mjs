#!/usr/bin/env node
// Bundles the editor reference page (src/parity/editor-reference/browser/editor-page.ts) into
// dist/editor-reference/editor-reference.js: one IIFE with motiontext-renderer (the version the
// caption page bundles: the project's one) and gsap, nothing else. Plugins are NOT bundled: the
// page loads them from the plugin origin as the editor does.
//
// Flags: --if-stale  skip when the output is newer than its sources and package-lock.json
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src/parity/editor-reference/browser');
const entry = join(srcDir, 'editor-page.ts');
const outfile = join(root, 'dist/editor-reference/editor-reference.js');

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== '--if-stale') {
    console.error(`build-editor-reference: unknown flag ${a}`);
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

if (args.includes('--if-stale') && existsSync(outfile)) {
  const lock = join(root, 'package-lock.json');
  const inputs = Math.max(
    newestMtime(srcDir),
    existsSync(lock) ? statSync(lock).mtimeMs : 0,
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  if (statSync(outfile).mtimeMs > inputs) process.exit(0);
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
  minify: true,
  legalComments: 'eof',
  define: { 'import.meta.env': '{}' },
  mainFields: ['module', 'browser', 'main'],
  conditions: ['import', 'browser'],
  logLevel: 'warning',
  metafile: true,
});
const allowed = [
  /^<define:/,
  /^node_modules\/motiontext-renderer\/dist\//,
  /^node_modules\/gsap\//,
  /^src\/parity\/editor-reference\/browser\//,
];
const bad = Object.keys(result.metafile.inputs).filter((p) => !allowed.some((re) => re.test(p)));
if (bad.length) {
  console.error(`build-editor-reference: unexpected modules in bundle:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `build-editor-reference: ${outfile.slice(root.length + 1)} ${(statSync(outfile).size / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`,
);
