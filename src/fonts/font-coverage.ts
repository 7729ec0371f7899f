// The code points a font file really has glyphs for, from its cmap table: for font files a
// scenario brings (which come with no unicode-range) so tofu is found in them too. Reads
// TrueType/OpenType, WOFF (zlib) and WOFF2 (brotli; cmap is never transformed).
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { normalizeRanges, type CodePointRanges } from './font-face-css.js';

const tag = (b: Buffer, o: number) => b.toString('latin1', o, o + 4);

/** Coverage of a font file, or undefined when it cannot be read (unknown format, no cmap). */
export function fontFileCoverage(file: Buffer): CodePointRanges | undefined {
  try {
    const cmap = cmapTable(file);
    return cmap ? cmapCoverage(cmap) : undefined;
  } catch {
    return undefined;
  }
}

function cmapTable(b: Buffer): Buffer | undefined {
  const sig = tag(b, 0);
  if (sig === 'wOF2') return woff2Cmap(b);
  if (sig === 'wOFF') {
    const numTables = b.readUInt16BE(12);
    for (let i = 0; i < numTables; i++) {
      const e = 44 + i * 20;
      if (tag(b, e) !== 'cmap') continue;
      const offset = b.readUInt32BE(e + 4);
      const comp = b.readUInt32BE(e + 8);
      const orig = b.readUInt32BE(e + 12);
      const data = b.subarray(offset, offset + comp);
      return comp < orig ? inflateSync(data) : data;
    }
    return undefined;
  }
  const version = b.readUInt32BE(0);
  if (version !== 0x00010000 && sig !== 'OTTO' && sig !== 'true') return undefined;
  const numTables = b.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const e = 12 + i * 16;
    if (tag(b, e) === 'cmap') return b.subarray(b.readUInt32BE(e + 8), b.readUInt32BE(e + 8) + b.readUInt32BE(e + 12));
  }
  return undefined;
}

function readBase128(b: Buffer, pos: { o: number }): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    const byte = b[pos.o++];
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) return v;
  }
  throw new Error('bad UIntBase128');
}

function woff2Cmap(b: Buffer): Buffer | undefined {
  if (tag(b, 4) === 'ttcf') return undefined; // collections: not needed for caption fonts
  const numTables = b.readUInt16BE(12);
  const compressedSize = b.readUInt32BE(20);
  const pos = { o: 48 };
  const tables: Array<{ tag: number | string; length: number }> = [];
  for (let i = 0; i < numTables; i++) {
    const flags = b[pos.o++];
    const known = flags & 0x3f;
    let t: number | string = known;
    if (known === 63) {
      t = tag(b, pos.o);
      pos.o += 4;
    }
    const orig = readBase128(b, pos);
    const version = (flags >> 6) & 3;
    const glyfOrLoca = known === 10 || known === 11;
    const transformed = glyfOrLoca ? version !== 3 : version !== 0;
    const length = transformed ? readBase128(b, pos) : orig;
    tables.push({ tag: t, length });
  }
  const data = brotliDecompressSync(b.subarray(pos.o, pos.o + compressedSize));
  let offset = 0;
  for (const t of tables) {
    if (t.tag === 0 || t.tag === 'cmap') return data.subarray(offset, offset + t.length);
    offset += t.length;
  }
  return undefined;
}

function cmapCoverage(cmap: Buffer): CodePointRanges | undefined {
  const n = cmap.readUInt16BE(2);
  let best: { offset: number; format: number } | undefined;
  for (let i = 0; i < n; i++) {
    const r = 4 + i * 8;
    const platform = cmap.readUInt16BE(r);
    const encoding = cmap.readUInt16BE(r + 2);
    const offset = cmap.readUInt32BE(r + 4);
    const format = cmap.readUInt16BE(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode || (format !== 4 && format !== 12)) continue;
    if (!best || (format === 12 && best.format !== 12)) best = { offset, format };
  }
  if (!best) return undefined;
  const t = cmap.subarray(best.offset);
  const ranges: Array<[number, number]> = [];
  if (best.format === 12) {
    const groups = t.readUInt32BE(12);
    for (let g = 0; g < groups; g++) ranges.push([t.readUInt32BE(16 + g * 12), t.readUInt32BE(20 + g * 12)]);
    return normalizeRanges(ranges);
  }
  const segCount = t.readUInt16BE(6) / 2;
  const ends = 14;
  const starts = ends + segCount * 2 + 2;
  const deltas = starts + segCount * 2;
  const rangeOffsets = deltas + segCount * 2;
  for (let s = 0; s < segCount; s++) {
    const end = t.readUInt16BE(ends + s * 2);
    const start = t.readUInt16BE(starts + s * 2);
    const delta = t.readUInt16BE(deltas + s * 2);
    const ro = t.readUInt16BE(rangeOffsets + s * 2);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (ro === 0) glyph = (c + delta) & 0xffff;
      else {
        const at = rangeOffsets + s * 2 + ro + (c - start) * 2;
        glyph = at + 1 < t.length ? t.readUInt16BE(at) : 0;
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      if (glyph !== 0) ranges.push([c, c]);
    }
  }
  return normalizeRanges(ranges);
}
