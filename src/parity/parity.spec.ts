import { compareFrames } from './frame-compare.js';
import { decodePng, encodePng } from '../render/png.js';
import { sampleFrames } from './sample-frames.js';

const W = 40;
const H = 20;
function solid(rgb: [number, number, number]): Buffer {
  const b = Buffer.alloc(W * H * 4);
  for (let i = 0; i < b.length; i += 4) b.set([...rgb, 255], i);
  return b;
}
function withBox(base: Buffer, x0: number, y0: number, w: number, h: number, rgb: [number, number, number]): Buffer {
  const b = Buffer.from(base);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) b.set([...rgb, 255], (y * W + x) * 4);
  return b;
}

describe('compareFrames', () => {
  const src = solid([30, 30, 30]);
  const ref = withBox(src, 10, 6, 16, 8, [250, 250, 250]);

  it('matches identical frames and tolerates small noise', () => {
    expect(compareFrames(ref, ref, src, W, H)).toMatchObject({ match: true, diffShare: 0, maxDiff: 0 });
    const noisy = Buffer.from(ref).map((v, i) => (i % 4 === 3 ? v : Math.max(0, v - 10)));
    expect(compareFrames(noisy, ref, src, W, H).match).toBe(true);
  });

  it('flags a missing, shifted or recoloured caption', () => {
    expect(compareFrames(src, ref, src, W, H)).toMatchObject({ match: false, captionDiffShare: 1 });
    expect(compareFrames(withBox(src, 14, 6, 16, 8, [250, 250, 250]), ref, src, W, H).match).toBe(false);
    expect(compareFrames(withBox(src, 10, 6, 16, 8, [250, 250, 40]), ref, src, W, H).match).toBe(false);
  });

  it('flags an extra caption the reference does not have', () => {
    expect(compareFrames(ref, src, src, W, H).match).toBe(false);
  });
});

describe('sampleFrames', () => {
  it('puts cue boundaries first, inclusive ends, within the video', () => {
    const frames = sampleFrames(
      {
        cueWindows: [
          { cueId: 'a', start: 1, end: 2 },
          { cueId: 'b', start: 3.3, end: Infinity },
        ],
      },
      50,
      10,
      8,
    );
    const byReason = (r: string) => frames.filter((f) => f.reason === r).map((f) => f.index);
    expect(byReason('cue-start')).toEqual([10, 33]);
    expect(byReason('cue-end')).toEqual([20, 49]);
    expect(byReason('before-cue')).toEqual([9, 32]);
    expect(frames.length).toBe(8);
    expect(frames.every((f) => f.index >= 0 && f.index < 50 && f.t === f.index / 10)).toBe(true);
  });
});

describe('png', () => {
  it('round-trips RGBA', () => {
    const img = withBox(solid([1, 2, 3]), 3, 3, 5, 5, [200, 100, 50]);
    expect(decodePng(encodePng(img, W, H))).toEqual({ width: W, height: H, rgba: img });
  });
});
