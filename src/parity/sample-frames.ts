// Which frames a parity check looks at: every cue boundary (the first and last frame of each
// visibility window, and the frame just before it starts and just after it ends — timing errors
// show there), the middle of each window, then evenly spaced frames up to the requested count.
import type { PreparedScenario } from '../scenario/prepare-scenario.js';

export interface SampledFrame {
  index: number;
  /** Seconds: index / fps, the time output frame `index` shows. */
  t: number;
  /** Why this frame was picked: 'cue-start', 'cue-end', 'before-cue', 'after-cue', 'cue-middle', 'spread'. */
  reason: string;
}

const EPS = 1e-6;

export function sampleFrames(
  prepared: Pick<PreparedScenario, 'cueWindows'>,
  framesTotal: number,
  fps: number,
  count: number,
): SampledFrame[] {
  if (framesTotal <= 0 || count <= 0) return [];
  const picked = new Map<number, string>();
  const add = (i: number, reason: string) => {
    if (!Number.isFinite(i)) return;
    const index = Math.min(framesTotal - 1, Math.max(0, Math.round(i)));
    if (!picked.has(index)) picked.set(index, reason);
  };
  const boundaries: Array<[number, string]> = [];
  const middles: Array<[number, string]> = [];
  const windows = [...prepared.cueWindows].sort((a, b) => a.start - b.start);
  for (const w of windows) {
    const first = Math.ceil(w.start * fps - EPS);
    const last = Number.isFinite(w.end) ? Math.floor(w.end * fps + EPS) : framesTotal - 1;
    if (first > framesTotal - 1) continue;
    boundaries.push([first, 'cue-start'], [Math.min(last, framesTotal - 1), 'cue-end']);
    if (first > 0) boundaries.push([first - 1, 'before-cue']);
    if (last + 1 < framesTotal) boundaries.push([last + 1, 'after-cue']);
    middles.push([Math.floor((first + Math.min(last, framesTotal - 1)) / 2), 'cue-middle']);
  }
  // Boundaries first (starts and ends of every cue), then middles, then a spread.
  for (const [i, r] of boundaries) if (picked.size < count) add(i, r);
  for (const [i, r] of middles) if (picked.size < count) add(i, r);
  for (let k = 0; picked.size < Math.min(count, framesTotal) && k < count * 4; k++) {
    add(((k + 0.5) * framesTotal) / count, 'spread');
    if (k >= count) add(Math.floor(Math.random() * framesTotal), 'spread');
  }
  return [...picked.entries()].sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, t: index / fps, reason }));
}
