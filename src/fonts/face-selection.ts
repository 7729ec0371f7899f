// Which faces of a family a render needs: the weights and styles the scenario asks for, and only
// the unicode-range subsets holding characters it draws (Noto Sans KR is ~120 subsets; a caption
// needs a handful).
import { rangesHave, rangesHaveAny, type CodePointRanges, type FontFaceRule } from './font-face-css.js';

export interface FaceStyle {
  weight: number;
  style: 'normal' | 'italic';
}

const WEIGHT_WORDS: Record<string, number[]> = { normal: [400], bold: [700], bolder: [400, 700, 900], lighter: [100, 400] };

/** Every (weight, style) the scenario's styles name; 400 normal always (the default). */
export function scenarioFaceStyles(scenario: unknown): FaceStyle[] {
  const weights = new Set<number>([400]);
  const styles = new Set<'normal' | 'italic'>(['normal']);
  const walk = (v: unknown, depth: number): void => {
    if (depth > 200 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'fontWeight' && (typeof x === 'number' || typeof x === 'string')) {
        const s = String(x).trim().toLowerCase();
        for (const w of WEIGHT_WORDS[s] ?? [Number(s)]) if (Number.isFinite(w) && w >= 1 && w <= 1000) weights.add(w);
      } else if (k === 'fontStyle' && typeof x === 'string' && /italic|oblique/i.test(x)) styles.add('italic');
      else walk(x, depth + 1);
    }
  };
  walk(scenario, 0);
  const out: FaceStyle[] = [];
  for (const weight of weights) for (const style of styles) out.push({ weight, style });
  return out;
}

function weightRange(rule: FontFaceRule): [number, number] {
  const parts = rule.weight.split(' ').map((w) => (w === 'bold' ? 700 : w === 'normal' ? 400 : Number(w)));
  const a = Number.isFinite(parts[0]) ? parts[0] : 400;
  const b = Number.isFinite(parts[1]) ? parts[1] : a;
  return [a, b];
}

function styleOf(rule: FontFaceRule): 'normal' | 'italic' {
  return /italic|oblique/.test(rule.style) ? 'italic' : 'normal';
}

/** Descriptor key of a face: faces sharing it form one segmented face in the browser. */
export function descriptorKey(rule: Pick<FontFaceRule, 'weight' | 'style'>): string {
  return `${rule.weight}|${rule.style}`;
}

/**
 * The descriptor groups (weight, style) of `faces` the browser would match for each wanted
 * style — the exact or containing weight, else the nearest — so we hand over only those.
 */
export function matchingGroups<T extends FontFaceRule>(faces: readonly T[], wanted: readonly FaceStyle[]): Set<string> {
  const keys = new Set<string>();
  for (const want of wanted) {
    const sameStyle = faces.filter((f) => styleOf(f) === want.style);
    const pool = sameStyle.length ? sameStyle : faces;
    let best: T | undefined;
    let bestDist = Infinity;
    for (const f of pool) {
      const [a, b] = weightRange(f);
      const dist = want.weight < a ? a - want.weight : want.weight > b ? want.weight - b : 0;
      if (dist < bestDist) {
        best = f;
        bestDist = dist;
      }
    }
    if (best) keys.add(descriptorKey(best));
  }
  return keys;
}

/** The faces of the chosen groups whose unicode-range holds at least one of the code points. */
export function facesFor<T extends FontFaceRule>(faces: readonly T[], groups: ReadonlySet<string>, codePoints: ReadonlySet<number>): T[] {
  return faces.filter((f) => groups.has(descriptorKey(f)) && rangesHaveAny(f.ranges, codePoints));
}

/** Code points of `codePoints` that none of `ranges` covers. */
export function uncovered(codePoints: Iterable<number>, ranges: readonly CodePointRanges[]): number[] {
  const out: number[] = [];
  for (const cp of codePoints) if (!ranges.some((r) => rangesHave(r, cp))) out.push(cp);
  return out.sort((a, b) => a - b);
}

/** `[0x41, 0x42, 0x1f600]` → `U+41-42,U+1F600` (a unicode-range descriptor). */
export function toUnicodeRange(codePoints: readonly number[]): string {
  const sorted = [...new Set(codePoints)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const hex = (n: number) => n.toString(16).toUpperCase();
    parts.push(i === j ? `U+${hex(sorted[i])}` : `U+${hex(sorted[i])}-${hex(sorted[j])}`);
    i = j + 1;
  }
  return parts.join(',');
}
