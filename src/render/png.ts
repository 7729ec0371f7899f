// PNG in and out of raw RGBA: screenshots from Chromium become RGBA frames for ffmpeg, and decoded
// video frames become images for a page (parity check).
//
// decodePng reads what Chromium writes (8-bit RGBA or RGB, not interlaced) itself, with node's native
// zlib and a tight unfilter loop: about 3× faster than pngjs on the render's region screenshots, and
// byte-identical to it (src/render/png.spec.ts). Any other valid PNG (palette, grey, 16-bit,
// interlaced, a tRNS key colour) goes to pngjs. Malformed input throws PngDecodeError.
import { PNG } from 'pngjs';
import { unzlibSync } from 'fflate';
import { crc32 } from 'node:zlib';

export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  if (rgba.length !== width * height * 4) throw new RangeError('encodePng: buffer size does not match width×height×4');
  return PNG.sync.write({ width, height, data: Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length) } as PNG, {
    colorType: 6,
    deflateLevel: 1,
  });
}

/** A PNG that is not one: bad signature, truncated or corrupt chunk, bad header or image data. */
export class PngDecodeError extends Error {
  override name = 'PngDecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`decodePng: ${message}`, options);
  }
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Chunk type codes, as big-endian 32-bit numbers. */
const IHDR = 0x49484452;
const IDAT = 0x49444154;
const IEND = 0x49454e44;
const TRNS = 0x74524e53;

/** The inflate output of the last decode, reused while images keep the same size (a render's do). */
let scratch: Buffer | undefined;
function inflateScratch(bytes: number): Buffer {
  if (scratch?.length !== bytes) scratch = Buffer.allocUnsafeSlow(bytes);
  return scratch;
}
/** Larger images are refused before anything is allocated (16384² RGBA; a 4K frame is 33 MB). */
const MAX_IMAGE_BYTES = 16384 * 16384 * 4;

/** Width and height from a PNG's header (null when `buf` does not start like a PNG). */
export function pngSize(buf: Buffer): { width: number; height: number } | null {
  if (buf.length < 24 || !buf.subarray(0, 8).equals(SIGNATURE) || buf.readUInt32BE(12) !== IHDR) return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/**
 * Any 8-bit PNG (RGB or RGBA, as Chromium writes them) as RGBA; other valid PNGs through pngjs.
 * With `into`, the pixels are written there (it must be width×height×4 bytes) and it is returned as
 * `rgba`: a render reuses its frame buffers instead of leaving ~1.3 MB of garbage per frame, which
 * made V8 run a full collection every few frames (issue 15).
 */
export function decodePng(buf: Buffer, into?: Buffer): { width: number; height: number; rgba: Buffer } {
  if (buf.length < SIGNATURE.length + 25 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new PngDecodeError('not a PNG (bad signature)');
  let p = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = 0;
  let interlace = 0;
  let hasTrns = false;
  let ended = false;
  const idat: Buffer[] = [];
  while (p < buf.length) {
    if (p + 12 > buf.length) throw new PngDecodeError(`truncated chunk header at byte ${p}`);
    const len = buf.readUInt32BE(p);
    const type = buf.readUInt32BE(p + 4);
    const end = p + 8 + len;
    if (len > 0x7fffffff || end + 4 > buf.length) throw new PngDecodeError(`truncated chunk at byte ${p} (${len} bytes announced)`);
    if (crc32(buf.subarray(p + 4, end)) !== buf.readUInt32BE(end)) {
      throw new PngDecodeError(`CRC mismatch in chunk ${buf.toString('latin1', p + 4, p + 8)} at byte ${p}`);
    }
    if (p === 8) {
      if (type !== IHDR || len !== 13) throw new PngDecodeError('the first chunk is not a 13-byte IHDR');
      width = buf.readUInt32BE(p + 8);
      height = buf.readUInt32BE(p + 12);
      bitDepth = buf[p + 16];
      colorType = buf[p + 17];
      interlace = buf[p + 20];
      if (width === 0 || height === 0) throw new PngDecodeError(`image size ${width}x${height}`);
    } else if (type === IDAT) {
      idat.push(buf.subarray(p + 8, end));
    } else if (type === TRNS) {
      hasTrns = true;
    } else if (type === IEND) {
      ended = true;
      break;
    }
    p = end + 4;
  }
  if (!ended) throw new PngDecodeError('no IEND chunk (truncated file)');
  if (idat.length === 0) throw new PngDecodeError('no IDAT chunk');

  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (into && into.length !== width * height * 4) {
    throw new RangeError(`decodePng: output buffer is ${into.length} bytes, the image needs ${width * height * 4} (${width}x${height})`);
  }
  if (bitDepth !== 8 || bpp === 0 || interlace !== 0 || hasTrns) {
    const img = decodeWithPngjs(buf);
    if (!into) return img;
    img.rgba.copy(into);
    return { width, height, rgba: into };
  }

  const stride = width * bpp;
  const expected = (stride + 1) * height;
  if (expected > MAX_IMAGE_BYTES) throw new PngDecodeError(`image of ${width}x${height} is too large`);
  let raw: Buffer;
  try {
    // fflate inflates into a buffer we keep (node's zlib allocates its output every call: ~1.3 MB
    // of garbage per frame, and V8 answered that external memory with a full collection every
    // few frames). One byte of room beyond the image data shows a stream that runs longer. The
    // CRC of every chunk was checked above, so the data is what Chromium wrote.
    raw = unzlibSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), { out: inflateScratch(expected + 1) }) as Buffer;
  } catch (err) {
    throw new PngDecodeError(`corrupt image data (${(err as Error).message})`, { cause: err });
  }
  if (raw.length !== expected) throw new PngDecodeError(`image data is ${raw.length} bytes, expected ${expected} for ${width}x${height}`);
  const rgba = into ?? Buffer.allocUnsafe(width * height * 4);
  if (bpp === 4) {
    // Unfilter straight into the output: its previous row is the "prior" scanline.
    for (let y = 0; y < height; y++) unfilter(raw, y * (stride + 1), rgba, y * stride, y === 0 ? -1 : (y - 1) * stride, stride, 4);
  } else {
    const lines = Buffer.alloc(stride * 2);
    for (let y = 0; y < height; y++) {
      const cur = (y & 1) * stride;
      unfilter(raw, y * (stride + 1), lines, cur, y === 0 ? -1 : stride - cur, stride, 3);
      for (let x = 0, i = cur, o = y * width * 4; x < width; x++, i += 3, o += 4) {
        rgba[o] = lines[i];
        rgba[o + 1] = lines[i + 1];
        rgba[o + 2] = lines[i + 2];
        rgba[o + 3] = 255;
      }
    }
  }
  return { width, height, rgba };
}

