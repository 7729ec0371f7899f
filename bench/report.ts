// The human-readable report of a workload, and the 10-minute render against the 1-minute one.
import type { WorkloadResult } from './engine-run.js';
import { r1 } from './measure.js';

export function report(r: WorkloadResult): string {
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
  const b = r.breakdown;
  if (b && b.framesTimed && b.region) {
    lines.push(
      `  breakdown (alone)  survey ${b.surveyMs} ms for ${b.surveyedFrames} frames → ${b.runs} runs (${b.visibleRuns} visible); ` +
        `region ${b.region.width}x${b.region.height}+${b.region.x}+${b.region.y} (${b.regionSharePct} % of the frame)`,
      `                     per captured frame: seek ${b.seekMsPerFrame} ms + region screenshot ${b.regionCaptureMsPerFrame} ms + PNG→RGBA ${b.rgbaDecodeMsPerFrame} ms (pngjs ${b.pngjsDecodeMsPerFrame} ms) ` +
        `(full-frame screenshot ${b.fullFrameCaptureMsPerFrame} ms; PNG ${b.pngKbPerFrame} KB; page open+load ${b.pageOpenAndLoadMs} ms)`,
      `                     capture side ≈ ${b.captureSideSecondsEstimate} s for ${r.framesCaptured} frames; ` +
        `ffmpeg side (composite replay, no Chromium) ${b.compositeReplaySeconds} s, ffmpeg CPU ${b.compositeReplayCpuSeconds?.ffmpeg} s`,
    );
  }
  return lines.join('\n');
}

/** The 10-minute render against the 1-minute one (same scenario pattern, same invocation). */
export function lengthComparison(results: WorkloadResult[]) {
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
