// `npm run bench [-- --json] [--workload NAME] [--seconds N] [--repeat N] [--no-breakdown]`
//
// For each workload (bench/workloads.ts): a plain transcode of the source with the render's own
// encoder settings (buildTranscodeArgs: same size, fps, encoder, preset, quality, audio handling),
// then the real render through RenderEngine, alternately (never concurrently), in one Nest
// application context whose browser pool is warmed up first (Chromium's launch is not measured;
// opening the caption page and loading the scenario are, as in every production render).
// Memory: summed PSS of this process and its Chromium and ffmpeg descendants, sampled every 200 ms
// (bench/proc-sampler.ts). Then, unless --no-breakdown, where the time goes: capture cost per
// frame measured alone, and the ffmpeg side of the pipeline replayed without Chromium.
// With --json the last line of stdout is one JSON object {"workloads": [...]}.
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CaptionPage, loadCaptionPageAssets } from '../libs/caption-page/src/index.js';
import { BrowserPool } from '../src/browser-pool/browser-pool.service.js';
import { loadEngineConfig, type EngineConfig } from '../src/config/app-config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { EncoderProbe } from '../src/encoder/encoder-probe.js';
import { buildCompositeArgs, buildTranscodeArgs, expectedFrameCount, type VideoEncoder } from '../src/encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../src/encoder/ffmpeg-process.js';
import { MediaProbe, type ProbedMedia } from '../src/encoder/media-probe.js';
import { EngineModule } from '../src/render/engine.module.js';
import { RenderEngine, type RenderSummary } from '../src/render/render-engine.service.js';
import { resolveRenderOptions, type ResolvedRenderOptions } from '../src/render/render-options.js';
import { transparentPng } from '../src/render/transparent-png.js';
import { isActiveAt, prepareScenario, type PreparedScenario } from '../src/scenario/prepare-scenario.js';
import { startSamplerWorker, type SampleReport } from './proc-sampler.js';
import { ensureSource } from './source.js';
import { WORKLOADS, findWorkload, type Workload } from './workloads.js';

const USAGE = 'usage: npm run bench -- [--json] [--workload NAME] [--seconds N] [--repeat N] [--sample-ms MS] [--no-breakdown]';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)); // compiled to dist/bench/bench.js
const CACHE_DIR = join(REPO_ROOT, '.cache', 'bench');
/** Visible frames timed by the capture probe (spread evenly over the visible ones). */
const CAPTURE_PROBE_FRAMES = 60;

class UsageError extends Error {}

interface Args {
  json: boolean;
  workloads: Workload[];
  seconds?: number;
  repeat: number;
  sampleMs: number;
  breakdown: boolean;
}

function parseCommandLine(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      workload: { type: 'string' },
      seconds: { type: 'string' },
      repeat: { type: 'string' },
      'sample-ms': { type: 'string' },
      breakdown: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowNegative: true,
    strict: true,
  });
  if (values.help) throw new UsageError('');
  let workloads = [...WORKLOADS];
  if (values.workload !== undefined) {
    const w = findWorkload(values.workload);
    if (!w) throw new UsageError(`unknown workload '${values.workload}' (known: ${WORKLOADS.map((x) => x.name).join(', ')})`);
    workloads = [w];
  }
  const positive = (name: string, raw: string | undefined, integer: boolean, max: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'} up to ${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  return {
    json: values.json!,
    workloads,
    seconds: positive('seconds', values.seconds, false, 3600),
    repeat: positive('repeat', values.repeat, true, 20) ?? 1,
    sampleMs: positive('sample-ms', values['sample-ms'], true, 10_000) ?? 200,
    breakdown: values.breakdown!,
  };
}

@Module({})
class BenchModule {}

interface Measured<T> {
  value: T;
  wallSeconds: number;
  memory: SampleReport & { samplerCpuSeconds: number };
}

/** Runs fn with a fresh process-tree sampler around it. */
let sampleIntervalMs = 200;

