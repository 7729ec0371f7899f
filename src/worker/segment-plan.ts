// How a long render is cut into segments that different workers render in parallel.
import type { SegmentSpec } from '../jobs/segments.repository.js';

export interface SegmentPolicy {
  /** Target length of a segment, seconds; 0 disables splitting. */
  segmentSeconds: number;
  /** Videos shorter than this are rendered in one piece. */
  minDurationSeconds: number;
}

/**
 * Equal segments of about `segmentSeconds` (the last one absorbs the remainder), or a single
 * segment when the video is short or splitting is off.
 */
export function planSegments(framesTotal: number, fps: number, policy: SegmentPolicy): SegmentSpec[] {
  const durationSec = framesTotal / fps;
  if (policy.segmentSeconds <= 0 || durationSec < policy.minDurationSeconds) {
    return [{ idx: 0, firstFrame: 0, frameCount: framesTotal }];
  }
  const count = Math.max(1, Math.round(durationSec / policy.segmentSeconds));
  const per = Math.floor(framesTotal / count);
  return Array.from({ length: count }, (_, idx) => ({
    idx,
    firstFrame: idx * per,
    frameCount: idx === count - 1 ? framesTotal - idx * per : per,
  }));
}
