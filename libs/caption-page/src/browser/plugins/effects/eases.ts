// The easing curves the editor's effect plugins name (GSAP's ease strings), written out as plain
// functions so our plugins evaluate them without a GSAP timeline. Same formulas as GSAP 3 (the
// standard Penner curves; elastic with GSAP's amplitude/period parameterisation), checked against
// gsap.parseEase in effects.spec.ts.

export type Ease = (x: number) => number;

const TWO_PI = Math.PI * 2;

const powerOut =
  (n: number): Ease =>
  (x) =>
    1 - Math.pow(1 - x, n + 1);

const backOut =
  (s: number): Ease =>
  (x) => {
    const t = x - 1;
    return t * t * ((s + 1) * t + s) + 1;
  };

function elasticOut(amplitude: number, period: number): Ease {
  const a = amplitude >= 1 ? amplitude : 1;
  const per = period / (amplitude < 1 ? amplitude : 1);
  const shift = (per / TWO_PI) * (Math.asin(1 / a) || 0);
  const w = TWO_PI / per;
  return (x) => (x === 1 ? 1 : a * Math.pow(2, -10 * x) * Math.sin((x - shift) * w) + 1);
}

const bounceOut: Ease = (x) => {
  const n = 7.5625;
  if (x < 1 / 2.75) return n * x * x;
  if (x < 2 / 2.75) return n * (x - 1.5 / 2.75) ** 2 + 0.75;
  if (x < 2.5 / 2.75) return n * (x - 2.25 / 2.75) ** 2 + 0.9375;
  return n * (x - 2.625 / 2.75) ** 2 + 0.984375;
};

const sineOut: Ease = (x) => (x === 1 ? 1 : Math.sin((x * Math.PI) / 2));

function fromOut(out: Ease, kind: string): Ease {
  if (kind === 'in') return (x) => 1 - out(1 - x);
  if (kind === 'inOut') return (x) => (x < 0.5 ? (1 - out(1 - x * 2)) / 2 : 0.5 + out((x - 0.5) * 2) / 2);
  return out;
}

const LINEAR: Ease = (x) => x;
/** GSAP's default ease for a tween that names none. */
export const DEFAULT_EASE = 'power1.out';

const cache = new Map<string, Ease>();

/** "power2.out", "back.out(1.7)", "elastic.out(0.7, 0.3)", "bounce.out", "none", … */
export function parseEase(spec: string | undefined): Ease {
  const key = (spec ?? DEFAULT_EASE).replace(/\s+/g, '');
  const hit = cache.get(key);
  if (hit) return hit;
  const m = key.match(/^([a-zA-Z]+\d?)(?:\.(in|out|inOut))?(?:\(([^)]*)\))?$/);
  let ease: Ease | null = null;
  if (key === 'none' || key === 'linear' || key === 'power0' || key.startsWith('power0.')) ease = LINEAR;
  else if (m) {
    const [, family, kind = 'out', argText] = m;
    const args = (argText ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(Number);
    let out: Ease | null = null;
    const power = family.match(/^power([1-4])$/);
    if (power) out = powerOut(Number(power[1]));
    else if (family === 'quad') out = powerOut(1);
    else if (family === 'cubic') out = powerOut(2);
    else if (family === 'back') out = backOut(Number.isFinite(args[0]) ? args[0] : 1.70158);
    else if (family === 'elastic')
      out = elasticOut(Number.isFinite(args[0]) ? args[0] : 1, Number.isFinite(args[1]) ? args[1] : kind === 'out' ? 0.3 : 0.45);
    else if (family === 'bounce') out = bounceOut;
    else if (family === 'sine') out = sineOut;
    if (out) ease = fromOut(out, kind);
  }
  // GSAP falls back to its default ease for a name it does not know.
  const result = ease ?? (key === DEFAULT_EASE ? powerOut(1) : parseEase(DEFAULT_EASE));
  cache.set(key, result);
  return result;
}
