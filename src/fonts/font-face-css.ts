// @font-face rules as stylesheets declare them (the npm font packages' CSS, the Google Fonts CSS
// API's answers) and the code-point sets we reason with: unicode-range descriptors, cmap and
// fontconfig coverage all become sorted, merged [first, last] ranges.

/** Inclusive code-point ranges, sorted and non-overlapping. */
export type CodePointRanges = ReadonlyArray<readonly [number, number]>;

export interface FontFaceSource {
  /** As written in the stylesheet (relative URLs are resolved by the caller). */
  url: string;
  /** `format(...)` hint, lower-case, or undefined. */
  format?: string;
}

export interface FontFaceRule {
  family: string;
  style: string;
  /** "400" or a range "100 900". */
  weight: string;
  sources: FontFaceSource[];
  /** As written (undefined: all code points). */
  unicodeRange?: string;
  /** Parsed unicodeRange (the whole Unicode range when none was given). */
  ranges: CodePointRanges;
}

export const ALL_CODE_POINTS: CodePointRanges = [[0, 0x10ffff]];

/** Strips quotes and surrounding white space from a CSS identifier or string. */
export function unquote(s: string): string {
  const t = s.trim();
  return /^(['"]).*\1$/s.test(t) ? t.slice(1, -1) : t;
}

/** `U+0-7F, U+4??, U+AC00-D7A3` → ranges. Throws on a malformed token. */
export function parseUnicodeRange(value: string): CodePointRanges {
  const out: Array<[number, number]> = [];
  for (const raw of value.split(',')) {
    const tok = raw.trim().toUpperCase();
    if (!tok) continue;
    const m = /^U\+([0-9A-F?]{1,6})(?:-([0-9A-F]{1,6}))?$/.exec(tok);
    if (!m) throw new Error(`bad unicode-range token ${JSON.stringify(raw.trim())}`);
    if (m[1].includes('?')) {
      out.push([parseInt(m[1].replace(/\?/g, '0'), 16), parseInt(m[1].replace(/\?/g, 'F'), 16)]);
    } else {
      const a = parseInt(m[1], 16);
      out.push([a, m[2] ? parseInt(m[2], 16) : a]);
    }
  }
  return normalizeRanges(out);
}

export function normalizeRanges(ranges: Iterable<readonly [number, number]>): CodePointRanges {
  const sorted = [...ranges].filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Code points in both. */
export function intersectRanges(a: CodePointRanges, b: CodePointRanges): CodePointRanges {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

export function rangesHave(ranges: CodePointRanges, cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[mid][0]) hi = mid - 1;
    else if (cp > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** True when any of the code points lies in the ranges. */
export function rangesHaveAny(ranges: CodePointRanges, codePoints: Iterable<number>): boolean {
  for (const cp of codePoints) if (rangesHave(ranges, cp)) return true;
  return false;
}

/** Splits a declaration block `a: b; c: url(x;y)` into lower-cased names and values. */
function declarations(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let quote = '';
  let start = 0;
  const flush = (end: number) => {
    const decl = block.slice(start, end);
    const colon = decl.indexOf(':');
    if (colon > 0) out.set(decl.slice(0, colon).trim().toLowerCase(), decl.slice(colon + 1).trim());
    start = end + 1;
  };
  for (let i = 0; i < block.length; i++) {
    const c = block[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) flush(i);
  }
  flush(block.length);
  return out;
}

/** `url(a) format('woff2'), local(x), url("b")` → the url() sources with their format hints. */
export function parseSrc(value: string): FontFaceSource[] {
  const out: FontFaceSource[] = [];
  const re = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)(?:\s*format\(\s*["']?([^"')]+)["']?\s*\))?/gi;
  for (const m of value.matchAll(re)) {
    const url = m[1] ?? m[2] ?? m[3] ?? '';
    if (url) out.push({ url, format: m[4]?.trim().toLowerCase() });
  }
  return out;
}

/** Every @font-face rule of a stylesheet (comments ignored; other rules skipped). */
export function parseFontFaceCss(css: string): FontFaceRule[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const out: FontFaceRule[] = [];
  const re = /@font-face\s*\{([^}]*)\}/gi;
  for (const m of text.matchAll(re)) {
    const d = declarations(m[1]);
    const family = d.get('font-family');
    const sources = parseSrc(d.get('src') ?? '');
    if (!family || sources.length === 0) continue;
    const unicodeRange = d.get('unicode-range');
    out.push({
      family: unquote(family),
      style: (d.get('font-style') ?? 'normal').toLowerCase(),
      weight: (d.get('font-weight') ?? '400').toLowerCase().replace(/\s+/g, ' '),
      sources,
      unicodeRange,
      ranges: unicodeRange ? parseUnicodeRange(unicodeRange) : ALL_CODE_POINTS,
    });
  }
  return out;
}
