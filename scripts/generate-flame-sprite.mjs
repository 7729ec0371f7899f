#!/usr/bin/env node
// Draws our flames plugin's fire: a sprite sheet of FRAMES frames (FRAME_W × FRAME_H each,
// stacked top to bottom) that loops seamlessly, written as an RGBA PNG to
// libs/caption-page/plugin-assets/flames@{2.0.0,1.0.0}/assets/flame.png.
// Procedural and seeded (same bytes every run): anisotropic fractal value noise scrolled
// upward by exactly one vertical period per loop, thresholded per row so that the share of fire
// in each row follows the profile of the editor's flame (empty top seventh, dense lower half,
// a thin empty strip at the bottom), coloured red at the edges through orange to pale yellow
// inside. The frame size has the editor's GIF aspect ratio (480:272) so object-fit: cover crops
// a caption box the same way; the plugin (src/browser/plugins/flames.ts) shows 10 frames a second.
//
//   node scripts/generate-flame-sprite.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

export const FRAMES = 24; // 2.4 s loop at 10 frames a second (flames.ts: FLAME_SPRITE)
export const FRAME_W = 360;
export const FRAME_H = 204;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['flames@2.0.0', 'flames@1.0.0'].map((k) => join(root, 'libs/caption-page/plugin-assets', k, 'assets/flame.png'));