/**
 * One scanline: raw[src] is the filter type, raw[src+1 ..] the filtered bytes; writes `stride`
 * bytes at out[dst], reading the prior scanline at out[prev] (prev < 0: the first row, all zero).
 */
function unfilter(raw: Buffer, src: number, out: Buffer, dst: number, prev: number, stride: number, bpp: number): void {
  const filter = raw[src];
  const s = src + 1;
  switch (filter) {
    case 0:
      raw.copy(out, dst, s, s + stride);
      return;
    case 1:
      for (let i = 0; i < bpp; i++) out[dst + i] = raw[s + i];
      for (let i = bpp; i < stride; i++) out[dst + i] = (raw[s + i] + out[dst + i - bpp]) & 255;
      return;
    case 2:
      if (prev < 0) raw.copy(out, dst, s, s + stride);
      else for (let i = 0; i < stride; i++) out[dst + i] = (raw[s + i] + out[prev + i]) & 255;
      return;
    case 3:
      if (prev < 0) {
        for (let i = 0; i < bpp; i++) out[dst + i] = raw[s + i];
        for (let i = bpp; i < stride; i++) out[dst + i] = (raw[s + i] + (out[dst + i - bpp] >> 1)) & 255;
      } else {
        for (let i = 0; i < bpp; i++) out[dst + i] = (raw[s + i] + (out[prev + i] >> 1)) & 255;
        for (let i = bpp; i < stride; i++) out[dst + i] = (raw[s + i] + ((out[dst + i - bpp] + out[prev + i]) >> 1)) & 255;
      }
      return;
    case 4:
      if (prev < 0) {
        // Paeth with an all-zero prior row predicts the left byte (Sub).
        for (let i = 0; i < bpp; i++) out[dst + i] = raw[s + i];
        for (let i = bpp; i < stride; i++) out[dst + i] = (raw[s + i] + out[dst + i - bpp]) & 255;
      } else {
        for (let i = 0; i < bpp; i++) out[dst + i] = (raw[s + i] + out[prev + i]) & 255;
        for (let i = bpp; i < stride; i++) {
          const a = out[dst + i - bpp];
          const b = out[prev + i];
          const c = out[prev + i - bpp];
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          out[dst + i] = (raw[s + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
        }
      }
      return;
    default:
      throw new PngDecodeError(`unknown filter type ${filter} on scanline ${Math.floor(src / (stride + 1))}`);
  }
}

function decodeWithPngjs(buf: Buffer): { width: number; height: number; rgba: Buffer } {
  let img: PNG;
  try {
    img = PNG.sync.read(buf);
  } catch (err) {
    throw new PngDecodeError((err as Error).message, { cause: err });
  }
  return { width: img.width, height: img.height, rgba: img.data };
}
