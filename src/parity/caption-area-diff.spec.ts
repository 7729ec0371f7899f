import { captionAreaDifference, meetsPluginGoal, summariseDiffs, type RgbaImage } from './caption-area-diff.js';
import { captionStats, compareStats } from './caption-stats.js';

const W = 20;
const H = 10;
function blank(): RgbaImage {
  return { width: W, height: H, data: new Uint8Array(W * H * 4) };
}
function paint(img: RgbaImage, x0: number, y0: number, w: number, h: number, rgba: [number, number, number, number]): RgbaImage {
  const data = Uint8Array.from(img.data);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data.set(rgba, (y * W + x) * 4);
  return { width: W, height: H, data };
}
const WHITE: [number, number, number, number] = [255, 255, 255, 255];

describe('captionAreaDifference', () => {
  it('is 0 for identical frames and for two empty frames', () => {
    const a = paint(blank(), 2, 2, 6, 4, WHITE);
    expect(captionAreaDifference(a, a)).toEqual({ areaPixels: 24, differingPixels: 0, share: 0, maxDiff: 0 });
    expect(captionAreaDifference(blank(), blank())).toEqual({ areaPixels: 0, differingPixels: 0, share: 0, maxDiff: 0 });
  });

  it('is 1 when one frame draws a caption and the other nothing', () => {
    const r = captionAreaDifference(paint(blank(), 2, 2, 6, 4, WHITE), blank());
    expect(r.areaPixels).toBe(24);
    expect(r.share).toBe(1);
    expect(r.maxDiff).toBe(127); // white over grey vs grey
  });

  it('counts the area of both frames: a box moved by half its width differs in 2/3 of the union', () => {
    const a = paint(blank(), 0, 0, 6, 2, WHITE);
    const b = paint(blank(), 3, 0, 6, 2, WHITE);
    const r = captionAreaDifference(a, b);
    expect(r.areaPixels).toBe(18);
    expect(r.differingPixels).toBe(12);
    expect(r.share).toBeCloseTo(2 / 3, 10);
  });

  it('ignores differences at or below the threshold and counts those above it', () => {
    const a = paint(blank(), 0, 0, 10, 10, [200, 100, 50, 255]);
    expect(captionAreaDifference(a, paint(blank(), 0, 0, 10, 10, [224, 100, 50, 255])).share).toBe(0);
    expect(captionAreaDifference(a, paint(blank(), 0, 0, 10, 10, [225, 100, 50, 255])).share).toBe(1);
    expect(captionAreaDifference(a, paint(blank(), 0, 0, 10, 10, [225, 100, 50, 255]), 30).share).toBe(0);
  });

  it('weighs alpha as it looks over grey: the colour of a nearly transparent pixel hardly matters', () => {
    const a = paint(blank(), 0, 0, 4, 4, [255, 255, 255, 8]);
    const b = paint(blank(), 0, 0, 4, 4, [0, 0, 0, 8]);
    expect(captionAreaDifference(a, b).share).toBe(0);
    // half-transparent white vs opaque white: 191 vs 255 over grey
    const c = paint(blank(), 0, 0, 4, 4, [255, 255, 255, 128]);
    const r = captionAreaDifference(c, paint(blank(), 0, 0, 4, 4, WHITE));
    expect(r.share).toBe(1);
    expect(r.maxDiff).toBeGreaterThan(60);
  });

  it('refuses frames of different sizes', () => {
    expect(() => captionAreaDifference(blank(), { width: 10, height: 10, data: new Uint8Array(400) })).toThrow(/sizes differ/);
  });
});

describe('summariseDiffs / meetsPluginGoal', () => {
  it('reports the share within 10 %, the max and the median', () => {
    const s = summariseDiffs([0, 0.05, 0.1, 0.2, 0.02]);
    expect(s).toMatchObject({ frames: 5, withinGoal: 0.8, max: 0.2, median: 0.05 });
    expect(meetsPluginGoal(s)).toBe(false);
  });
  it('meets the goal at >= 90 % of frames within 10 % and none above 25 %', () => {
    expect(meetsPluginGoal(summariseDiffs([...Array(9).fill(0.01), 0.24]))).toBe(true);
    expect(meetsPluginGoal(summariseDiffs([...Array(19).fill(0.01), 0.26]))).toBe(false);
    expect(meetsPluginGoal(summariseDiffs([]))).toBe(false);
  });
});

describe('captionStats / compareStats', () => {
  it('measures ink, centroid and spread', () => {
    const s = captionStats(paint(blank(), 2, 2, 4, 2, WHITE));
    expect(s.ink).toBe(8);
    expect([s.cx, s.cy]).toEqual([3.5, 2.5]);
    expect(s.spread).toBeGreaterThan(0);
    expect(captionStats(blank()).ink).toBe(0);
  });
  it('compares two series frame by frame: a shifted, fainter drawing shows in the figures', () => {
    const a = [captionStats(paint(blank(), 2, 2, 4, 2, WHITE))];
    const b = [captionStats(paint(blank(), 5, 2, 4, 2, [255, 255, 255, 128]))];
    const c = compareStats(a, b);
    expect(c.centroidDistance).toBeCloseTo(3, 10);
    expect(c.inkRatio).toBeCloseTo(255 / 128, 5);
    expect(compareStats(a, a)).toEqual({ inkRatio: 1, centroidDistance: 0, spreadRatio: 1 });
  });
});
