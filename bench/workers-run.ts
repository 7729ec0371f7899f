// `--workers N[,M…]`: the workload rendered through the real service (bench/service-run.ts) once
// per worker count, with the output checked and the speedup over one worker reported.
import { rm, stat } from 'node:fs/promises';
import { expectedFrameCount } from '../src/encoder/ffmpeg-args.js';
import { MediaProbe } from '../src/encoder/media-probe.js';
import { resolveRenderOptions } from '../src/render/render-options.js';
import { WORKERS_DEFAULT_SECONDS, type Args } from './args.js';
import { CACHE_DIR, REPO_ROOT, type Context } from './context.js';
import { countVideoFrames, measured, r1, r2 } from './measure.js';
import { serviceRender } from './service-run.js';
import { ensureSource } from './source.js';
import type { Workload } from './workloads.js';

export async function runWorkers(ctx: Context, args: Args, workload: Workload) {
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
    const m = await measured(ctx.sampleMs, () =>
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
