// Capture less (issue 15): between two captures on one page, most of the caption region is the
// same pixels. The page reports, with each seek, a digest and a padded box per tile (a text,
// image or video element with its subtree) and a digest of the rest (libs/caption-page protocol
// TileState). When the rest is unchanged, only the boxes of the tiles whose digest differs,
// before and after, can hold different pixels: their union is re-captured and pasted into a copy
// of the page's previous frame. The first capture on a page, one the page cannot cut into tiles,
// and every FULL_CAPTURE_EVERY-th capture (a guard) take the whole region.
import type { BBox, TileState } from '../../libs/caption-page/src/index.js';

/** Every this many captures on a page, the whole region is captured whatever the tiles say. */
export const FULL_CAPTURE_EVERY = 30;
/** A changed area above this share of the region is captured whole (one clip costs about the same). */
export const FULL_CAPTURE_AREA_SHARE = 0.6;

/** What a page's previous capture left: its frame (region-sized RGBA) and the tiles it showed. */
export interface PageFrame {
  frame: Buffer;
  tiles: TileState;
  capturesSinceFull: number;
}

/**
 * What to capture for a page's next frame: 'full' (the whole region), 'same' (nothing can differ
 * from the previous frame), or the one box (viewport px, inside the region) to re-capture.
 */
export function changedBox(prev: PageFrame | undefined, next: TileState | undefined, region: BBox): 'full' | 'same' | BBox {
  if (!prev || !next || prev.capturesSinceFull + 1 >= FULL_CAPTURE_EVERY) return 'full';
  if (prev.tiles.scaffold !== next.scaffold) return 'full';
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const add = (b: BBox | null) => {
    if (!b) return;
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  };
  const n = Math.max(prev.tiles.tiles.length, next.tiles.length);
  for (let i = 0; i < n; i++) {
    const a = prev.tiles.tiles[i];
    const b = next.tiles[i];
    if (a && b && a.digest === b.digest && sameBox(a.box, b.box)) continue;
    add(a?.box ?? null);
    add(b?.box ?? null);
  }
  x0 = Math.max(x0, region.x);
  y0 = Math.max(y0, region.y);
  x1 = Math.min(x1, region.x + region.width);
  y1 = Math.min(y1, region.y + region.height);
  if (!(x1 > x0 && y1 > y0)) return 'same';
  const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  return box.width * box.height > FULL_CAPTURE_AREA_SHARE * region.width * region.height ? 'full' : box;
}

function sameBox(a: BBox | null, b: BBox | null): boolean {
  if (!a || !b) return a === b;
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

/** A copy of `frame` (region-sized RGBA) with `pixels` (box-sized RGBA) pasted at `box` (viewport px, inside the region). */
export function pasteBox(frame: Buffer, region: BBox, pixels: Buffer, box: BBox): Buffer {
  if (pixels.length !== box.width * box.height * 4) throw new RangeError('pasteBox: pixels do not match the box');
  if (
    box.x < region.x ||
    box.y < region.y ||
    box.x + box.width > region.x + region.width ||
    box.y + box.height > region.y + region.height
  ) {
    throw new RangeError('pasteBox: box outside the region');
  }
  const out = Buffer.from(frame);
  const rowBytes = box.width * 4;
  for (let y = 0; y < box.height; y++) {
    pixels.copy(out, ((box.y - region.y + y) * region.width + (box.x - region.x)) * 4, y * rowBytes, (y + 1) * rowBytes);
  }
  return out;
}
