// Statistics of a caption layer, for plugins whose pixels are random in the editor itself
// (glitch, elastic, magnetic use Math.random; flames' GIF runs on the wall clock): such a plugin
// cannot match the editor pixel for pixel, but per frame it should put about as much ink on the
// screen, about as far from where the words rest. Pure functions over RGBA (straight alpha).
import type { RgbaImage } from './caption-area-diff.js';

export interface CaptionStats {
  /** Σ alpha / 255: how much is drawn (an opaque pixel counts 1). */
  ink: number;
  /** Alpha-weighted centroid (px); NaN when nothing is drawn. */
  cx: number;
  cy: number;
  /** Alpha-weighted mean distance from the centroid (px): how spread out the drawing is. */
  spread: number;
}

export function captionStats(img: RgbaImage): CaptionStats {
  const { width, height, data } = img;
  let ink = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0, i = 3; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const a = data[i];
      if (a === 0) continue;
      ink += a;
      sx += a * x;
      sy += a * y;
    }
  }
  if (ink === 0) return { ink: 0, cx: NaN, cy: NaN, spread: 0 };
  const cx = sx / ink;
  const cy = sy / ink;
  let sd = 0;
  for (let y = 0, i = 3; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      const a = data[i];
      if (a) sd += a * Math.hypot(x - cx, y - cy);
    }
  }
  return { ink: ink / 255, cx, cy, spread: sd / ink };
}

export interface StatsComparison {
  /** Mean over frames of ours.ink / editor.ink. */
  inkRatio: number;
  /** Mean over frames of the distance between the two centroids (px). */
  centroidDistance: number;
  /** Mean over frames of ours.spread / editor.spread. */
  spreadRatio: number;
}

/** Frame-by-frame comparison of two series of the same frames (frames where either draws nothing are skipped). */
export function compareStats(ours: readonly CaptionStats[], editor: readonly CaptionStats[]): StatsComparison {
  if (ours.length !== editor.length) throw new Error('compareStats: series of different lengths');
  let n = 0;
  let ink = 0;
  let dist = 0;
  let spread = 0;
  for (let k = 0; k < ours.length; k++) {
    const a = ours[k];
    const b = editor[k];
    if (!(a.ink > 0 && b.ink > 0)) continue;
    n++;
    ink += a.ink / b.ink;
    dist += Math.hypot(a.cx - b.cx, a.cy - b.cy);
    spread += b.spread > 0 ? a.spread / b.spread : 1;
  }
  return n === 0
    ? { inkRatio: NaN, centroidDistance: NaN, spreadRatio: NaN }
    : { inkRatio: ink / n, centroidDistance: dist / n, spreadRatio: spread / n };
}
