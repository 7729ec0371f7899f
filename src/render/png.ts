// PNG in and out of raw RGBA, through pngjs: screenshots from Chromium become RGBA frames for
// ffmpeg, and decoded video frames become images for a page (parity check).
import { PNG } from 'pngjs';

export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError('encodePng: buffer size does not match width×height×4');
  return PNG.sync.write({ width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length) } as PNG, {
    colorType: 6,
    deflateLevel: 1,
  });
}

/** Any 8-bit PNG (RGB or RGBA, as Chromium writes them) as RGBA. */
export function decodePng(buf: Buffer): { width: number; height: number; rgba: Buffer } {
  const img = PNG.sync.read(buf);
  return { width: img.width, height: img.height, rgba: img.data };
}
