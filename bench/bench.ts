// `npm run bench [-- --json] [--workload NAME[,NAME…]] [--seconds N] [--repeat N] [--no-breakdown]
//                  [--no-transcode] [--workers N[,N…]]`
//
// Default workloads: standard, kinetic and editor; `long` (10 minutes) runs only when named. When both
// `standard` and `long` run in one invocation, their peak memory and per-frame time are compared.
// `--workers 1,2` renders the workload (default `long`, cut to --seconds, default 180) through the
// real service instead — api + N worker processes on Redis, split into segments — once per N, and
// reports the wall times and the speedup (bench/service-run.ts).
//
// For each workload (bench/workloads.ts): a plain transcode of the source with the render's own
// encoder settings (buildTranscodeArgs: same size, fps, encoder, preset, quality, audio handling),
// then the real render through RenderEngine, alternately (never concurrently), in one Nest
// application context whose browser pool is warmed up first (Chromium's launch is not measured;
// opening the caption page and loading the scenario are, as in every production render).
// Memory: summed PSS of this process and its Chromium and ffmpeg descendants, sampled every 200 ms
// by a sampler process of its own, left out of the sum (bench/proc-sampler.ts). Then, unless
// --no-breakdown, where the time goes, measured alone the way the streaming pipeline works
// (bench/breakdown.ts): the survey, seek + screenshot of the captions' union region +
// PNG→RGBA decode per captured frame, and the ffmpeg side replayed without Chromium (region-sized
// raw RGBA on stdin, blended only while captions show).
// With --json the last line of stdout is one JSON object {"workloads": [...]}.
//
// Parts: args.ts (command line), engine-run.ts (a workload in this process), breakdown.ts,
// measure.ts, report.ts, workers-run.ts + service-run.ts (--workers). `npm run bench` compiles it
// with tsconfig.bench.json, which adds bench/ and the test/support/ it uses to the production
// build (tsconfig.build.json ships neither).
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadCaptionPageAssets } from '../libs/caption-page/src/index.js';
import { BrowserPool } from '../src/browser-pool/browser-pool.service.js';
import { loadEngineConfig } from '../src/config/app-config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { EncoderProbe } from '../src/encoder/encoder-probe.js';
import { EngineModule } from '../src/render/engine.module.js';
import { parseCommandLine, USAGE, type Args } from './args.js';
import type { Context } from './context.js';
import { runWorkload, type WorkloadResult } from './engine-run.js';
import { r2 } from './measure.js';
import { lengthComparison, report } from './report.js';
import { runWorkers } from './workers-run.js';

@Module({})
class BenchModule {}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    const msg = (err as Error).message;
    process.stderr.write(`${msg ? `error: ${msg}\n` : ''}${USAGE}\n`);
    return msg ? 2 : 0;
  }

  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => abort.abort(new Error(`interrupted by ${sig}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const tty = process.stderr.isTTY;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let lastStatus = 0;
  const status = (line: string) => {
    if (!tty) return;
    const now = Date.now();
    if (line && now - lastStatus < 250) return;
    lastStatus = now;
    process.stderr.write(`\r\x1b[K${line}`);
  };

  const config = loadEngineConfig();
  let app: INestApplicationContext | undefined;
  let tmpDir: string | undefined;
  try {
    const loadStart = loadavg()[0];
    app = await NestFactory.createApplicationContext(
      { module: BenchModule, imports: [ConfigModule.forEngine(config), EngineModule] },
      { logger: ['error', 'warn'], abortOnError: false },
    );
    const warm0 = performance.now();
    // The --workers mode renders in the service's own processes: no browser here.
    if (!args.workers) await app.get(BrowserPool).warmUp();
    const encoder = (await app.get(EncoderProbe).select()).encoder;
    await loadCaptionPageAssets();
    const warmSeconds = (performance.now() - warm0) / 1000;
    log(
      `ecg-render bench: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
        `load ${loadStart.toFixed(2)}; ${args.workers ? 'no browser in this process (workers mode)' : `browser pool warmed up in ${warmSeconds.toFixed(2)} s (not measured)`}; encoder ${encoder}`,
    );
    tmpDir = await mkdtemp(join(config.tempDir, 'ecg-bench-'));
    const ctx: Context = {
      app,
      config,
      encoder,
      tmpDir,
      signal: abort.signal,
      log,
      status,
      breakdown: args.breakdown,
      transcode: args.transcode,
      sampleMs: args.sampleMs,
    };

    if (args.workers) {
      const w = await runWorkers(ctx, args, args.workloads[0]);
      const loadEnd = loadavg()[0];
      log(
        `\nload average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (2 cores: other work on the machine skews the figures)`,
      );
      if (args.json) {
        log(
          JSON.stringify({
            date: new Date().toISOString(),
            machine: {
              cores: cpus().length,
              cpuModel: cpus()[0]?.model?.trim(),
              memoryGiB: Math.round(totalmem() / 2 ** 30),
              loadAverageStart: r2(loadStart),
              loadAverageEnd: r2(loadEnd),
            },
            workers: w,
            workloads: [],
          }),
        );
      }
      return 0;
    }

    const results: WorkloadResult[] = [];
    for (const w of args.workloads) {
      const r = await runWorkload(ctx, w, args.seconds, args.repeat);
      results.push(r);
      log(report(r));
    }
    const comparison = lengthComparison(results);
    if (comparison) {
      log(
        `\n== ${comparison.long} (${comparison.longDurationSec} s) vs ${comparison.short} (${comparison.shortDurationSec} s): ` +
          `peak PSS ${comparison.peakMemoryMb.long} vs ${comparison.peakMemoryMb.short} MB (${comparison.peakMemoryMb.changePct >= 0 ? '+' : ''}${comparison.peakMemoryMb.changePct} %), ` +
          `${comparison.msPerFrame.long} vs ${comparison.msPerFrame.short} ms per frame (${comparison.msPerFrame.changePct >= 0 ? '+' : ''}${comparison.msPerFrame.changePct} %)`,
      );
    }
    const loadEnd = loadavg()[0];
    log(
      `\nload average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (2 cores: other work on the machine skews the figures)`,
    );
    if (args.json) {
      log(
        JSON.stringify({
          date: new Date().toISOString(),
          machine: {
            cores: cpus().length,
            cpuModel: cpus()[0]?.model?.trim(),
            memoryGiB: Math.round(totalmem() / 2 ** 30),
            loadAverageStart: r2(loadStart),
            loadAverageEnd: r2(loadEnd),
          },
          browserWarmupSeconds: r2(warmSeconds),
          memoryMethod: `peak of summed PSS (/proc/<pid>/smaps_rollup) of node and all its descendants, sampled every ${args.sampleMs} ms by a process of its own, which is left out`,
          workloads: results,
          ...(comparison ? { lengthComparison: comparison } : {}),
        }),
      );
    }
    return 0;
  } catch (err) {
    status('');
    if (abort.signal.aborted) {
      process.stderr.write(`\nbench: ${(abort.signal.reason as Error).message}\n`);
      return 130;
    }
    process.stderr.write(`bench failed: ${(err as Error)?.stack ?? err}\n`);
    return 1;
  } finally {
    if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
    await app?.close();
  }
}

process.exitCode = await main();
