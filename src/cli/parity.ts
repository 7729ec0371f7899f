// `npm run parity -- --video IN --scenario S.json [--frames N] [--width W --height H --fps F --quality Q] [--save DIR] [--json]
//    [--reference engine|editor] [--plugin-dir DIR | --plugin-origin URL]`
// --reference editor compares with the editor's preview (src/parity/editor-parity.ts), its plugins
// from --plugin-origin / PLUGIN_ORIGIN (guarded fetcher) or --plugin-dir.
// Renders the video through the service's pipeline (RenderEngine → MP4), then compares N sampled
// frames (cue boundaries first) with the engine alone in a browser page over the same source frame.
// Exit 0 when every frame's caption layer matches, 1 on a mismatch or a failure, 2 on a usage error.
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BrowserPool } from '../browser-pool/browser-pool.service.js';
import { loadEngineConfig, loadPluginConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { EngineModule } from '../render/engine.module.js';
import { RenderEngine } from '../render/render-engine.service.js';
import { RenderError } from '../render/render-errors.js';
import { encodePng } from '../render/png.js';
import { DEFAULT_PARITY_FRAMES, formatParityReport, parityReportJson, runParity } from '../parity/parity-runner.js';
import { prepareScenario } from '../scenario/prepare-scenario.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { NO_PLUGIN_SOURCE, type ParityReference } from '../parity/editor-parity.js';
import { directoryPluginSource, originPluginSource, type PluginFileSource } from '../parity/editor-reference/plugin-source.js';
import { FontResolver } from '../fonts/font-resolver.js';

const USAGE =
  'usage: npm run parity -- --video IN --scenario S.json [--frames N] [--width W] [--height H] [--fps F] [--quality Q] [--save DIR] [--json] [--reference engine|editor] [--plugin-dir DIR | --plugin-origin URL]';

/** Parity renders at the top quality by default, so codec noise stays far below the tolerance. */
const PARITY_QUALITY = 100;

class UsageError extends Error {}

const isParityReference = (r: string): r is ParityReference => r === 'engine' || r === 'editor';

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: 'string' },
      scenario: { type: 'string' },
      frames: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
      quality: { type: 'string' },
      save: { type: 'string' },
      json: { type: 'boolean' },
      reference: { type: 'string' },
      'plugin-dir': { type: 'string' },
      'plugin-origin': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  if (!values.video) throw new UsageError('--video is required');
  if (!values.scenario) throw new UsageError('--scenario is required');
  const reference = values.reference ?? 'engine';
  if (!isParityReference(reference)) throw new UsageError(`--reference must be engine or editor, got ${JSON.stringify(reference)}`);
  const pluginOrigin = values['plugin-origin'] ?? process.env.PLUGIN_ORIGIN;
  if (pluginOrigin !== undefined && !URL.canParse(pluginOrigin))
    throw new UsageError(`--plugin-origin / PLUGIN_ORIGIN is not a URL: ${pluginOrigin}`);
  const int = (name: 'frames' | 'width' | 'height' | 'fps' | 'quality') => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    video: resolve(values.video),
    scenario: resolve(values.scenario),
    frames: int('frames') ?? DEFAULT_PARITY_FRAMES,
    options: { width: int('width'), height: int('height'), fps: int('fps'), quality: int('quality') ?? PARITY_QUALITY },
    save: values.save ? resolve(values.save) : undefined,
    json: !!values.json,
    reference,
    pluginDir: values['plugin-dir'] ? resolve(values['plugin-dir']) : undefined,
    pluginOrigin,
  };
}

@Module({})
class ParityCliModule {}

/** The editor's plugin files: a plugin origin through the guarded fetcher, or a plugin-server folder. */
function editorPluginSource(args: { pluginDir?: string; pluginOrigin?: string }): { source: PluginFileSource; fetcher?: GuardedFetcher } {
  if (args.pluginOrigin) {
    const fetcher = new GuardedFetcher({
      allowHttp: new URL(args.pluginOrigin).protocol === 'http:',
      allowPrivateNetworks: loadPluginConfig().allowPrivateNetworks, // tests only, as in the service
    });
    return { source: originPluginSource(args.pluginOrigin, fetcher), fetcher };
  }
  // Else the editor reference beside the clone (../shared/editor-reference), as the tests use it.
  const beside = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/editor-reference');
  const dir = args.pluginDir ?? join(process.env.EDITOR_REFERENCE_DIR ?? beside, 'plugin-server/plugins');
  return { source: existsSync(dir) ? directoryPluginSource(dir) : NO_PLUGIN_SOURCE };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    const msg = (err as Error).message;
    process.stderr.write(`${msg ? `error: ${msg}\n` : ''}${USAGE}\n`);
    return msg ? 2 : 0;
  }
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => abort.abort(new RenderError('RENDER_CANCELLED', `interrupted by ${sig}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let app: INestApplicationContext | undefined;
  const config = loadEngineConfig();
  const tmp = mkdtempSync(join(config.tempDir, 'ecg-parity-'));
  try {
    let scenario: unknown;
    try {
      scenario = JSON.parse(await readFile(args.scenario, 'utf8'));
    } catch (err) {
      throw new UsageError(`scenario ${args.scenario}: ${(err as Error).message}`);
    }
    const prepared = prepareScenario(scenario);
    app = await NestFactory.createApplicationContext(
      { module: ParityCliModule, imports: [ConfigModule.forEngine(config), EngineModule] },
      { logger: ['error', 'warn'], abortOnError: false },
    );
    const rendered = join(tmp, 'rendered.mp4');
    process.stderr.write('parity: rendering through the service pipeline…\n');
    const summary = await app.get(RenderEngine).render({
      videoPath: args.video,
      scenario,
      outputPath: rendered,
      options: args.options,
      signal: abort.signal,
    });
    process.stderr.write(
      `parity: rendered ${summary.framesTotal} frames (${summary.encoder}); comparing with ${args.reference === 'editor' ? "the editor's preview" : 'the engine alone'}…\n`,
    );
    const editor = args.reference === 'editor' ? editorPluginSource(args) : undefined;
    const lease = await app.get(BrowserPool).acquire(abort.signal);
    let report;
    try {
      report = await runParity({
        sourcePath: args.video,
        renderedPath: rendered,
        prepared,
        fonts: (await app.get(FontResolver).plan(prepared.scenario, { mode: 'warn' })).fonts,
        width: summary.width,
        height: summary.height,
        fps: summary.fps,
        framesTotal: summary.framesTotal,
        frames: args.frames,
        browser: lease.browser,
        ffmpegPath: config.ffmpegPath,
        signal: abort.signal,
        keepImages: !!args.save,
        reference: args.reference,
        pluginSource: editor?.source,
      });
    } finally {
      await lease.release();
      await editor?.fetcher?.close().catch(() => undefined);
    }
    if (args.save) {
      mkdirSync(args.save, { recursive: true });
      for (const f of report.frames) {
        for (const [kind, rgba] of Object.entries(f.images!)) {
          writeFileSync(
            join(args.save, `frame-${String(f.index).padStart(5, '0')}-${kind}.png`),
            encodePng(rgba, report.width, report.height),
          );
        }
      }
    }
    process.stdout.write(`${args.json ? JSON.stringify(parityReportJson(report)) : formatParityReport(report)}\n`);
    return report.match ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(
      `parity failed: ${err instanceof RenderError ? `[${err.code}] ${err.message}` : ((err as Error)?.stack ?? err)}\n`,
    );
    return 1;
  } finally {
    await app?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
