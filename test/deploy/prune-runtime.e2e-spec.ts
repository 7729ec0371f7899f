// The runtime image trims the font packages (scripts/prune-runtime.mjs, run by the Dockerfile):
// every face the font catalogue hands to the page must still be there afterwards.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BUNDLED_FAMILIES, bundledFaces } from '../../src/fonts/font-catalogue.js';
import { NODE_BIN, ROOT } from '../helpers/engine.js';

describe('scripts/prune-runtime.mjs', () => {
  it("frees the formats the catalogue never reads and keeps every face it hands over", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecg-prune-'));
    try {
      const modules = join(dir, 'node_modules');
      const packages = [...new Set(BUNDLED_FAMILIES.map((f) => f.packageName))];
      for (const p of packages) cpSync(join(ROOT, 'node_modules', p), join(modules, p), { recursive: true });
      const out = execFileSync(NODE_BIN, [join(ROOT, 'scripts/prune-runtime.mjs'), modules], { encoding: 'utf8' });
      expect(Number(/freed ([\d.]+) MB/.exec(out)?.[1])).toBeGreaterThan(50);
      let faces = 0;
      for (const family of BUNDLED_FAMILIES) {
        for (const face of await bundledFaces(family)) {
          expect(existsSync(join(modules, relative(join(ROOT, 'node_modules'), face.path)))).toBe(true);
          faces++;
        }
      }
      expect(faces).toBeGreaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
