// Planning a render from a survey of the caption layer: which runs of frames share one visual
// state (one screenshot serves the whole run), which region of the frame captions ever cover
// (the only part captured and overlaid), and when the overlay needs blending at all.
import type { BBox } from '../../libs/caption-page/src/index.js';
import type { TimeSpan } from '../encoder/ffmpeg-args.js';
import { isActiveAt } from '../scenario/windows.js';
import type { PreparedScenario } from '../scenario/types.js';

export const EMPTY_SIGNATURE = 'empty';

/** Consecutive output frames with the same caption state. */
export interface FrameRun {
  first: number;
  count: number;
  signature: string;
}

export function planRuns(signatures: readonly string[]): FrameRun[] {
  const runs: FrameRun[] = [];
  for (let i = 0; i < signatures.length; i++) {
    const last = runs[runs.length - 1];
    if (last && last.signature === signatures[i]) last.count++;
    else runs.push({ first: i, count: 1, signature: signatures[i] });
  }
  return runs;
}

/**
 * The frames of a range (indices from its first frame) where a cue can be visible: the only ones
 * the page surveys; every other frame is EMPTY_SIGNATURE without asking.
 */
export function framesToSurvey(prepared: Pick<PreparedScenario, 'activeIntervals'>, count: number, fps: number, firstFrame = 0): number[] {
  const frames: number[] = [];
  for (let i = 0; i < count; i++) if (isActiveAt(prepared, (firstFrame + i) / fps)) frames.push(i);
  return frames;
}

/**
 * The plan of a range of `count` frames from the survey of its `surveyed` frames (framesToSurvey):
 * runs of identical frames, and the overlay region (null when no caption ever shows).
 */
export function planFromSurvey(
  count: number,
  surveyed: readonly number[],
  survey: { signatures: readonly string[]; bbox: BBox | null },
  frameWidth: number,
  frameHeight: number,
): { runs: FrameRun[]; region: BBox | null } {
  const signatures = new Array<string>(count).fill(EMPTY_SIGNATURE);
  surveyed.forEach((frame, k) => (signatures[frame] = survey.signatures[k]));
  return { runs: planRuns(signatures), region: survey.bbox ? overlayRegion(survey.bbox, frameWidth, frameHeight) : null };
}

/**
 * The overlay region: the captions' union box grown to even coordinates and sizes (4:2:0 chroma
 * is sampled in 2×2 blocks), inside the frame.
 */
export function overlayRegion(bbox: BBox, frameWidth: number, frameHeight: number): BBox {
  const x0 = Math.max(0, Math.floor(bbox.x / 2) * 2);
  const y0 = Math.max(0, Math.floor(bbox.y / 2) * 2);
  const x1 = Math.min(frameWidth, Math.ceil((bbox.x + bbox.width) / 2) * 2);
  const y1 = Math.min(frameHeight, Math.ceil((bbox.y + bbox.height) / 2) * 2);
  return { x: x0, y: y0, width: Math.max(2, x1 - x0), height: Math.max(2, y1 - y0) };
}

/**
 * ffmpeg 5.1 refuses an `enable` expression of more than 100 `between()` terms ("Cannot
 * allocate memory"): beyond this many spans, the closest ones are merged.
 */
export const MAX_ENABLE_SPANS = 90;

/**
 * Time spans (seconds) covering every frame with a visible caption, each widened by half a frame
 * so that frame timestamps never sit on an edge.
 */
export function visibleSpans(runs: readonly FrameRun[], fps: number, maxSpans = MAX_ENABLE_SPANS): TimeSpan[] {
  const half = 0.5 / fps;
  const spans: TimeSpan[] = [];
  for (const run of runs) {
    if (run.signature === EMPTY_SIGNATURE) continue;
    const start = run.first / fps - half;
    const end = (run.first + run.count - 1) / fps + half;
    const last = spans[spans.length - 1];
    if (last && start - last.end < 1e-9) last.end = end;
    else spans.push({ start: Math.max(0, start), end });
  }
  while (spans.length > maxSpans) {
    // Merge across the smallest gap (blending a few blank frames costs little); on equal gaps,
    // the pair whose merged span is shortest, so merges spread instead of snowballing.
    let best = 0;
    let bestKey = [Infinity, Infinity];
    for (let i = 0; i < spans.length - 1; i++) {
      const key = [spans[i + 1].start - spans[i].end, spans[i + 1].end - spans[i].start];
      if (key[0] < bestKey[0] - 1e-9 || (Math.abs(key[0] - bestKey[0]) <= 1e-9 && key[1] < bestKey[1])) {
        best = i;
        bestKey = key;
      }
    }
    spans[best].end = spans[best + 1].end;
    spans.splice(best + 1, 1);
  }
  return spans;
}
