#!/usr/bin/env node
// Trims node_modules for the runtime image (after `npm prune --omit=dev`): the font packages ship
// every format, while src/fonts reads woff2 only (font-catalogue.ts picks the woff2 source of
// each @font-face) and Pretendard's dynamic-subset variable CSS only. Prints what it freed.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'node_modules';
let freed = 0;
const size = (p) => {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((n, f) => n + size(join(p, f)), 0) : s.size;
};
const remove = (p) => {
  freed += size(p);
  rmSync(p, { recursive: true, force: true });
};

// @fontsource*/NAME/files/*.woff — the woff2 twin stays.
for (const scope of ['@fontsource', '@fontsource-variable']) {
  let families;
  try {
    families = readdirSync(join(root, scope));
  } catch {
    continue;
  }
  for (const family of families) {
    const files = join(root, scope, family, 'files');
    try {
      for (const f of readdirSync(files)) if (f.endsWith('.woff')) remove(join(files, f));
    } catch {
      // no files folder
    }
  }
}
// pretendard/dist: everything but web/variable (the dynamic-subset CSS and its woff2 files).
const dist = join(root, 'pretendard', 'dist');
try {
  for (const d of readdirSync(dist)) if (d !== 'web') remove(join(dist, d));
  for (const d of readdirSync(join(dist, 'web'))) if (d !== 'variable') remove(join(dist, 'web', d));
} catch {
  // not installed
}
console.log(`prune-runtime: freed ${(freed / 1e6).toFixed(1)} MB in ${root}`);
