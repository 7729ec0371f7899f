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
// by a sampler process of its own, left out of the sum (bench/proc-sampler.ts). Then, unless --no-breakdown, where the time goes, measured alone the
// way the streaming pipeline works: the survey, seek + screenshot of the captions' union region +
// PNG→RGBA decode per captured frame, and the ffmpeg side replayed without Chromium (region-sized
// raw RGBA on stdin, blended only while captions show).
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
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { EMPTY_SIGNATURE, overlayRegion, planRuns, visibleSpans } from '../src/render/caption-plan.js';
import { FfmpegProcess } from '../src/encoder/ffmpeg-process.js';
import { MediaProbe, type ProbedMedia } from '../src/encoder/media-probe.js';
import { EngineModule } from '../src/render/engine.module.js';
import { RenderEngine, type RenderSummary } from '../src/render/render-engine.service.js';
import { resolveRenderOptions, type ResolvedRenderOptions } from '../src/render/render-options.js';
import { isActiveAt, prepareScenario, type PreparedScenario } from '../src/scenario/prepare-scenario.js';
import { startSamplerProcess, type SampleReport } from './proc-sampler.js';
import { ensureSource } from './source.js';
import { serviceRender } from './service-run.js';
import { WORKLOADS, allWorkloadNames, findWorkload, type Workload } from './workloads.js';

const USAGE =
  'usage: npm run bench -- [--json] [--workload NAME[,NAME…]] [--seconds N] [--repeat N] [--sample-ms MS] [--no-breakdown] [--no-transcode]\n' +
  '       npm run bench -- --workers 1,2 [--workload long] [--seconds 180] [--segment-seconds 60] [--json]';
