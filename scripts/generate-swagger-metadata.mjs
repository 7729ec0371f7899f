// The @nestjs/swagger CLI plugin, run as Nest's plugin metadata generator: it reads the DTOs'
// types and doc comments and writes src/swagger-metadata.ts, which the app loads at start.
// (We compile with tsc, which cannot run the plugin as a transformer.)
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire(import.meta.url);

const srcDir = new URL('../src', import.meta.url).pathname;
const outFile = join(srcDir, 'swagger-metadata.ts');

/** With --if-stale: skip when no DTO, entity or controller is newer than the metadata. */
function isStale() {
  let out;
  try {
    out = statSync(outFile).mtimeMs;
  } catch {
    return true;
  }
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return walk(p);
      return /\.(dto|entity|controller)\.ts$/.test(e.name) && statSync(p).mtimeMs > out;
    });
  return walk(srcDir);
}
if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

// The generator type-checks the project, which imports this very file: on a fresh clone, start
// from an empty stub so that the check can pass.
if (!existsSync(outFile)) writeFileSync(outFile, '/* eslint-disable */\nexport default async () => ({});\n');
const { PluginMetadataGenerator } = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator');
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin');

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      pathToSource: srcDir,
      esmCompatible: true,
    }),
  ],
  outputDir: srcDir,
  filename: 'swagger-metadata.ts',
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});
