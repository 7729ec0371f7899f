import type { TileState } from '../../libs/caption-page/src/index.js';
import { changedBox, FULL_CAPTURE_EVERY, pasteBox, type PageFrame } from './tile-capture.js';

const region = { x: 100, y: 200, width: 400, height: 100 };
const box = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });
const state = (scaffold: string, ...tiles: Array<[string, ReturnType<typeof box> | null]>): TileState => ({
  scaffold,
  tiles: tiles.map(([digest, b]) => ({ digest, box: b })),
});
const prevOf = (tiles: TileState, capturesSinceFull = 0): PageFrame => ({ frame: Buffer.alloc(0), tiles, capturesSinceFull });

describe('changedBox', () => {
  const before = state('s', ['a', box(110, 210, 50, 40)], ['b', box(170, 210, 60, 40)], ['c', box(240, 210, 40, 40)]);

  it('the whole region without a previous frame, without tiles, after a scaffold change, and every FULL_CAPTURE_EVERY-th capture', () => {
    expect(changedBox(undefined, before, region)).toBe('full');
    expect(changedBox(prevOf(before), undefined, region)).toBe('full');
    expect(changedBox(prevOf(before), { ...before, scaffold: 't' }, region)).toBe('full');
    const moved = state('s', ['a', box(110, 210, 50, 40)], ['b2', box(170, 210, 60, 40)], ['c', box(240, 210, 40, 40)]);
    expect(changedBox(prevOf(before, FULL_CAPTURE_EVERY - 2), moved, region)).toEqual(box(170, 210, 60, 40));
    expect(changedBox(prevOf(before, FULL_CAPTURE_EVERY - 1), moved, region)).toBe('full');
  });

  it('the union of the old and new boxes of the tiles that changed', () => {
    const after = state('s', ['a', box(110, 210, 50, 40)], ['b2', box(172, 205, 60, 40)], ['c', box(240, 210, 40, 40)]);
    expect(changedBox(prevOf(before), after, region)).toEqual(box(170, 205, 62, 45));
    // Same digest, another box: changed too.
    const shifted = state('s', ['a', box(110, 210, 50, 40)], ['b', box(170, 210, 60, 40)], ['c', box(241, 210, 40, 40)]);
    expect(changedBox(prevOf(before), shifted, region)).toEqual(box(240, 210, 41, 40));
  });

  it('tiles that appear or go take their box along; clamped to the region', () => {
    const more = state(
      's',
      ['a', box(110, 210, 50, 40)],
      ['b', box(170, 210, 60, 40)],
      ['c', box(240, 210, 40, 40)],
      ['d', box(290, 250, 300, 80)],
    );
    expect(changedBox(prevOf(before), more, region)).toEqual(box(290, 250, 210, 50));
    expect(changedBox(prevOf(more), before, region)).toEqual(box(290, 250, 210, 50));
  });

  it("'same' when nothing that paints changed; 'full' when the change covers most of the region", () => {
    const hidden = state('s', ['a', box(110, 210, 50, 40)], ['b', box(170, 210, 60, 40)], ['c', box(240, 210, 40, 40)], ['e', null]);
    expect(changedBox(prevOf(before), hidden, region)).toBe('same');
    expect(changedBox(prevOf(before), before, region)).toBe('same');
    const big = state('s', ['a', box(100, 200, 300, 100)], ['b', box(170, 210, 60, 40)], ['c', box(240, 210, 40, 40)]);
    expect(changedBox(prevOf(before), big, region)).toBe('full');
  });
});

describe('pasteBox', () => {
  it('copies the frame and writes the box rows at their place', () => {
    const r = { x: 10, y: 20, width: 4, height: 3 };
    const frame = Buffer.alloc(4 * 3 * 4, 1);
    const pixels = Buffer.from(Array.from({ length: 2 * 2 * 4 }, (_, i) => 100 + i));
    const out = pasteBox(frame, r, pixels, { x: 12, y: 21, width: 2, height: 2 });
    expect(frame.every((v) => v === 1)).toBe(true);
    const px = (x: number, y: number) => [...out.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
    expect(px(0, 0)).toEqual([1, 1, 1, 1]);
    expect(px(2, 1)).toEqual([100, 101, 102, 103]);
    expect(px(3, 1)).toEqual([104, 105, 106, 107]);
    expect(px(2, 2)).toEqual([108, 109, 110, 111]);
    expect(px(3, 2)).toEqual([112, 113, 114, 115]);
    expect(px(1, 2)).toEqual([1, 1, 1, 1]);
    expect(() => pasteBox(frame, r, pixels, { x: 13, y: 21, width: 2, height: 2 })).toThrow(/outside the region/);
    expect(() => pasteBox(frame, r, pixels.subarray(4), { x: 12, y: 21, width: 2, height: 2 })).toThrow(/do not match/);
  });
});