/** Source length of the --workers mode unless --seconds says otherwise. */
const WORKERS_DEFAULT_SECONDS = 180;
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
  transcode: boolean;
  workers?: number[];
  segmentSeconds: number;
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
      transcode: { type: 'boolean', default: true },
      workers: { type: 'string' },
      'segment-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowNegative: true,
    strict: true,
  });
  if (values.help) throw new UsageError('');
  let workloads = [...WORKLOADS];
  if (values.workers !== undefined) workloads = [findWorkload('long')!];
  if (values.workload !== undefined) {
    workloads = values.workload.split(',').map((name) => {
      const w = findWorkload(name.trim());
      if (!w) throw new UsageError(`unknown workload '${name}' (known: ${allWorkloadNames().join(', ')})`);
      return w;
    });
  }
  let workers: number[] | undefined;
  if (values.workers !== undefined) {
    workers = values.workers.split(',').map((x) => Number(x.trim()));
    if (!workers.length || workers.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) {
      throw new UsageError(`--workers takes worker counts from 1 to 8, e.g. 1,2 (got ${JSON.stringify(values.workers)})`);
    }
    if (workloads.length !== 1) throw new UsageError('--workers runs one workload');
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
    transcode: values.transcode!,
    workers,
    segmentSeconds: positive('segment-seconds', values['segment-seconds'], true, 3600) ?? 60,
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
  const sampler = await startSamplerProcess(process.pid, sampleIntervalMs);
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
  transcode: boolean;
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
    options: job.options,
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

interface OutputFigures {
  durationSec: number;
  sizeMb: number;
  videoFrames: number;
}

async function outputCheck(ctx: Context, path: string): Promise<OutputFigures> {
  const probed = await ctx.app.get(MediaProbe).probe(path);
  const size = (await stat(path)).size;
  const videoFrames = await countVideoFrames(ctx.config.ffprobePath, path);
  await rm(path, { force: true });
  return { durationSec: r2(probed.durationSec), sizeMb: r1(size / 1e6), videoFrames };
}

/**
 * The capture side measured alone, as the streaming pipeline does it: survey every frame where a
 * cue may show (signatures + union box), plan runs of identical frames, then — on up to
 * CAPTURE_PROBE_FRAMES runs spread over the timeline — seek, screenshot the overlay region and
 * decode the PNG to raw RGBA. A full-frame screenshot is timed beside it for comparison.
 */
async function captureProbe(ctx: Context, job: Job) {
  const { fps, width, height } = job.options;
  const pool = ctx.app.get(BrowserPool);
  const lease = await pool.acquire(ctx.signal);
  let page: CaptionPage | undefined;
  try {
    const tOpen = performance.now();
    page = await CaptionPage.open(await lease.newPage(), await loadCaptionPageAssets(), { width, height });
    await page.load(job.prepared.scenario, { fps });
    const openLoadMs = performance.now() - tOpen;

    const active: number[] = [];
    for (let i = 0; i < job.framesTotal; i++) if (isActiveAt(job.prepared, i / fps)) active.push(i);
    const tSurvey = performance.now();
    const survey = await page.survey(active.map((i) => i / fps));
    const surveyMs = performance.now() - tSurvey;
    const signatures = new Array<string>(job.framesTotal).fill(EMPTY_SIGNATURE);
    active.forEach((frame, k) => (signatures[frame] = survey.signatures[k]));
    const runs = planRuns(signatures);
    const visibleRuns = runs.filter((r) => r.signature !== EMPTY_SIGNATURE);
    const region = survey.bbox ? overlayRegion(survey.bbox, width, height) : null;
    if (!region || visibleRuns.length === 0) {
      return {
        figures: { framesTimed: 0, pageOpenAndLoadMs: Math.round(openLoadMs), surveyMs: Math.round(surveyMs) },
        runs,
        region: null,
        sample: undefined,
      };
    }

    const step = Math.max(1, visibleRuns.length / CAPTURE_PROBE_FRAMES);
    const picks: number[] = [];
    for (let k = 0; k < visibleRuns.length && picks.length < CAPTURE_PROBE_FRAMES; k++) {
      const run = visibleRuns[Math.floor(k * step)];
      if (!run) break;
      if (picks[picks.length - 1] !== run.first) picks.push(run.first);
    }
    const seekMs: number[] = [];
    const regionMs: number[] = [];
    const decodeMs: number[] = [];
    const fullMs: number[] = [];
    const pngBytes: number[] = [];
    let sample: Buffer | undefined;
    for (const [n, i] of picks.entries()) {
      ctx.signal.throwIfAborted();
      const a = performance.now();
      await page.seek(i / fps);
      const b = performance.now();
      const png = await page.capture(region);
      const c = performance.now();
      const rgba = PNG.sync.read(png).data;
      const d = performance.now();
      seekMs.push(b - a);
      regionMs.push(c - b);
      decodeMs.push(d - c);
      pngBytes.push(png.length);
      sample ??= rgba;
      if (n % 4 === 0) {
        const e = performance.now();
        await page.capture();
        fullMs.push(performance.now() - e);
      }
    }
    return {
      figures: {
        framesTimed: picks.length,
        pageOpenAndLoadMs: Math.round(openLoadMs),
        surveyMs: Math.round(surveyMs),
        surveyedFrames: active.length,
        runs: runs.length,
        visibleRuns: visibleRuns.length,
        region,
        regionSharePct: r1((100 * region.width * region.height) / (width * height)),
        seekMsPerFrame: r1(mean(seekMs)),
        regionCaptureMsPerFrame: r1(mean(regionMs)),
        rgbaDecodeMsPerFrame: r1(mean(decodeMs)),
        fullFrameCaptureMsPerFrame: r1(mean(fullMs)),
        pngKbPerFrame: r1(mean(pngBytes) / 1024),
      },
      runs,
      region,
      sample,
    };
  } finally {
    await page?.close().catch(() => undefined);
    await lease.release();
  }
}

/**
 * The ffmpeg side of the render without Chromium: the pipeline's own composite command (region-sized
 * raw RGBA on stdin, blended only during visible spans), fed one real caption frame on every frame
 * where a caption shows and the blank frame elsewhere, as fast as ffmpeg takes them.
 */
async function compositeReplay(ctx: Context, job: Job, probe: Awaited<ReturnType<typeof captureProbe>>, output: string): Promise<void> {
  const { source, options } = job;
  const region = probe.region!;
  const blank = Buffer.alloc(region.width * region.height * 4);
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
      captionInput: { kind: 'rgba-pipe', ...region, enable: visibleSpans(probe.runs, options.fps) },
    }),
    { signal: ctx.signal, ffmpegPath: ctx.config.ffmpegPath },
  );
  try {
    let i = 0;
    for (const run of probe.runs) {
      const frame = run.signature === EMPTY_SIGNATURE ? blank : probe.sample!;
      for (let k = 0; k < run.count; k++, i++) {
        await ff.write(frame);
        if (i % 30 === 0) ctx.status(`  composite replay ${i}/${job.framesTotal} frames`);
      }
    }
    await ff.finish();
  } catch (err) {
    await ff.kill();
    throw err;
  }
}

