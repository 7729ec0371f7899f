// `npm run render -- --video IN --scenario S.json --out OUT.mp4 [--width W --height H --fps F --quality Q]`
// One render on this machine: no database, queue or S3. Exit code 0 only when the MP4 is complete.
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FontResolver } from '../fonts/font-resolver.js';
import { PluginCatalog } from '../plugins/plugin-catalog.service.js';
import { formatPreflight, preflightScenario } from '../preflight/scenario-preflight.js';
import { createHash } from 'node:crypto';
import { loadEngineConfig, loadPluginConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { EngineModule } from '../render/engine.module.js';
import { RenderEngine } from '../render/render-engine.service.js';
import { RenderError } from '../render/render-errors.js';
import { ProgressBar } from './progress-bar.js';
import { parseRenderCommandLine, RENDER_USAGE, UsageError, type RenderCommandLine } from './render-args.js';

async function readScenario(path: string): Promise<{ scenario: unknown; seed: string }> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`scenario ${path}: not a file`);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`scenario ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    // The plugins' random numbers are seeded by the scenario: the same file renders the same frames.
    return { scenario: JSON.parse(text), seed: createHash('sha256').update(text).digest('hex').slice(0, 32) };
  } catch (err) {
    throw new RenderError('RENDER_INVALID_SCENARIO', `scenario ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

@Module({})
class CliModule {}

async function main(): Promise<number> {
  let args: RenderCommandLine;
  try {
    args = parseRenderCommandLine(process.argv.slice(2));
  } catch (err) {
    // An option outside the limits: the same answer as a render that failed on it.
    if (err instanceof RenderError) {
      process.stderr.write(`render failed [${err.code}]: ${err.message}\n`);
      return 1;
    }
    const msg = (err as Error).message;
    process.stderr.write(`${msg ? `error: ${msg}\n` : ''}${RENDER_USAGE}\n`);
    return msg ? 2 : 0;
  }

  const abort = new AbortController();
  let app: INestApplicationContext | undefined;
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${sig}: stopping the render…\n`);
    abort.abort(new RenderError('RENDER_CANCELLED', `interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const bar = new ProgressBar();
  try {
    const { scenario, seed } = await readScenario(args.scenario);
    app = await NestFactory.createApplicationContext(
      // PLUGIN_ORIGIN (PLUGIN_PINS, PLUGIN_CACHE_DIR) as in the service: origin plugins win.
      { module: CliModule, imports: [ConfigModule.forEngine(loadEngineConfig()), PluginsModule.forRoot(loadPluginConfig()), EngineModule] },
      { logger: ['error', 'warn'], abortOnError: false },
    );
    if (args.preflight) {
      if (!scenario || typeof scenario !== 'object' || Array.isArray(scenario))
        throw new RenderError('RENDER_INVALID_SCENARIO', 'the scenario must be a JSON object');
      const report = await preflightScenario(
        scenario as Record<string, unknown>,
        { ...args.options },
        {
          fontResolver: app.get(FontResolver, { strict: false }),
          catalog: app.get(PluginCatalog, { strict: false }),
        },
      );
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatPreflight(report));
      return report.ok ? 0 : 1;
    }
    const summary = await app.get(RenderEngine).render({
      videoPath: args.video,
      scenario,
      outputPath: args.out,
      options: args.options,
      seed,
      signal: abort.signal,
      // Only once the inputs passed their gates: a rejected render leaves no directory behind.
      onStart: () => mkdirSync(dirname(args.out), { recursive: true }),
      onProgress: (p) => bar.update(p),
    });
    bar.done();
    process.stdout.write(
      [
        `rendered ${summary.outputPath}`,
        `  frames    ${summary.framesTotal} (${summary.framesCaptured} captured, ${summary.width}x${summary.height} @ ${summary.fps} fps)`,
        `  duration  ${summary.durationSec.toFixed(2)} s`,
        `  encoder   ${summary.encoder}`,
        `  wall time ${summary.wallSeconds.toFixed(2)} s  (${summary.realtimeFactor.toFixed(2)}x realtime)`,
        '',
      ].join('\n'),
    );
    // FONT_FALLBACK=warn: rendered, but not as written — say so.
    for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
    return 0;
  } catch (err) {
    bar.done();
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof RenderError) {
      process.stderr.write(`render failed [${err.code}]: ${err.message}\n`);
      return err.code === 'RENDER_CANCELLED' ? 130 : 1;
    }
    process.stderr.write(`render failed: ${(err as Error)?.stack ?? err}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

process.exitCode = await main();
