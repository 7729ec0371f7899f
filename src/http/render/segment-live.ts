// The live figures of a render split into segments: each segment is its own Bull job with its
// own frame counter, so the render's figures are their sum (the parent job's would stand still
// at "rendering" while any number of workers render its segments).
import type { SegmentRow } from '../../jobs/segments.repository.js';

export interface SegmentedLive {
  phase: 'rendering' | 'encoding';
  framesDone: number;
  framesTotal: number;
  /** Sum of the running segments' rates. */
  fps: number;
  etaSeconds: number | null;
  segments: { done: number; running: number; total: number };
  encoder?: string;
}

/** `running`: the live figures (Bull progress) of segments still pending, by segment index. */
export function aggregateSegmentLive(rows: readonly SegmentRow[], running: ReadonlyMap<number, Record<string, unknown>>): SegmentedLive {
  let framesTotal = 0;
  let framesDone = 0;
  let fps = 0;
  let done = 0;
  let active = 0;
  let encoder: string | undefined;
  for (const r of rows) {
    framesTotal += r.frameCount;
    if (r.status === 'done') {
      framesDone += r.frameCount;
      done++;
      continue;
    }
    const live = running.get(r.idx);
    if (!live) continue;
    active++;
    const n = Number(live.framesDone);
    if (Number.isFinite(n)) framesDone += Math.min(r.frameCount, Math.max(0, n));
    const rate = Number(live.fps);
    if (Number.isFinite(rate) && rate > 0) fps += rate;
    if (typeof live.encoder === 'string') encoder ??= live.encoder;
  }
  const remaining = framesTotal - framesDone;
  return {
    phase: done === rows.length ? 'encoding' : 'rendering',
    framesDone,
    framesTotal,
    fps: Math.round(fps * 10) / 10,
    etaSeconds: remaining === 0 ? 0 : fps > 0 ? Math.round(remaining / fps) : null,
    segments: { done, running: active, total: rows.length },
    ...(encoder ? { encoder } : {}),
  };
}
