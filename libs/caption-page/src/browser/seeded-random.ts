// Deterministic randomness for plugins. Some of the editor's plugins call Math.random (glitch,
// elastic, magnetic through gsap.utils.random; flames' flicker). A render must give the same
// pixels for the same frame in every segment, retry and re-seek, so the page replaces
// Math.random with seeded streams: one per (job seed, node, plugin), restarted whenever the
// plugin is initialised (the page re-initialises every plugin before each frame), so a plugin
// draws the same numbers in the same order for the same frame. Calls outside any plugin draw
// from a stream restarted at every seek.

type Stream = () => number;

/** FNV-1a, 32 bit. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32's output function: its 32-bit state, well mixed, → [0, 1). */
export function mix32(a: number): number {
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** The state step of mulberry32. */
export const MULBERRY32_STEP = 0x6d2b79f5;

/** mulberry32: small, fast, good enough for visual jitter. */
function mulberry32(seed: number): Stream {
  let a = seed >>> 0;
  return () => {
    a = (a + MULBERRY32_STEP) | 0;
    return mix32(a);
  };
}

let jobSeed = '';
let fallback: Stream = mulberry32(hash32('ecg'));
let current: Stream | null = null;
const streams = new Map<string, Stream>();

Math.random = () => (current ?? fallback)();

/** A new job (scenario load): forget every stream. */
export function setJobSeed(seed: string): void {
  jobSeed = seed;
  streams.clear();
  fallback = mulberry32(hash32(`${jobSeed}|page`));
}

/** Before every seek: calls outside plugins draw the same numbers for the same t. */
export function restartFallback(t: number): void {
  fallback = mulberry32(hash32(`${jobSeed}|t=${t}`));
}

/** Starts the stream of `key` from its beginning. */
export function restartStream(key: string): Stream {
  const stream = mulberry32(hash32(`${jobSeed}|${key}`));
  streams.set(key, stream);
  return stream;
}

/** Runs fn with Math.random drawing from the stream of `key` (started if new). */
export function withStream<T>(key: string, fn: () => T): T {
  const stream = streams.get(key) ?? restartStream(key);
  const previous = current;
  current = stream;
  try {
    return fn();
  } finally {
    current = previous;
  }
}