async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  const sampler = await startSamplerWorker(process.pid, sampleIntervalMs);
  const t0 = performance.now();
  try {
    const value = await fn();
    const wallSeconds = (performance.now() - t0) / 1000;
    return { value, wallSeconds, memory: await sampler.stop() };
  } catch (err) {
    await sampler.stop().catch(() => undefined);
    throw err;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const r1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

interface Context {
  app: INestApplicationContext;
  config: EngineConfig;
  encoder: VideoEncoder;
  tmpDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
  status: (line: string) => void;
  breakdown: boolean;
}

interface Job {
  workload: Workload;
  source: ProbedMedia;
  options: ResolvedRenderOptions;
  scenario: Record<string, unknown>;
  prepared: PreparedScenario;
  framesTotal: number;
}

async function transcode(ctx: Context, job: Job, output: string): Promise<void> {
  const { source, options } = job;
  const ff = FfmpegProcess.start(
    buildTranscodeArgs({
      sourcePath: source.path,
      output,
      width: options.width,
      height: options.height,
      fps: options.fps,
      durationSec: source.durationSec,
      encoder: ctx.encoder,
      quality: options.quality,
      preset: ctx.encoder === 'libx264' ? ctx.config.x264Preset : undefined,
      hasAudio: source.hasAudio,
      audioCodec: source.audioCodec,
    }),
    {
      signal: ctx.signal,
      ffmpegPath: ctx.config.ffmpegPath,
      onProgress: (p) => ctx.status(`  transcode ${p.frame}/${job.framesTotal} frames`),
    },
  );
  await ff.finish();
}

async function render(ctx: Context, job: Job, output: string): Promise<{ summary: RenderSummary; setupSeconds: number }> {
  const t0 = performance.now();
  let firstFrameAt: number | undefined;
  const summary = await ctx.app.get(RenderEngine).render({
    videoPath: job.source.path,
    scenario: job.scenario,
    outputPath: output,
    signal: ctx.signal,
    onProgress: (p) => {
      firstFrameAt ??= performance.now();
      ctx.status(`  render ${p.framesDone}/${p.framesTotal} frames (${p.framesCaptured} captured), ${p.fps.toFixed(1)} fps`);
    },
  });
  // Time to the first progress report (10 frames): probe, page open, scenario load, first frames.
  return { summary, setupSeconds: firstFrameAt === undefined ? 0 : (firstFrameAt - t0) / 1000 };
}

async function outputCheck(ctx: Context, path: string): Promise<{ durationSec: number; sizeMb: number }> {
  const probed = await ctx.app.get(MediaProbe).probe(path);
  const size = (await stat(path)).size;
  await rm(path, { force: true });
  return { durationSec: r2(probed.durationSec), sizeMb: r1(size / 1e6) };
}

/** Seek and screenshot cost measured alone, on visible frames spread over the timeline. */
async function captureProbe(ctx: Context, job: Job) {
  const { fps, width, height } = job.options;
  const active: number[] = [];
  for (let i = 0; i < job.framesTotal; i++) if (isActiveAt(job.prepared, i / fps)) active.push(i);
  const step = Math.max(1, active.length / CAPTURE_PROBE_FRAMES);
  const picks: number[] = [];
  for (let k = 0; k < active.length && picks.length < CAPTURE_PROBE_FRAMES; k++) {
    const i = active[Math.floor(k * step)];
    if (i === undefined) break;
    if (picks[picks.length - 1] !== i) picks.push(i);
  }
  const pool = ctx.app.get(BrowserPool);
  const lease = await pool.acquire(ctx.signal);
  let page: CaptionPage | undefined;
  try {
    const tOpen = performance.now();
    page = await CaptionPage.open(await lease.newPage(), await loadCaptionPageAssets(), { width, height });
    await page.load(job.prepared.scenario);
    const openLoadMs = performance.now() - tOpen;
    const seekMs: number[] = [];
    const fullMs: number[] = [];
    const stripMs: number[] = [];
    const pngBytes: number[] = [];
    const strip = { x: 0, y: Math.round(height * 0.7), width, height: height - Math.round(height * 0.7) };
    let samplePng: Buffer | undefined;
    for (const i of picks) {
      ctx.signal.throwIfAborted();
      const t = i / fps;
      const a = performance.now();
      const state = await page.seek(t);
      const b = performance.now();
      seekMs.push(b - a);
      if (!state.visible) continue;
      const png = await page.capture();
      const c = performance.now();
      await page.capture(strip);
      const d = performance.now();
      fullMs.push(c - b);
      stripMs.push(d - c);
      pngBytes.push(png.length);
      samplePng ??= png;
    }
    return {
      framesTimed: fullMs.length,
      pageOpenAndLoadMs: Math.round(openLoadMs),
      seekMsPerFrame: r1(mean(seekMs)),
      captureMsPerFrame: r1(mean(fullMs)),
      bottom30pctCaptureMsPerFrame: r1(mean(stripMs)),
      pngKbPerFrame: r1(mean(pngBytes) / 1024),
      samplePng,
    };
  } finally {
    await page?.close().catch(() => undefined);
    await lease.release();
  }
}

/**
 * The ffmpeg side of the render without Chromium: the same composite command, fed a real caption
 * PNG on every frame where a cue is active and the blank PNG elsewhere, as fast as ffmpeg takes them.
 */
async function compositeReplay(ctx: Context, job: Job, captionPng: Buffer, output: string): Promise<void> {
  const { source, options } = job;
  const blank = transparentPng(options.width, options.height);
  const ff = FfmpegProcess.start(
    buildCompositeArgs({
      sourcePath: source.path,
      output,
      width: options.width,
      height: options.height,
      fps: options.fps,
      durationSec: source.durationSec,
      encoder: ctx.encoder,
      quality: options.quality,
      preset: ctx.encoder === 'libx264' ? ctx.config.x264Preset : undefined,
      hasAudio: source.hasAudio,
      audioCodec: source.audioCodec,
      captionInput: { kind: 'png-pipe' },
    }),
    { signal: ctx.signal, ffmpegPath: ctx.config.ffmpegPath },
  );
  try {
    for (let i = 0; i < job.framesTotal; i++) {
      await ff.write(isActiveAt(job.prepared, i / options.fps) ? captionPng : blank);
      if (i % 30 === 0) ctx.status(`  composite replay ${i}/${job.framesTotal} frames`);
    }
    await ff.finish();
  } catch (err) {
    await ff.kill();
    throw err;
  }
}

async function runWorkload(ctx: Context, workload: Workload, seconds: number | undefined, repeat: number) {
  const spec = seconds === undefined ? workload.source : { ...workload.source, durationSec: seconds };
  const gen = await ensureSource(spec, CACHE_DIR, ctx.config.ffmpegPath, ctx.log);
  if (gen.generated) ctx.log(`  source generated in ${gen.seconds.toFixed(1)} s`);
  const source = await ctx.app.get(MediaProbe).probe(gen.path);
  const scenario = workload.buildScenario(spec.durationSec);
  const prepared = prepareScenario(scenario);
  const options = resolveRenderOptions({}, source);
  const job: Job = { workload, source, options, scenario, prepared, framesTotal: expectedFrameCount(source.durationSec, options.fps) };
  const cues = Array.isArray(scenario.cues) ? scenario.cues.length : 0;
  ctx.log(
    `workload ${workload.name}: ${source.width}x${source.height} @ ${options.fps} fps, ${source.durationSec.toFixed(2)} s, ` +
      `${job.framesTotal} frames, ${cues} cues, audio ${source.hasAudio ? source.audioCodec : 'none'}; ` +
      `${ctx.encoder}${ctx.encoder === 'libx264' ? ` ${ctx.config.x264Preset}` : ''}, quality ${options.quality}`,
  );

  const transcodes: Array<Measured<void> & { output: { durationSec: number; sizeMb: number } }> = [];
  const renders: Array<Measured<{ summary: RenderSummary; setupSeconds: number }> & { output: { durationSec: number; sizeMb: number } }> = [];
  for (let rep = 0; rep < repeat; rep++) {
    const tOut = join(ctx.tmpDir, `${workload.name}-transcode-${rep}.mp4`);
    const t = await measured(() => transcode(ctx, job, tOut));
    transcodes.push({ ...t, output: await outputCheck(ctx, tOut) });
    ctx.status('');
    ctx.log(`  transcode #${rep + 1}: ${t.wallSeconds.toFixed(2)} s, ffmpeg peak PSS ${t.memory.peakByKindMb.ffmpeg} MB`);

    const rOut = join(ctx.tmpDir, `${workload.name}-render-${rep}.mp4`);
    const r = await measured(() => render(ctx, job, rOut));
    renders.push({ ...r, output: await outputCheck(ctx, rOut) });
    ctx.status('');
    ctx.log(
      `  render    #${rep + 1}: ${r.wallSeconds.toFixed(2)} s (${r.value.summary.framesCaptured}/${r.value.summary.framesTotal} captured), ` +
        `peak PSS ${r.memory.peakTotalMb} MB`,
    );
  }

  // The reported run: the render with the median wall time, and the median transcode.
  const renderRun = [...renders].sort((a, b) => a.wallSeconds - b.wallSeconds)[(renders.length - 1) >> 1];
  const transcodeRun = [...transcodes].sort((a, b) => a.wallSeconds - b.wallSeconds)[(transcodes.length - 1) >> 1];
  const wallSeconds = median(renders.map((r) => r.wallSeconds));
  const transcodeSeconds = median(transcodes.map((t) => t.wallSeconds));
  const s = renderRun.value.summary;

  let breakdown: Record<string, unknown> | undefined;
  if (ctx.breakdown) {
    ctx.status('  capture probe…');
    const cap = await captureProbe(ctx, job);
    ctx.status('');
    let replay: Measured<void> | undefined;
    if (cap.samplePng) {
      const out = join(ctx.tmpDir, `${workload.name}-replay.mp4`);
      replay = await measured(() => compositeReplay(ctx, job, cap.samplePng!, out));
      await rm(out, { force: true });
      ctx.status('');
    }
    const { samplePng: _unused, ...capFigures } = cap;
    const captureSideSeconds = (s.framesCaptured * (cap.seekMsPerFrame + cap.captureMsPerFrame)) / 1000;
    breakdown = {
      ...capFigures,
      /** Seek + screenshot of every captured frame at the probe's per-frame cost, run alone. */
      captureSideSecondsEstimate: r2(captureSideSeconds),
      /** The composite ffmpeg run fed pre-made PNGs: the encoder side with no Chromium. */
      compositeReplaySeconds: replay ? r2(replay.wallSeconds) : null,
      compositeReplayCpuSeconds: replay ? replay.memory.cpuSecondsByKind : null,
      compositeReplayPeakFfmpegMb: replay ? replay.memory.peakByKindMb.ffmpeg : null,
    };
  }

  return {
    name: workload.name,
    wallSeconds: r2(wallSeconds),
    transcodeSeconds: r2(transcodeSeconds),
    ratio: r2(wallSeconds / transcodeSeconds),
    fps: r2(s.framesTotal / wallSeconds),
    realtimeFactor: r2(s.durationSec / wallSeconds),
    transcodeRealtimeFactor: r2(source.durationSec / transcodeSeconds),
    framesCaptured: s.framesCaptured,
    framesTotal: s.framesTotal,
    peakMemoryMb: renderRun.memory.peakTotalMb,
    peakMemoryByKindMb: renderRun.memory.peakByKindMb,
    peakMemoryAtPeakByKindMb: renderRun.memory.atPeakByKindMb,
    processesByKind: renderRun.memory.maxProcessesByKind,
    cpuSecondsByKind: renderRun.memory.cpuSecondsByKind,
    transcodePeakMemoryMb: transcodeRun.memory.peakByKindMb.ffmpeg,
    transcodeCpuSeconds: transcodeRun.memory.cpuSecondsByKind.ffmpeg,
    setupSeconds: r2(renderRun.value.setupSeconds),
    durationSec: r2(s.durationSec),
    width: s.width,
    height: s.height,
    outputFps: s.fps,
    encoder: s.encoder,
    preset: s.encoder === 'libx264' ? ctx.config.x264Preset : 'p4',
    quality: options.quality,
    cues: Array.isArray(scenario.cues) ? scenario.cues.length : 0,
    renderOutput: renderRun.output,
    transcodeOutput: transcodeRun.output,
    runs: { renderSeconds: renders.map((r) => r2(r.wallSeconds)), transcodeSeconds: transcodes.map((t) => r2(t.wallSeconds)) },
    samplerMeanSampleMs: renderRun.memory.meanSampleMs,
    /** CPU the memory sampler itself used during the render (included in cpuSecondsByKind.node). */
    samplerCpuSeconds: renderRun.memory.samplerCpuSeconds,
    ...(breakdown ? { breakdown } : {}),
  };
}

type WorkloadResult = Awaited<ReturnType<typeof runWorkload>>;

function report(r: WorkloadResult): string {
  const k = r.peakMemoryByKindMb;
  const cpu = r.cpuSecondsByKind;
  const lines = [
    '',
    `== ${r.name}: ${r.width}x${r.height} @ ${r.outputFps} fps, ${r.durationSec} s, ${r.encoder} ${r.preset}, quality ${r.quality}`,
    `  render wall        ${r.wallSeconds.toFixed(2)} s   (${r.fps.toFixed(1)} fps, ${r.realtimeFactor.toFixed(2)}x realtime; first frames after ${r.setupSeconds.toFixed(2)} s)`,
    `  transcode wall     ${r.transcodeSeconds.toFixed(2)} s   (${r.transcodeRealtimeFactor.toFixed(2)}x realtime)`,
    `  ratio              ${r.ratio.toFixed(2)}  (render / transcode)`,
    `  frames captured    ${r.framesCaptured} / ${r.framesTotal}  (${((100 * r.framesCaptured) / r.framesTotal).toFixed(0)} %)`,
    `  peak PSS render    ${r.peakMemoryMb} MB total; per kind: node ${k.node}, chromium ${k.chromium} (${r.processesByKind.chromium} procs), ffmpeg ${k.ffmpeg}${k.other ? `, other ${k.other}` : ''} MB`,
    `  peak PSS transcode ${r.transcodePeakMemoryMb} MB (ffmpeg)`,
    `  CPU seconds render node ${cpu.node} (of which the PSS sampler ${r.samplerCpuSeconds}), chromium ${cpu.chromium}, ffmpeg ${cpu.ffmpeg}; transcode ffmpeg ${r.transcodeCpuSeconds}`,
    `  outputs            render ${r.renderOutput.durationSec} s / ${r.renderOutput.sizeMb} MB, transcode ${r.transcodeOutput.durationSec} s / ${r.transcodeOutput.sizeMb} MB (deleted)`,
  ];
  if (r.runs.renderSeconds.length > 1) {
    lines.push(`  runs               render ${r.runs.renderSeconds.join(', ')} s; transcode ${r.runs.transcodeSeconds.join(', ')} s (medians above)`);
  }
  const b = r.breakdown as Record<string, any> | undefined;
  if (b) {
    lines.push(
      `  breakdown (alone)  seek ${b.seekMsPerFrame} ms + full-frame capture ${b.captureMsPerFrame} ms per captured frame ` +
        `(bottom-30 % strip ${b.bottom30pctCaptureMsPerFrame} ms; PNG ${b.pngKbPerFrame} KB; page open+load ${b.pageOpenAndLoadMs} ms)`,
      `                     capture side ≈ ${b.captureSideSecondsEstimate} s for ${r.framesCaptured} frames; ` +
        `ffmpeg side (composite replay, no Chromium) ${b.compositeReplaySeconds} s, ffmpeg CPU ${b.compositeReplayCpuSeconds?.ffmpeg} s`,
    );
  }
  return lines.join('\n');
}

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

  sampleIntervalMs = args.sampleMs;
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
    await app.get(BrowserPool).warmUp();
    const encoder = (await app.get(EncoderProbe).select()).encoder;
    await loadCaptionPageAssets();
    const warmSeconds = (performance.now() - warm0) / 1000;
    log(
      `ecg-render bench: ${cpus().length} cores (${cpus()[0]?.model?.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
        `load ${loadStart.toFixed(2)}; browser pool warmed up in ${warmSeconds.toFixed(2)} s (not measured); encoder ${encoder}`,
    );
    tmpDir = await mkdtemp(join(config.tempDir, 'ecg-bench-'));
    const ctx: Context = { app, config, encoder, tmpDir, signal: abort.signal, log, status, breakdown: args.breakdown };

    const results: WorkloadResult[] = [];
    for (const w of args.workloads) {
      const r = await runWorkload(ctx, w, args.seconds, args.repeat);
      results.push(r);
      log(report(r));
    }
    const loadEnd = loadavg()[0];
    log(`\nload average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (2 cores: other work on the machine skews the figures)`);
    if (args.json) {
      log(
        JSON.stringify({
          date: new Date().toISOString(),
          machine: { cores: cpus().length, cpuModel: cpus()[0]?.model?.trim(), memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverageStart: r2(loadStart), loadAverageEnd: r2(loadEnd) },
          browserWarmupSeconds: r2(warmSeconds),
          memoryMethod: `peak of summed PSS (/proc/<pid>/smaps_rollup) of node and all its descendants, sampled every ${sampleIntervalMs} ms (in a worker thread)`,
          workloads: results,
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
