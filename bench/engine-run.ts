// One workload in this process (the default mode): a plain transcode of the source with the
// render's own encoder settings, then the real render through RenderEngine, alternately, --repeat
// times, each with the process-tree sampler around it; then the breakdown (bench/breakdown.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTranscodeArgs, expectedFrameCount } from '../src/encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../src/encoder/ffmpeg-process.js';
import { MediaProbe } from '../src/encoder/media-probe.js';
import { RenderEngine, type RenderSummary } from '../src/render/render-engine.service.js';
import { resolveRenderOptions } from '../src/render/render-options.js';
import { prepareScenario } from '../src/scenario/prepare-scenario.js';
import { captureProbe, compositeReplay, type Breakdown } from './breakdown.js';
import { CACHE_DIR, type Context, type Job } from './context.js';
import { measured, median, outputCheck, r2, type Measured, type OutputFigures } from './measure.js';
import { ensureSource } from './source.js';
import type { Workload } from './workloads.js';

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

export async function runWorkload(ctx: Context, workload: Workload, seconds: number | undefined, repeat: number) {
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
      const t = await measured(ctx.sampleMs, () => transcode(ctx, job, tOut));
      transcodes.push({ ...t, output: await outputCheck(ctx, tOut) });
      ctx.status('');
      ctx.log(`  transcode #${rep + 1}: ${t.wallSeconds.toFixed(2)} s, ffmpeg peak PSS ${t.memory.peakByKindMb.ffmpeg} MB`);
    }

    const rOut = join(ctx.tmpDir, `${workload.name}-render-${rep}.mp4`);
    const r = await measured(ctx.sampleMs, () => render(ctx, job, rOut));
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

  let breakdown: Breakdown | undefined;
  if (ctx.breakdown) {
    ctx.status('  capture probe…');
    const probe = await captureProbe(ctx, job);
    ctx.status('');
    let replay: Measured<void> | undefined;
    if (probe.sample) {
      const out = join(ctx.tmpDir, `${workload.name}-replay.mp4`);
      replay = await measured(ctx.sampleMs, () => compositeReplay(ctx, job, probe, out));
      await rm(out, { force: true });
      ctx.status('');
    }
    const f = probe.figures;
    const perCaptured = (f.seekMsPerFrame ?? 0) + (f.regionCaptureMsPerFrame ?? 0) + (f.rgbaDecodeMsPerFrame ?? 0);
    breakdown = {
      ...f,
      captureSideSecondsEstimate: r2(f.surveyMs / 1000 + (s.framesCaptured * perCaptured) / 1000),
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

export type WorkloadResult = Awaited<ReturnType<typeof runWorkload>>;