// ---------------------------------------------------------------- seeded value noise
function hash(ix, iy, seed) {
  let h = Math.imul(ix, 374761393) ^ Math.imul(iy, 668265263) ^ Math.imul(seed, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
const smooth = (t) => t * t * (3 - 2 * t);
const mod = (a, n) => ((a % n) + n) % n;

/** Value noise on a lattice of cw × ch px cells, periodic every `periodY` px vertically. */
function valueNoise(x, y, cw, ch, periodY, seed) {
  const cellsY = Math.round(periodY / ch);
  const gx = x / cw;
  const gy = y / ch;
  const ix = Math.floor(gx);
  const iy = Math.floor(gy);
  const fx = smooth(gx - ix);
  const fy = smooth(gy - iy);
  const y0 = mod(iy, cellsY);
  const y1 = mod(iy + 1, cellsY);
  const a = hash(ix, y0, seed);
  const b = hash(ix + 1, y0, seed);
  const c = hash(ix, y1, seed);
  const d = hash(ix + 1, y1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

const PERIOD_Y = FRAME_H * 2; // one loop scrolls the noise by exactly this much
const OCTAVES = [
  // cell width, cell height (tall cells: tongues), weight
  [20, 81.6, 0.5],
  [10, 40.8, 0.27],
  [5, 20.4, 0.15],
  [2.5, 10.2, 0.08],
];

function turbulence(x, y, seed) {
  // sideways sway of the tongues, itself periodic in y
  const sway = (valueNoise(x, y, 60, 102, PERIOD_Y, seed + 7) - 0.5) * 26;
  let v = 0;
  OCTAVES.forEach(([cw, ch, w], i) => {
    v += w * valueNoise(x + sway, y, cw, ch, PERIOD_Y, seed + i * 31);
  });
  return v;
}

// ---------------------------------------------------------------- the editor flame's profile
// Share of fire per row (0 = top, 1 = bottom), read off the editor's flame.gif averaged over its
// frames (statistics only; nothing of the image is used).
const PROFILE = [
  [0.0, 0],
  [0.12, 0],
  [0.15, 0.01],
  [0.18, 0.06],
  [0.22, 0.15],
  [0.27, 0.25],
  [0.32, 0.35],
  [0.38, 0.5],
  [0.44, 0.63],
  [0.5, 0.76],
  [0.56, 0.85],
  [0.62, 0.9],
  [0.68, 0.93],
  [0.74, 0.95],
  [0.85, 0.96],
  [0.91, 0.95],
  [0.94, 0.63],
  [0.97, 0.02],
  [1.0, 0],
];
function lerpTable(table, v) {
  for (let i = 1; i < table.length; i++) {
    const [v1, c1] = table[i];
    if (v <= v1) {
      const [v0, c0] = table[i - 1];
      return c0 + ((c1 - c0) * (v - v0)) / (v1 - v0);
    }
  }
  return table[table.length - 1][1];
}
const coverage = (v) => lerpTable(PROFILE, v);
// How hot (yellow) the fire is by row: reddish tips, a yellow middle, orange at the base — also
// read off the editor's flame's mean colour per band.
const HEAT = [
  [0.0, 0.55],
  [0.3, 0.7],
  [0.45, 1.15],
  [0.6, 1.1],
  [0.75, 0.7],
  [1.0, 0.6],
];

// ---------------------------------------------------------------- colours
const RAMP = [
  // depth into the fire (0 = edge) → rgb
  [0.0, [165, 45, 12]],
  [0.04, [212, 90, 20]],
  [0.1, [236, 146, 38]],
  [0.2, [245, 188, 72]],
  [0.35, [250, 214, 114]],
  [0.55, [253, 232, 160]],
  [1.0, [255, 248, 215]],
];
function ramp(d) {
  for (let i = 1; i < RAMP.length; i++) {
    if (d <= RAMP[i][0]) {
      const [d0, c0] = RAMP[i - 1];
      const [d1, c1] = RAMP[i];
      const t = (d - d0) / (d1 - d0);
      return c0.map((c, k) => c + (c1[k] - c) * t);
    }
  }
  return RAMP[RAMP.length - 1][1];
}

// ---------------------------------------------------------------- drawing
function drawSheet() {
  const px = new Uint8Array(FRAME_W * FRAME_H * FRAMES * 4);
  const row = new Float32Array(FRAME_W);
  const speed = PERIOD_Y / FRAMES; // px per frame, upward
  for (let f = 0; f < FRAMES; f++) {
    for (let y = 0; y < FRAME_H; y++) {
      for (let x = 0; x < FRAME_W; x++) row[x] = turbulence(x, y + f * speed, 1234);
      // threshold at the row's quantile so the fire covers the profile's share of the row
      const share = coverage((y + 0.5) / FRAME_H);
      const sorted = Float32Array.from(row).sort();
      const th = share <= 0 ? Infinity : sorted[Math.min(FRAME_W - 1, Math.floor((1 - share) * FRAME_W))];
      const spread = Math.max(1e-3, sorted[FRAME_W - 1] - th);
      for (let x = 0; x < FRAME_W; x++) {
        const o = ((f * FRAME_H + y) * FRAME_W + x) * 4;
        const d = row[x] - th;
        const a = d <= -0.012 ? 0 : d >= 0.012 ? 1 : (d + 0.012) / 0.024; // soft edge
        if (a <= 0) continue;
        // streaks inside the fire: depth modulated by a thin, tall noise
        const streak = valueNoise(x, y + f * speed, 6, 25.5, PERIOD_Y, 99);
        const tone = lerpTable(HEAT, (y + 0.5) / FRAME_H);
        const [r, g, b] = ramp(Math.min(1, (Math.max(0, d) / spread) * (0.45 + 1.1 * streak) * tone));
        px[o] = Math.round(r);
        px[o + 1] = Math.round(g);
        px[o + 2] = Math.round(b);
        px[o + 3] = Math.round(a * 255);
      }
    }
  }
  return px;
}

function encodePng(width, height, rgba) {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 1; // filter: Sub
    const line = rgba.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; i++) raw[y * (stride + 1) + 1 + i] = (line[i] - (i >= 4 ? line[i - 4] : 0)) & 255;
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const png = encodePng(FRAME_W, FRAME_H * FRAMES, drawSheet());
  for (const out of outputs) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, png);
    console.log(`${out}: ${FRAME_W}×${FRAME_H * FRAMES} (${FRAMES} frames), ${png.length} bytes`);
  }
}
