import { readFileSync } from 'node:fs';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { decodePng, encodePng, PngDecodeError, pngSize } from './png.js';

// Two region screenshots of the editor workload (1044x320), as Chromium's Page.captureScreenshot
// wrote them during a render (colour type 6, every scanline filtered with Up).
const CAPTURES = ['chromium-editor-region-a.png', 'chromium-editor-region-b.png'].map((name) => ({
  name,
  png: readFileSync(new URL(`./fixtures/${name}`, import.meta.url)),
}));

const pngjs = (buf: Buffer) => {
  const img = PNG.sync.read(buf);
  return { width: img.width, height: img.height, rgba: img.data };
};

/** RGBA re-encoded by pngjs with one filter type (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) on every line. */
function withFilter(rgba: Buffer, width: number, height: number, filterType: number, colorType: 2 | 6): Buffer {
  return PNG.sync.write({ width, height, data: rgba } as PNG, { filterType, colorType, inputColorType: 6, inputHasAlpha: true });
}

/** The filter-type byte of every scanline. */
function filtersOf(buf: Buffer): Set<number> {
  const { width, height } = pngjs(buf);
  const bpp = buf[25] === 6 ? 4 : 3;
  const raw = inflateSync(
    Buffer.concat(
      chunks(buf)
        .filter((c) => c.type === 'IDAT')
        .map((c) => c.data),
    ),
  );
  const seen = new Set<number>();
  for (let y = 0; y < height; y++) seen.add(raw[y * (width * bpp + 1)]);
  return seen;
}

function chunks(buf: Buffer): Array<{ type: string; data: Buffer }> {
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let p = 8; p < buf.length;) {
    const len = buf.readUInt32BE(p);
    out.push({ type: buf.toString('latin1', p + 4, p + 8), data: buf.subarray(p + 8, p + 8 + len) });
    p += 12 + len;
  }
  return out;
}

function assemble(list: Array<{ type: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const { type, data } of list) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    parts.push(head, data, crc);
  }
  return Buffer.concat(parts);
}

/** Noise with runs and gradients, so every filter's predictor sees wrap-around sums. */
function testImage(width: number, height: number): Buffer {
  const rgba = Buffer.alloc(width * height * 4);
  let s = 12345;
  for (let i = 0; i < rgba.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = (i >> 2) % width;
    rgba[i] = x < width / 3 ? s >>> 24 : x < (2 * width) / 3 ? (x * 7 + (i & 3) * 50) & 255 : 255 - ((i >> 2) % 251);
  }
  return rgba;
}