const execFileAsync = promisify(execFile);

/** Video frames of an MP4 (packets of its first video stream, counted by ffprobe). */
async function countVideoFrames(ffprobePath: string, path: string): Promise<number> {
  const { stdout } = await execFileAsync(ffprobePath, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(stdout.trim());
}

async function runWorkload(ctx: Context, workload: Workload, seconds: number | undefined, repeat: number) {
  const spec = seconds === undefined ? workload.source : { ...workload.source, durationSec: seconds };
  const gen = await ensureSource(spec, CACHE_DIR, ctx.config.ffmpegPath, ctx.log);
  if (gen.generated) ctx.log(`  source generated in ${gen.seconds.toFixed(1)} s`);
  const source = await ctx.app.get(MediaProbe).probe(gen.path);
  const scenario = workload.buildScenario(spec.durationSec);
  const prepared = prepareScenario(scenario);
  const options = resolveRenderOptions(workload.renderOptions ?? {}, source);
  const job: Job = { workload, source, options, scenario, prepared, framesTotal: expectedFrameCount(source.durationSec, options.fps) };
  const cues = Array.isArray(scenario.cues) ? scenario.cues.length : 0;
  ctx.log(
    `workload ${workload.name}: ${source.width}x${source.height} @ ${options.fps} fps, ${source.durationSec.toFixed(2)} s, ` +
      `${job.framesTotal} frames, ${cues} cues, audio ${source.hasAudio ? source.audioCodec : 'none'}; ` +
      `${ctx.encoder}${ctx.encoder === 'libx264' ? ` ${ctx.config.x264Preset}` : ''}, quality ${options.quality}`,
  );

  const transcodes: Array<Measured<void> & { output: OutputFigures }> = [];
  const renders: Array<Measured<{ summary: RenderSummary; setupSeconds: number }> & { output: OutputFigures }> = [];
  for (let rep = 0; rep < repeat; rep++) {
    if (ctx.transcode) {
      const tOut = join(ctx.tmpDir, `${workload.name}-transcode-${rep}.mp4`);
      const t = await measured(() => transcode(ctx, job, tOut));
      transcodes.push({ ...t, output: await outputCheck(ctx, tOut) });
      ctx.status('');
      ctx.log(`  transcode #${rep + 1}: ${t.wallSeconds.toFixed(2)} s, ffmpeg peak PSS ${t.memory.peakByKindMb.ffmpeg} MB`);
    }

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
  const transcodeRun = transcodes.length
    ? [...transcodes].sort((a, b) => a.wallSeconds - b.wallSeconds)[(transcodes.length - 1) >> 1]
    : undefined;
  const wallSeconds = median(renders.map((r) => r.wallSeconds));
  const transcodeSeconds = transcodes.length ? median(transcodes.map((t) => t.wallSeconds)) : null;
  const s = renderRun.value.summary;

  let breakdown: Record<string, unknown> | undefined;
  if (ctx.breakdown) {
    ctx.status('  capture probe…');
    const probe = await captureProbe(ctx, job);
    ctx.status('');
    let replay: Measured<void> | undefined;
    if (probe.sample) {
      const out = join(ctx.tmpDir, `${workload.name}-replay.mp4`);
      replay = await measured(() => compositeReplay(ctx, job, probe, out));
      await rm(out, { force: true });
      ctx.status('');
    }
    const f = probe.figures as Record<string, any>;
    const perCaptured = (f.seekMsPerFrame ?? 0) + (f.regionCaptureMsPerFrame ?? 0) + (f.rgbaDecodeMsPerFrame ?? 0);
    breakdown = {
      ...probe.figures,
      /** Survey + (seek + region screenshot + RGBA decode) per captured frame, at the probe's cost, run alone. */
      captureSideSecondsEstimate: r2((f.surveyMs ?? 0) / 1000 + (s.framesCaptured * perCaptured) / 1000),
      /** The pipeline's composite ffmpeg run fed ready RGBA frames: the encoder side with no Chromium. */
      compositeReplaySeconds: replay ? r2(replay.wallSeconds) : null,
      compositeReplayCpuSeconds: replay ? replay.memory.cpuSecondsByKind : null,
      compositeReplayPeakFfmpegMb: replay ? replay.memory.peakByKindMb.ffmpeg : null,
    };
  }

  return {
    name: workload.name,
    wallSeconds: r2(wallSeconds),
    transcodeSeconds: transcodeSeconds === null ? null : r2(transcodeSeconds),
    ratio: transcodeSeconds === null ? null : r2(wallSeconds / transcodeSeconds),
    fps: r2(s.framesTotal / wallSeconds),
    realtimeFactor: r2(s.durationSec / wallSeconds),
    transcodeRealtimeFactor: transcodeSeconds === null ? null : r2(source.durationSec / transcodeSeconds),
    msPerFrame: r2((1000 * wallSeconds) / s.framesTotal),
    framesCaptured: s.framesCaptured,
    framesTotal: s.framesTotal,
    peakMemoryMb: renderRun.memory.peakTotalMb,
    peakMemoryByKindMb: renderRun.memory.peakByKindMb,
    peakMemoryAtPeakByKindMb: renderRun.memory.atPeakByKindMb,
    processesByKind: renderRun.memory.maxProcessesByKind,
    cpuSecondsByKind: renderRun.memory.cpuSecondsByKind,
    transcodePeakMemoryMb: transcodeRun ? transcodeRun.memory.peakByKindMb.ffmpeg : null,
    transcodeCpuSeconds: transcodeRun ? transcodeRun.memory.cpuSecondsByKind.ffmpeg : null,
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
    transcodeOutput: transcodeRun ? transcodeRun.output : null,
    runs: { renderSeconds: renders.map((r) => r2(r.wallSeconds)), transcodeSeconds: transcodes.map((t) => r2(t.wallSeconds)) },
    samplerMeanSampleMs: renderRun.memory.meanSampleMs,
    /** CPU the memory sampler (a process of its own, outside the measured tree) used during the render. */
    samplerCpuSeconds: renderRun.memory.samplerCpuSeconds,
    ...(breakdown ? { breakdown } : {}),
  };
}

type WorkloadResult = Awaited<ReturnType<typeof runWorkload>>;

function report(r: WorkloadResult): string {
  const k = r.peakMemoryByKindMb;
  const cpu = r.cpuSecondsByKind;
  const t = r.transcodeSeconds;
  const lines = [
    '',
    `== ${r.name}: ${r.width}x${r.height} @ ${r.outputFps} fps, ${r.durationSec} s, ${r.encoder} ${r.preset}, quality ${r.quality}`,
    `  render wall        ${r.wallSeconds.toFixed(2)} s   (${r.fps.toFixed(1)} fps, ${r.msPerFrame} ms/frame, ${r.realtimeFactor.toFixed(2)}x realtime; first frames after ${r.setupSeconds.toFixed(2)} s)`,
    t === null
      ? '  transcode wall     (not run: --no-transcode)'
      : `  transcode wall     ${t.toFixed(2)} s   (${r.transcodeRealtimeFactor!.toFixed(2)}x realtime)`,
    r.ratio === null ? '  ratio              —' : `  ratio              ${r.ratio.toFixed(2)}  (render / transcode)`,
    `  frames captured    ${r.framesCaptured} / ${r.framesTotal}  (${((100 * r.framesCaptured) / r.framesTotal).toFixed(0)} %)`,
    `  peak PSS render    ${r.peakMemoryMb} MB total; per kind: node ${k.node}, chromium ${k.chromium} (${r.processesByKind.chromium} procs), ffmpeg ${k.ffmpeg}${k.other ? `, other ${k.other}` : ''} MB`,
    ...(r.transcodePeakMemoryMb === null ? [] : [`  peak PSS transcode ${r.transcodePeakMemoryMb} MB (ffmpeg)`]),
    `  CPU seconds render node ${cpu.node}, chromium ${cpu.chromium}, ffmpeg ${cpu.ffmpeg} (the PSS sampler apart: ${r.samplerCpuSeconds})` +
      (r.transcodeCpuSeconds === null ? '' : `; transcode ffmpeg ${r.transcodeCpuSeconds}`),
    `  outputs            render ${r.renderOutput.durationSec} s / ${r.renderOutput.videoFrames} frames / ${r.renderOutput.sizeMb} MB` +
      (r.transcodeOutput
        ? `, transcode ${r.transcodeOutput.durationSec} s / ${r.transcodeOutput.videoFrames} frames / ${r.transcodeOutput.sizeMb} MB`
        : '') +
      ' (deleted)',
  ];
  if (r.runs.renderSeconds.length > 1) {
    lines.push(
      `  runs               render ${r.runs.renderSeconds.join(', ')} s; transcode ${r.runs.transcodeSeconds.join(', ')} s (medians above)`,
    );
  }
  const b = r.breakdown as Record<string, any> | undefined;
  if (b && b.framesTimed) {
    lines.push(
      `  breakdown (alone)  survey ${b.surveyMs} ms for ${b.surveyedFrames} frames → ${b.runs} runs (${b.visibleRuns} visible); ` +
        `region ${b.region.width}x${b.region.height}+${b.region.x}+${b.region.y} (${b.regionSharePct} % of the frame)`,
      `                     per captured frame: seek ${b.seekMsPerFrame} ms + region screenshot ${b.regionCaptureMsPerFrame} ms + PNG→RGBA ${b.rgbaDecodeMsPerFrame} ms ` +
        `(full-frame screenshot ${b.fullFrameCaptureMsPerFrame} ms; PNG ${b.pngKbPerFrame} KB; page open+load ${b.pageOpenAndLoadMs} ms)`,
      `                     capture side ≈ ${b.captureSideSecondsEstimate} s for ${r.framesCaptured} frames; ` +
        `ffmpeg side (composite replay, no Chromium) ${b.compositeReplaySeconds} s, ffmpeg CPU ${b.compositeReplayCpuSeconds?.ffmpeg} s`,
    );
  }
  return lines.join('\n');
}

/** The 10-minute render against the 1-minute one (same scenario pattern, same invocation). */
function lengthComparison(results: WorkloadResult[]) {
  const short = results.find((r) => r.name === 'standard');
  const long = results.find((r) => r.name === 'long');
  if (!short || !long) return undefined;
  return {
    short: short.name,
    long: long.name,
    shortDurationSec: short.durationSec,
    longDurationSec: long.durationSec,
    peakMemoryMb: {
      short: short.peakMemoryMb,
      long: long.peakMemoryMb,
      changePct: r1((100 * (long.peakMemoryMb - short.peakMemoryMb)) / short.peakMemoryMb),
    },
    msPerFrame: {
      short: short.msPerFrame,
      long: long.msPerFrame,
      changePct: r1((100 * (long.msPerFrame - short.msPerFrame)) / short.msPerFrame),
    },
    ratio: { short: short.ratio, long: long.ratio },
  };
}

// ---------------------------------------------------------------------------------------------
// --workers: the real service, api + N worker processes

async function runWorkers(ctx: Context, args: Args, workload: Workload) {
  const seconds = args.seconds ?? WORKERS_DEFAULT_SECONDS;
  const spec = { ...workload.source, durationSec: seconds };
  const gen = await ensureSource(spec, CACHE_DIR, ctx.config.ffmpegPath, ctx.log);
  if (gen.generated) ctx.log(`  source generated in ${gen.seconds.toFixed(1)} s`);
  const source = await ctx.app.get(MediaProbe).probe(gen.path);
  const scenario = workload.buildScenario(spec.durationSec);
  const options = resolveRenderOptions(workload.renderOptions ?? {}, source);
  const framesTotal = expectedFrameCount(source.durationSec, options.fps);
  const env = {
    SEGMENT_SECONDS: String(args.segmentSeconds),
    SEGMENT_MIN_DURATION_SECONDS: String(args.segmentSeconds),
    WORKER_CONCURRENCY: '1',
    ENCODER: ctx.encoder === 'libx264' ? 'x264' : 'nvenc',
    X264_PRESET: ctx.config.x264Preset,
    MAX_VIDEO_DURATION_SECONDS: '10800',
  };
  ctx.log(
    `workers mode, workload ${workload.name}: ${source.width}x${source.height} @ ${options.fps} fps, ${source.durationSec.toFixed(2)} s, ${framesTotal} frames; ` +
      `SEGMENT_SECONDS=${env.SEGMENT_SECONDS} (${Math.ceil(source.durationSec / args.segmentSeconds)} segments), ${ctx.encoder} ${ctx.config.x264Preset}; worker counts ${args.workers!.join(', ')}`,
  );
  const runs = [];
  for (const n of args.workers!) {
    const m = await measured(() =>
      serviceRender({
        repoRoot: REPO_ROOT,
        sourcePath: source.path,
        scenario,
        workers: n,
        env,
        signal: ctx.signal,
        status: ctx.status,
        timeoutMs: Math.max(30 * 60_000, source.durationSec * 20_000),
      }),
    );
    const probed = await ctx.app.get(MediaProbe).probe(m.value.outputPath);
    const videoFrames = await countVideoFrames(ctx.config.ffprobePath, m.value.outputPath);
    const sizeMb = r1((await stat(m.value.outputPath)).size / 1e6);
    await rm(m.value.outputPath, { force: true });
    const run = {
      workers: n,
      wallSeconds: r2(m.value.wallSeconds),
      fps: r2(framesTotal / m.value.wallSeconds),
      realtimeFactor: r2(source.durationSec / m.value.wallSeconds),
      bootSeconds: r2(m.value.bootSeconds),
      output: {
        durationSec: r2(probed.durationSec),
        videoFrames,
        framesExpected: framesTotal,
        audio: probed.hasAudio ? probed.audioCodec : 'none',
        sizeMb,
      },
      /** Whole tree: this process, the api and worker node processes (other), their Chromium and ffmpeg. */
      peakMemoryMb: m.memory.peakTotalMb,
      peakMemoryByKindMb: m.memory.peakByKindMb,
      processesByKind: m.memory.maxProcessesByKind,
      cpuSecondsByKind: m.memory.cpuSecondsByKind,
    };
    runs.push(run);
    ctx.log(
      `  ${n} worker(s): ${run.wallSeconds} s (${run.fps} fps, ${run.realtimeFactor}x realtime), output ${videoFrames}/${framesTotal} frames, ` +
        `${run.output.durationSec} s, audio ${run.output.audio}; peak PSS of api + workers ${run.peakMemoryMb} MB (chromium procs ${run.processesByKind.chromium})`,
    );
  }
  const base = runs.find((r) => r.workers === 1) ?? runs[0];
  const speedups = runs.map((r) => ({ workers: r.workers, speedup: r2(base.wallSeconds / r.wallSeconds) }));
  ctx.log(`  speedup over ${base.workers} worker(s): ${speedups.map((x) => `${x.workers} → ${x.speedup.toFixed(2)}x`).join(', ')}`);
  return { name: workload.name, durationSec: r2(source.durationSec), framesTotal, segmentSeconds: args.segmentSeconds, runs, speedups };
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
          memoryMethod: `peak of summed PSS (/proc/<pid>/smaps_rollup) of node and all its descendants, sampled every ${sampleIntervalMs} ms by a process of its own, which is left out`,
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
