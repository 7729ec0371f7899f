// The union of two boxes, used by the page (survey over many seeks) and by CaptionPage (survey
// over many round trips). Plain code, no imports: bundled into the page and run on the server.
import type { BBox } from './protocol.js';

/** The smallest box holding both (a copy, never one of the arguments); null when both are null. */
export function unionBBox(a: BBox | null, b: BBox | null): BBox | null {
  if (!a) return b ? { ...b } : null;
  if (!b) return { ...a };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}