describe('decodePng (fflate inflate, own unfilter) against pngjs', () => {
  it.each(CAPTURES)('decodes the Chromium capture $name byte-identically', ({ png }) => {
    expect(png[25]).toBe(6);
    const want = pngjs(png);
    const got = decodePng(png);
    expect(got.width).toBe(1044);
    expect(got.height).toBe(320);
    expect(got.rgba.equals(want.rgba)).toBe(true);
  });

  for (const colorType of [6, 2] as const) {
    for (const filterType of [0, 1, 2, 3, 4]) {
      it(`colour type ${colorType}, filter ${filterType} on every line: Chromium pixels and noise decode byte-identically`, () => {
        const sources = [pngjs(CAPTURES[1].png), { width: 97, height: 41, rgba: testImage(97, 41) }];
        for (const { width, height, rgba } of sources) {
          const png = withFilter(rgba, width, height, filterType, colorType);
          expect(png[25]).toBe(colorType);
          expect([...filtersOf(png)]).toEqual([filterType]);
          const got = decodePng(png);
          expect(got.width).toBe(width);
          expect(got.height).toBe(height);
          expect(got.rgba.equals(pngjs(png).rgba)).toBe(true);
        }
      });
    }
  }

  it('mixed filters per line (pngjs adaptive), several IDAT chunks, 1-pixel images', () => {
    const rgba = testImage(300, 200);
    const adaptive = PNG.sync.write({ width: 300, height: 200, data: rgba } as PNG, { colorType: 6 });
    expect(filtersOf(adaptive).size).toBeGreaterThan(1);
    expect(decodePng(adaptive).rgba.equals(rgba)).toBe(true);
    const list = chunks(adaptive);
    const idat = Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data));
    const split = assemble([
      ...list.filter((c) => c.type === 'IHDR'),
      { type: 'IDAT', data: idat.subarray(0, 1000) },
      { type: 'IDAT', data: idat.subarray(1000, 1001) },
      { type: 'IDAT', data: idat.subarray(1001) },
      { type: 'IEND', data: Buffer.alloc(0) },
    ]);
    expect(decodePng(split).rgba.equals(rgba)).toBe(true);
    for (const filterType of [0, 1, 2, 3, 4]) {
      for (const colorType of [2, 6] as const) {
        const one = withFilter(Buffer.from([200, 10, 30, 77]), 1, 1, filterType, colorType);
        expect(decodePng(one)).toEqual(pngjs(one));
      }
    }
  });

  it('round-trips encodePng', () => {
    const rgba = testImage(64, 48);
    expect(decodePng(encodePng(rgba, 64, 48))).toEqual({ width: 64, height: 48, rgba });
  });

  it('hands other valid PNGs (grey, grey+alpha, 16-bit, interlaced, tRNS) to pngjs, same result', () => {
    const rgba = testImage(33, 17);
    const others = [
      PNG.sync.write({ width: 33, height: 17, data: rgba } as PNG, { colorType: 0 }),
      PNG.sync.write({ width: 33, height: 17, data: rgba } as PNG, { colorType: 4 }),
      PNG.sync.write({ width: 33, height: 17, data: rgba } as PNG, { colorType: 6, bitDepth: 16 }),
    ];
    // Interlaced (Adam7): the raw scanlines of the seven passes, filter 0.
    const passes = [
      [0, 0, 8, 8],
      [4, 0, 8, 8],
      [0, 4, 4, 8],
      [2, 0, 4, 4],
      [0, 2, 2, 4],
      [1, 0, 2, 2],
      [0, 1, 1, 2],
    ];
    const rows: number[] = [];
    for (const [x0, y0, dx, dy] of passes) {
      for (let y = y0; y < 17; y += dy) {
        if (x0 >= 33) continue;
        rows.push(0);
        for (let x = x0; x < 33; x += dx) rows.push(...rgba.subarray((y * 33 + x) * 4, (y * 33 + x) * 4 + 4));
      }
    }
    const ihdr = Buffer.from(chunks(others[1])[0].data);
    ihdr[8] = 8;
    ihdr[9] = 6;
    ihdr[12] = 1;
    others.push(
      assemble([
        { type: 'IHDR', data: ihdr },
        { type: 'IDAT', data: deflateSync(Buffer.from(rows)) },
        { type: 'IEND', data: Buffer.alloc(0) },
      ]),
    );
    // RGB with a tRNS key colour (left to pngjs, whatever it makes of it).
    const rgb = withFilter(rgba, 33, 17, 0, 2);
    const list = chunks(rgb);
    const key = Buffer.from([0, rgba[0], 0, rgba[1], 0, rgba[2]]);
    others.push(assemble([list[0], { type: 'tRNS', data: key }, ...list.slice(1)]));
    for (const png of others) expect(decodePng(png)).toEqual(pngjs(png));
    const interlaced = decodePng(others[3]);
    expect(interlaced.rgba.equals(rgba)).toBe(true);
  });
});

