// Caption-area difference of two caption layers (RGBA, straight alpha as PNG decodes it), the
// measure of issue 10's goal "within 10 % caption-area difference of the editor's".
//
//  - caption area: pixels where EITHER frame has alpha > 0 (something of a caption is drawn
//    there in one of them); a plugin that moves or hides a word is counted where the word was
//    and where it went;
//  - each pixel is composited over mid-grey (128,128,128) first, so a colour change, an alpha
//    change and a change of a transparent pixel's (meaningless) colour are weighed as they look:
//    rgb' = rgb·a/255 + 128·(1 − a/255);
//  - a pixel differs when the largest channel difference of the composites exceeds `threshold`
//    (default 24/255: absorbs anti-aliasing and sub-pixel jitter of text edges, not a moved,
//    recoloured or rescaled glyph);
//  - difference = differing pixels / caption-area pixels (0 when neither frame draws anything).
// Two identical frames give 0; a caption drawn in one frame and absent in the other gives 1.

export interface RgbaImage {
  width: number;
  height: number;
  /** width·height·4 bytes, RGBA, straight (not premultiplied) alpha. */
  data: Uint8Array;
}

export interface CaptionAreaDiff {
  /** Pixels in the caption area. */
  areaPixels: number;
  /** Caption-area pixels whose composites differ beyond the threshold. */
  differingPixels: number;
  /** differingPixels / areaPixels, 0 when the area is empty. */
  share: number;
  /** Largest channel difference of the composites anywhere in the area (0–255). */
  maxDiff: number;
}

export const CAPTION_DIFF_THRESHOLD = 24;

/** Channel value composited over mid-grey, rounded to 0–255. */
function overGrey(c: number, a: number): number {
  return (c * a + 128 * (255 - a) + 127) / 255;
}

export function captionAreaDifference(a: RgbaImage, b: RgbaImage, threshold = CAPTION_DIFF_THRESHOLD): CaptionAreaDiff {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`captionAreaDifference: sizes differ (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
  const n = a.width * a.height;
  if (a.data.length < n * 4 || b.data.length < n * 4) throw new Error('captionAreaDifference: data shorter than width·height·4');
  let area = 0;
  let differing = 0;
  let maxDiff = 0;
  const da = a.data;
  const db = b.data;
  for (let i = 0; i < n * 4; i += 4) {
    const aa = da[i + 3];
    const ab = db[i + 3];
    if (aa === 0 && ab === 0) continue;
    area++;
    let d = 0;
    for (let c = 0; c < 3; c++) {
      const x = Math.abs(Math.floor(overGrey(da[i + c], aa)) - Math.floor(overGrey(db[i + c], ab)));
      if (x > d) d = x;
    }
    if (d > maxDiff) maxDiff = d;
    if (d > threshold) differing++;
  }
  return { areaPixels: area, differingPixels: differing, share: area === 0 ? 0 : differing / area, maxDiff };
}

export interface DiffSummary {
  frames: number;
  /** Share of frames whose difference is <= `goal` (default 0.10). */
  withinGoal: number;
  max: number;
  median: number;
  mean: number;
}

/** Summary over per-frame shares, in the terms of issue 10's goal (<= 10 % at >= 90 % of frames, never > 25 %). */
export function summariseDiffs(shares: readonly number[], goal = 0.1): DiffSummary {
  if (shares.length === 0) return { frames: 0, withinGoal: 0, max: 0, median: 0, mean: 0 };
  const sorted = [...shares].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return {
    frames: shares.length,
    withinGoal: shares.filter((s) => s <= goal).length / shares.length,
    max: sorted[sorted.length - 1],
    median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    mean: shares.reduce((s, x) => s + x, 0) / shares.length,
  };
}

/** Issue 10's goal: <= 10 % at >= 90 % of the frames and never above 25 %. */
export function meetsPluginGoal(s: DiffSummary): boolean {
  return s.frames > 0 && s.withinGoal >= 0.9 && s.max <= 0.25;
}
