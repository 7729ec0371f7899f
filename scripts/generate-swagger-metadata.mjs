// The @nestjs/swagger CLI plugin, run as Nest's plugin metadata generator: it reads the DTOs'
// types and doc comments and writes src/swagger-metadata.ts, which the app loads at start.
// (We compile with tsc, which cannot run the plugin as a transformer.)
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { PluginMetadataGenerator } = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator');
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin');

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      pathToSource: new URL('../src', import.meta.url).pathname,
      esmCompatible: true,
    }),
  ],
  outputDir: new URL('../src', import.meta.url).pathname,
  filename: 'swagger-metadata.ts',
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});
