// What a prepared (v2.0) scenario asks of fonts: the CSS family lists it writes, the font files
// its `define` names, and every character it draws. Pure functions over the scenario value.
import { unquote } from './font-face-css.js';

/** CSS generic families and keywords: always available, never fetched. */
const GENERIC = new Set([
  'serif',
  'sans-serif',
  'monospace',
  'cursive',
  'fantasy',
  'system-ui',
  'ui-serif',
  'ui-sans-serif',
  'ui-monospace',
  'ui-rounded',
  'math',
  'emoji',
  'fangsong',
  '-apple-system',
  'blinkmacsystemfont',
  'inherit',
  'initial',
  'unset',
  'revert',
  'revert-layer',
]);

export function isGenericFamily(name: string): boolean {
  return GENERIC.has(name.toLowerCase());
}

/** The key we match family names by: quotes stripped, case and inner white space folded. */
export function familyKey(name: string): string {
  return unquote(name).normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** `'Roboto Flex', system-ui, Arial, sans-serif` → ['Roboto Flex', 'system-ui', 'Arial', 'sans-serif']. */
export function parseFamilyList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (const c of value) {
    if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim().replace(/\s+/g, ' ')).filter(Boolean);
}

export interface FontFileReference {
  /** The define key: the family name scenarios write (`fontFamily: "custom_font"`). */
  family: string;
  url: string;
  /** JSON path of the reference, for error messages (`scenario.define.custom_font.url`). */
  field: string;
}

export interface ScenarioFontNeeds {
  /** Each distinct family list, as written. */
  familyLists: string[];
  /** Families that must load: the first named (non-generic) family of each list, deduplicated by key. */
  required: string[];
  /** Font files named in `define` (`{type: "font", url}`). */
  fontFiles: FontFileReference[];
  /** Every code point drawn as text (space and controls excluded). */
  codePoints: Set<number>;
}

const TEXT_KEYS = new Set(['text', 'content']);
const FAMILY_KEYS = new Set(['fontFamily', 'font-family']);

/** Walks the scenario once. Bounded depth: prepared scenarios were validated already. */
export function scenarioFontNeeds(scenario: Record<string, unknown>): ScenarioFontNeeds {
  const lists = new Set<string>();
  const codePoints = new Set<number>();
  const walk = (v: unknown, depth: number, key: string): void => {
    if (depth > 200) return;
    if (typeof v === 'string') {
      if (FAMILY_KEYS.has(key)) lists.add(v);
      else if (TEXT_KEYS.has(key)) for (const ch of v) addCodePoint(codePoints, ch.codePointAt(0)!);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1, key);
      return;
    }
    if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, depth + 1, k);
  };
  walk(scenario.cues, 0, 'cues');
  walk(scenario.tracks, 0, 'tracks');
  walk(scenario.define ?? scenario.definitions, 0, 'define');

  const fontFiles: FontFileReference[] = [];
  for (const [where, defs] of [
    ['define', scenario.define],
    ['definitions', scenario.definitions],
  ] as const) {
    if (!defs || typeof defs !== 'object') continue;
    for (const [name, def] of Object.entries(defs as Record<string, unknown>)) {
      const d = def as Record<string, unknown> | null;
      if (!d || typeof d !== 'object' || d.type !== 'font') continue;
      const urlKey = typeof d.url === 'string' ? 'url' : 'src';
      const url = d[urlKey];
      if (typeof url === 'string') fontFiles.push({ family: name, url, field: `scenario.${where}.${name}.${urlKey}` });
    }
  }

  const required = new Map<string, string>();
  for (const list of lists) {
    const first = parseFamilyList(list).find((f) => !isGenericFamily(f));
    if (first && !required.has(familyKey(first))) required.set(familyKey(first), first);
  }
  return { familyLists: [...lists], required: [...required.values()], fontFiles, codePoints };
}

/** Characters nobody expects a glyph for: controls, white space, joiners and variation selectors. */
function addCodePoint(set: Set<number>, cp: number): void {
  if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0)) return;
  if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060 || cp === 0xfeff) return;
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return;
  if (cp >= 0x200e && cp <= 0x200f) return; // LRM/RLM
  if (cp >= 0x202a && cp <= 0x202e) return; // bidi embeddings
  if (cp >= 0x2066 && cp <= 0x2069) return; // bidi isolates
  if (/\s/u.test(String.fromCodePoint(cp))) return;
  set.add(cp);
}

/** `U+1F600 😀` style names for reports. */
export function describeCodePoint(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${String.fromCodePoint(cp)}`;
}
