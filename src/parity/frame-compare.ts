// Pixel comparison of one output frame (the service's MP4, decoded) against the reference (the
// engine alone in a browser page, over the same decoded source frame). Pure functions, no I/O.
//
// The output went through H.264 (4:2:0 chroma, quantisation) while the reference is a lossless
// screenshot, so the two never agree bit for bit. Two things keep codec noise out of the verdict:
//  - both frames are averaged over 2×2 blocks first (what 4:2:0 chroma subsampling does to the
//    output anyway), and a pixel "differs" only beyond `tolerance` (0–255, max over R, G, B);
//  - the verdict looks at the caption area: pixels where the reference or the output differs
//    from the bare source frame by more than `captionThreshold`. A missing, extra or shifted
//    caption, wrong timing or a wrong colour changes a large share of that area; codec noise
//    changes a few edge pixels.

export interface CompareOptions {
  /** Per-channel difference (0–255, after 2×2 averaging) beyond which a pixel differs. Default 40. */
  tolerance?: number;
  /** Difference from the bare source beyond which a pixel belongs to the caption area. Default 40. */
  captionThreshold?: number;
  /** Largest share (0–1) of caption-area pixels that may differ. Default 0.10 (codec noise at text edges stays under ~4 % at quality 100; a 1 px shift changes ~45 %, a missing caption 100 %). */
  maxCaptionDiffShare?: number;
  /** Largest share (0–1) of the pixels outside the caption area that may differ. Default 0.005. */
  maxFrameDiffShare?: number;
}

export interface FrameComparison {
  /** Share (0–1) of all pixels that differ beyond the tolerance. */
  diffShare: number;
  /** Largest per-channel difference (0–255) of any pixel (after 2×2 averaging). */
  maxDiff: number;
  /** Pixels of the caption area (reference ∪ output differing from the bare source). */
  captionPixels: number;
  /** Share (0–1) of the caption area that differs beyond the tolerance. */
  captionDiffShare: number;
  /** Caption pixels in the reference alone / in the output alone. */
  referenceCaptionPixels: number;
  outputCaptionPixels: number;
  match: boolean;
}

export const DEFAULT_COMPARE: Required<CompareOptions> = {
  tolerance: 40,
  captionThreshold: 40,
  maxCaptionDiffShare: 0.1,
  maxFrameDiffShare: 0.005,
};

/** 2×2 box average of an RGBA image (RGB only; the result is RGB, ⌈w/2⌉×⌈h/2⌉). */
export function downsample2x2(rgba: Uint8Array, w: number, h: number): { rgb: Uint8Array; w: number; h: number } {
  const ow = Math.ceil(w / 2);
  const oh = Math.ceil(h / 2);
  const rgb = new Uint8Array(ow * oh * 3);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = 0; dy < 2; dy++) {
          const y = oy * 2 + dy;
          if (y >= h) continue;
          for (let dx = 0; dx < 2; dx++) {
            const x = ox * 2 + dx;
            if (x >= w) continue;
            sum += rgba[(y * w + x) * 4 + c];
            n++;
          }
        }
        rgb[(oy * ow + ox) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { rgb, w: ow, h: oh };
}

function channelMax(a: Uint8Array, b: Uint8Array, i: number): number {
  return Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]));
}

/**
 * Compares `output` with `reference` (both RGBA w×h); `source` is the same frame without captions.
 */
export function compareFrames(
  output: Uint8Array,
  reference: Uint8Array,
  source: Uint8Array,
  w: number,
  h: number,
  options: CompareOptions = {},
): FrameComparison {
  const o = { ...DEFAULT_COMPARE, ...options };
  const need = w * h * 4;
  for (const [name, buf] of [
    ['output', output],
    ['reference', reference],
    ['source', source],
  ] as const) {
    if (buf.length !== need) throw new RangeError(`${name}: ${buf.length} bytes, expected ${need} (${w}×${h} RGBA)`);
  }
  const out = downsample2x2(output, w, h);
  const ref = downsample2x2(reference, w, h).rgb;
  const src = downsample2x2(source, w, h).rgb;
  const n = out.w * out.h;
  let differing = 0;
  let maxDiff = 0;
  let captionPixels = 0;
  let captionDiffering = 0;
  let referenceCaptionPixels = 0;
  let outputCaptionPixels = 0;
  let outsideDiffering = 0;
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    const d = channelMax(out.rgb, ref, i);
    if (d > maxDiff) maxDiff = d;
    const differs = d > o.tolerance;
    if (differs) differing++;
    const inRef = channelMax(ref, src, i) > o.captionThreshold;
    const inOut = channelMax(out.rgb, src, i) > o.captionThreshold;
    if (inRef) referenceCaptionPixels++;
    if (inOut) outputCaptionPixels++;
    if (inRef || inOut) {
      captionPixels++;
      if (differs) captionDiffering++;
    } else if (differs) outsideDiffering++;
  }
  const diffShare = differing / n;
  const captionDiffShare = captionPixels ? captionDiffering / captionPixels : 0;
  // A caption area of a handful of pixels is noise: judge it by the whole-frame share alone.
  const smallArea = captionPixels < 16;
  const outsideShare = n > captionPixels ? outsideDiffering / (n - captionPixels) : 0;
  const match = outsideShare <= o.maxFrameDiffShare && (smallArea || captionDiffShare <= o.maxCaptionDiffShare);
  // Scaled back to full-resolution pixel counts (each compared pixel stands for a 2×2 block).
  return {
    diffShare,
    maxDiff,
    captionPixels: captionPixels * 4,
    captionDiffShare,
    referenceCaptionPixels: referenceCaptionPixels * 4,
    outputCaptionPixels: outputCaptionPixels * 4,
    match,
  };
}
