// The font faces we ship (npm packages, so every deployment and Docker image has the same
// faces) and the family names scenarios use for them. Each entry points at the package's own
// @font-face stylesheets; their faces are registered in the page under the name the scenario
// wrote, e.g. Arimo's faces as "Arial".
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseFontFaceCss, type FontFaceRule } from './font-face-css.js';
import { fontFileCoverage } from './font-coverage.js';
import { familyKey } from './scenario-fonts.js';

export interface BundledFamily {
  /** The face's own name (what we ship). */
  face: string;
  /** Family names (as scenarios write them) served with this face. */
  names: string[];
  packageName: string;
  /** Stylesheets inside the package, relative to its folder. */
  stylesheets: string[];
  /** Why this face stands in for the names, when it is a substitute. */
  note?: string;
}

/**
 * Arimo, Cousine and Tinos (ChromeOS core fonts, = Liberation Sans/Mono/Serif) have the advance
 * widths of Arial, Courier New and Times New Roman glyph for glyph, so lines break where they
 * would with the Microsoft faces. Malgun Gothic, 나눔스퀘어 네오 (NanumSquare Neo) and Arial Black
 * have no metric-compatible free face and no npm package: they are not in this list, so a
 * scenario that names them is refused (or warned about), never silently drawn with another face.
 */
export const BUNDLED_FAMILIES: readonly BundledFamily[] = [
  {
    face: 'Arimo',
    names: ['Arial', 'Helvetica', 'Arimo', 'Liberation Sans'],
    packageName: '@fontsource/arimo',
    stylesheets: ['400.css', '400-italic.css', '500.css', '500-italic.css', '600.css', '600-italic.css', '700.css', '700-italic.css'],
    note: 'metric-compatible with Arial (same advance widths)',
  },
  {
    face: 'Cousine',
    names: ['Courier New', 'Courier', 'Cousine', 'Liberation Mono'],
    packageName: '@fontsource/cousine',
    stylesheets: ['400.css', '400-italic.css', '700.css', '700-italic.css'],
    note: 'metric-compatible with Courier New',
  },
  {
    face: 'Tinos',
    names: ['Times New Roman', 'Times', 'Tinos', 'Liberation Serif'],
    packageName: '@fontsource/tinos',
    stylesheets: ['400.css', '400-italic.css', '700.css', '700-italic.css'],
    note: 'metric-compatible with Times New Roman',
  },
  {
    face: 'Noto Sans KR',
    names: ['Noto Sans KR', 'Noto Sans KR Variable'],
    packageName: '@fontsource-variable/noto-sans-kr',
    stylesheets: ['wght.css'],
  },
  {
    face: 'Roboto Flex',
    names: ['Roboto Flex', 'Roboto Flex Variable'],
    packageName: '@fontsource-variable/roboto-flex',
    stylesheets: ['wght.css'],
  },
  {
    face: 'Pretendard',
    names: ['Pretendard', 'Pretendard Variable'],
    packageName: 'pretendard',
    stylesheets: ['dist/web/variable/pretendardvariable-dynamic-subset.css'],
  },
  {
    face: 'Nanum Gothic',
    names: ['Nanum Gothic', 'NanumGothic', '나눔고딕'],
    packageName: '@fontsource/nanum-gothic',
    stylesheets: ['400.css', '700.css', '800.css'],
  },
  {
    face: 'Noto Color Emoji',
    names: ['Noto Color Emoji'],
    packageName: '@fontsource/noto-color-emoji',
    // One COLR/CPAL face (Chromium draws it in colour); the numbered subsets of 400.css are
    // OpenType-SVG only, which Chromium does not draw at all.
    stylesheets: ['emoji-400.css'],
  },
  {
    face: 'Noto Sans Arabic',
    names: ['Noto Sans Arabic'],
    packageName: '@fontsource-variable/noto-sans-arabic',
    stylesheets: ['wght.css'],
  },
  {
    face: 'Noto Sans Hebrew',
    names: ['Noto Sans Hebrew'],
    packageName: '@fontsource-variable/noto-sans-hebrew',
    stylesheets: ['wght.css'],
  },
];

/**
 * Faces registered behind every family a scenario uses, for the characters that family lacks
 * (colour emoji, Arabic, Hebrew): Chromium's own fallback only knows installed system fonts,
 * never a web font, so without this an emoji in an "Arial" caption would draw from whatever the
 * machine has (nothing in our Docker image).
 */
export const FALLBACK_FACES = ['Noto Color Emoji', 'Noto Sans Arabic', 'Noto Sans Hebrew'] as const;

/** A face of a bundled family, with the absolute path of its file. */
export interface BundledFace extends FontFaceRule {
  path: string;
}

const require = createRequire(import.meta.url);
const byName = new Map<string, BundledFamily>();
for (const f of BUNDLED_FAMILIES) for (const n of f.names) byName.set(familyKey(n), f);

export function bundledFamily(name: string): BundledFamily | undefined {
  return byName.get(familyKey(name));
}

export function bundledFamilyByFace(face: string): BundledFamily {
  const f = BUNDLED_FAMILIES.find((x) => x.face === face);
  if (!f) throw new Error(`no bundled face ${face}`);
  return f;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

const facesCache = new Map<string, Promise<BundledFace[]>>();

/** The faces of a bundled family (parsed once per process), each with its woff2/woff file path. */
export function bundledFaces(family: BundledFamily): Promise<BundledFace[]> {
  let p = facesCache.get(family.face);
  if (!p) {
    p = (async () => {
      const dir = packageDir(family.packageName);
      const out: BundledFace[] = [];
      for (const sheet of family.stylesheets) {
        const cssPath = join(dir, sheet);
        for (const rule of parseFontFaceCss(await readFile(cssPath, 'utf8'))) {
          const src = rule.sources.find((s) => /woff2/.test(s.format ?? s.url)) ?? rule.sources[0];
          const path = join(dirname(cssPath), src.url.replace(/^\.\//, ''));
          // A face without unicode-range: its real coverage, from its cmap (else it would claim every character).
          const ranges = rule.unicodeRange ? rule.ranges : (fontFileCoverage(await readFile(path)) ?? rule.ranges);
          out.push({ ...rule, ranges, path });
        }
      }
      if (out.length === 0) throw new Error(`${family.packageName}: no @font-face rule in ${family.stylesheets.join(', ')}`);
      return out;
    })();
    p.catch(() => facesCache.delete(family.face));
    facesCache.set(family.face, p);
  }
  return p;
}
