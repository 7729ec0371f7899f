// `node --max-semi-space-size=1 dist/bench/capture-ab.js [--workload editor] [--pages 1,2] [--repeat 2] [--seconds N]`
//
// Issue 15's side-by-side measurement of capturing on one page against several: in one process
// and one warmed browser pool, for each repeat a plain transcode (the render's encoder settings),
// then one render per page count, the order of the page counts reversed on every other repeat so
// that a drift in the machine's load falls on both. Each render's output video stream is hashed
// (ffmpeg's md5 of the encoded packets): equal hashes mean equal frames. Memory: peak summed PSS of
// the process tree (bench/proc-sampler.ts). The last line of stdout is one JSON object.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { loadCaptionPageAssets } from '../libs/caption-page/src/index.js';
import { BrowserPool } from '../src/browser-pool/browser-pool.service.js';
import { loadEngineConfig } from '../src/config/app-config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { EncoderProbe } from '../src/encoder/encoder-probe.js';
import { buildTranscodeArgs } from '../src/encoder/ffmpeg-args.js';
import { FfmpegProcess } from '../src/encoder/ffmpeg-process.js';
import { MediaProbe } from '../src/encoder/media-probe.js';
import { EngineModule } from '../src/render/engine.module.js';
import { RenderEngine } from '../src/render/render-engine.service.js';
import { resolveRenderOptions } from '../src/render/render-options.js';
import { StreamingPipeline } from '../src/render/streaming-pipeline.js';
import { startSamplerProcess } from './proc-sampler.js';
import { ensureSource } from './source.js';
import { findWorkload } from './workloads.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const execFileAsync = promisify(execFile);
const r2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

@Module({})
class AbModule {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string', default: 'editor' },
      pages: { type: 'string', default: '1,2' },
      repeat: { type: 'string', default: '2' },
      seconds: { type: 'string' },
    },
    strict: true,
  });
  const workload = findWorkload(values.workload);
  if (!workload) throw new Error(`unknown workload ${values.workload}`);
  const pageCounts = values.pages.split(',').map(Number);
  if (pageCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 4)) throw new Error('--pages takes counts from 1 to 4');
  const repeat = Number(values.repeat);
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const config = loadEngineConfig();
  const app = await NestFactory.createApplicationContext(
    { module: AbModule, imports: [ConfigModule.forEngine(config), EngineModule] },
    { logger: ['error', 'warn'], abortOnError: false },
  );
  const tmp = await mkdtemp(join(config.tempDir, 'ecg-capture-ab-'));
  try {
    await app.get(BrowserPool).warmUp();
    await loadCaptionPageAssets();
    const encoder = (await app.get(EncoderProbe).select()).encoder;
    const spec = values.seconds ? { ...workload.source, durationSec: Number(values.seconds) } : workload.source;
    const source = await app
      .get(MediaProbe)
      .probe((await ensureSource(spec, join(REPO_ROOT, '.cache', 'bench'), config.ffmpegPath, log)).path);
    const scenario = workload.buildScenario(spec.durationSec);
    const options = resolveRenderOptions(workload.renderOptions ?? {}, source);
    const load0 = loadavg()[0];
    log(
      `capture A/B, workload ${workload.name}: ${source.durationSec} s, ${encoder} ${config.x264Preset} quality ${options.quality}; pages ${pageCounts.join(' vs ')}, ${repeat} repeats; load ${load0.toFixed(2)} (${cpus().length} cores)`,
    );

    const pipeline = app.get(StreamingPipeline);
    const rows: Array<{
      kind: string;
      rep: number;
      wallSeconds: number;
      peakMb: number;
      byKind?: unknown;
      captured?: number;
      frames?: number;
      md5?: string;
    }> = [];
    for (let rep = 0; rep < repeat; rep++) {
      const t0 = performance.now();
      const sampT = await startSamplerProcess(process.pid, 200);
      const tOut = join(tmp, `transcode-${rep}.mp4`);
      await FfmpegProcess.start(
        buildTranscodeArgs({
          sourcePath: source.path,
          output: tOut,
          width: options.width,
          height: options.height,
          fps: options.fps,
          durationSec: source.durationSec,
          encoder,
          quality: options.quality,
          preset: encoder === 'libx264' ? config.x264Preset : undefined,
          hasAudio: source.hasAudio,
          audioCodec: source.audioCodec,
        }),
        { ffmpegPath: config.ffmpegPath },
      ).finish();
      const tMem = await sampT.stop();
      rows.push({ kind: 'transcode', rep, wallSeconds: r2((performance.now() - t0) / 1000), peakMb: tMem.peakTotalMb });
      await rm(tOut, { force: true });
      log(`  #${rep + 1} transcode ${rows[rows.length - 1].wallSeconds} s (load ${loadavg()[0].toFixed(2)})`);

      const order = rep % 2 ? [...pageCounts].reverse() : pageCounts;
      for (const pages of order) {
        pipeline.capturePages = pages;
        const out = join(tmp, `render-${pages}-${rep}.mp4`);
        const sampler = await startSamplerProcess(process.pid, 200);
        const t1 = performance.now();
        const summary = await app.get(RenderEngine).render({ videoPath: source.path, scenario, options, outputPath: out });
        const wallSeconds = r2((performance.now() - t1) / 1000);
        const mem = await sampler.stop();
        const { stdout } = await execFileAsync(config.ffmpegPath, [
          '-v',
          'error',
          '-i',
          out,
          '-map',
          '0:v:0',
          '-c',
          'copy',
          '-f',
          'md5',
          '-',
        ]);
        await rm(out, { force: true });
        rows.push({
          kind: `pages=${pages}`,
          rep,
          wallSeconds,
          peakMb: mem.peakTotalMb,
          byKind: mem.peakByKindMb,
          captured: summary.framesCaptured,
          frames: summary.framesTotal,
          md5: stdout.trim(),
        });
        log(
          `  #${rep + 1} render pages=${pages}: ${wallSeconds} s, ${summary.framesCaptured}/${summary.framesTotal} captured, peak PSS ${mem.peakTotalMb} MB ${JSON.stringify(mem.peakByKindMb)}, ${stdout.trim()} (load ${loadavg()[0].toFixed(2)})`,
        );
      }
    }
    const transcode = median(rows.filter((r) => r.kind === 'transcode').map((r) => r.wallSeconds));
    const summary = pageCounts.map((pages) => {
      const mine = rows.filter((r) => r.kind === `pages=${pages}`);
      const wall = median(mine.map((r) => r.wallSeconds));
      return {
        pages,
        wallSecondsMedian: wall,
        ratio: r2(wall / transcode),
        realtimeFactor: r2(source.durationSec / wall),
        peakMbMax: Math.max(...mine.map((r) => r.peakMb)),
      };
    });
    const hashes = new Set(rows.filter((r) => r.md5).map((r) => r.md5));
    log(
      `transcode median ${transcode} s; ${summary.map((s) => `pages=${s.pages}: ${s.wallSecondsMedian} s, ratio ${s.ratio}, ${s.realtimeFactor}x realtime, peak PSS ≤ ${s.peakMbMax} MB`).join('; ')}`,
    );
    log(
      `outputs: ${hashes.size === 1 ? 'every render has the same video stream' : `${hashes.size} different video streams`}; load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
    );
    log(
      JSON.stringify({
        date: new Date().toISOString(),
        workload: workload.name,
        transcodeMedianSeconds: transcode,
        summary,
        identicalVideo: hashes.size === 1,
        rows,
      }),
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await app.close();
  }
}

await main();