describe("decodePng into a caller's buffer (the render's frame pool)", () => {
  it('writes the pixels into it, one capture after another, each byte-identical to pngjs', () => {
    const into = Buffer.alloc(1044 * 320 * 4, 0x5a);
    for (const { png } of [...CAPTURES, ...CAPTURES.slice().reverse()]) {
      const got = decodePng(png, into);
      expect(got.rgba).toBe(into);
      expect(into.equals(pngjs(png).rgba)).toBe(true);
    }
  });

  it('fills it from the pngjs path as well (a grey PNG)', () => {
    const grey = PNG.sync.write({ width: 3, height: 2, data: Buffer.alloc(24, 200) } as PNG, { colorType: 0, inputColorType: 6 });
    const into = Buffer.alloc(24);
    expect(decodePng(grey, into).rgba).toBe(into);
    expect(into.equals(pngjs(grey).rgba)).toBe(true);
  });

  it('refuses a buffer of the wrong size, and does not hand back its inflate scratch', () => {
    const { png } = CAPTURES[0];
    expect(() => decodePng(png, Buffer.alloc(16))).toThrow(RangeError);
    const a = decodePng(png).rgba;
    const b = decodePng(CAPTURES[1].png).rgba;
    expect(a.equals(pngjs(png).rgba)).toBe(true);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it('pngSize reads the header only, null when it is not a PNG', () => {
    expect(pngSize(CAPTURES[0].png)).toEqual({ width: 1044, height: 320 });
    expect(pngSize(Buffer.from('GIF89a……………………………………………'))).toBeNull();
  });
});

describe('decodePng on malformed input', () => {
  const good = withFilter(testImage(40, 30), 40, 30, 4, 6);
  const list = chunks(good);
  const ihdr = list[0];
  const idat = Buffer.concat(list.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const iend = { type: 'IEND', data: Buffer.alloc(0) };
  const withRaw = (raw: Buffer) => assemble([ihdr, { type: 'IDAT', data: deflateSync(raw) }, iend]);
  const raw = inflateSync(idat);

  it.each([
    ['empty input', Buffer.alloc(0), /not a PNG \(bad signature\)/],
    ['a JPEG', Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb004300', 'hex'), /not a PNG/],
    ['cut in the middle', good.subarray(0, good.length >> 1), /truncated chunk at byte 33/],
    ['no IEND', good.subarray(0, good.length - 12), /no IEND chunk/],
    ['a flipped bit', Buffer.from(good).fill(good[100] ^ 1, 100, 101), /CRC mismatch in chunk IDAT at byte 33/],
    ['IDAT first', assemble([{ type: 'IDAT', data: idat }, ihdr, iend]), /first chunk is not a 13-byte IHDR/],
    ['no IDAT', assemble([ihdr, iend]), /no IDAT chunk/],
    [
      'a zero width',
      assemble([{ type: 'IHDR', data: Buffer.from(ihdr.data).fill(0, 0, 4) }, { type: 'IDAT', data: idat }, iend]),
      /image size 0x30/,
    ],
    ['not zlib data', assemble([ihdr, { type: 'IDAT', data: Buffer.from('not deflate at all') }, iend]), /corrupt image data \(/],
    ['too little image data', withRaw(raw.subarray(0, raw.length - 1)), /image data is 4829 bytes, expected 4830 for 40x30/],
    ['too much image data', withRaw(Buffer.concat([raw, Buffer.alloc(1)])), /image data is 4831 bytes, expected 4830/],
    ['far too much image data', withRaw(Buffer.concat([raw, Buffer.alloc(100_000)])), /image data is 4831 bytes, expected 4830/],
    [
      'a header announcing 20000x20000',
      assemble([
        { type: 'IHDR', data: Buffer.from(ihdr.data).fill(0, 0, 8).fill(0x4e, 2, 3).fill(0x20, 3, 4).fill(0x4e, 6, 7).fill(0x20, 7, 8) },
        { type: 'IDAT', data: idat },
        iend,
      ]),
      /image of 20000x20000 is too large/,
    ],
    ['filter type 5', withRaw(Buffer.from(raw).fill(5, 161 * 7, 161 * 7 + 1)), /unknown filter type 5 on scanline 7/],
  ])('%s: PngDecodeError', (_what, input, message) => {
    let caught: unknown;
    try {
      decodePng(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PngDecodeError);
    expect((caught as Error).message).toMatch(/^decodePng: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('malformed input of a kind it hands to pngjs (a palette PNG without PLTE) is a PngDecodeError too', () => {
    const palette = Buffer.from(ihdr.data);
    palette[9] = 3;
    expect(() => decodePng(assemble([{ type: 'IHDR', data: palette }, { type: 'IDAT', data: idat }, iend]))).toThrow(PngDecodeError);
  });
});
