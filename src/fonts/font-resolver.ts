// Decides, for one prepared scenario, which font faces the page gets and what cannot be drawn as
// written: families that cannot be loaded and characters no face covers (tofu). With
// FONT_FALLBACK=refuse (default) either is a RENDER_FONT_UNAVAILABLE error naming them; with
// `warn` the render goes on and they become the job's warnings. Never silent.
import type { OnApplicationShutdown } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import type { PageFont } from '../../libs/caption-page/src/load-options.js';
import { bundledFaces, bundledFamily, bundledFamilyByFace, FALLBACK_FACES } from './font-catalogue.js';
import type { FontConfig } from './font-config.js';
import { intersectRanges, rangesHave, type CodePointRanges, type FontFaceRule } from './font-face-css.js';
import { descriptorKey, facesFor, matchingGroups, scenarioFaceStyles, toUnicodeRange, uncovered } from './face-selection.js';
import { fontFileCoverage } from './font-coverage.js';
import { AssetReferenceError, FontSourceError, type FontSources } from './font-sources.js';
import { describeCodePoint, familyKey, isGenericFamily, parseFamilyList, scenarioFontNeeds } from './scenario-fonts.js';
import { inlineImages, type InlinedImages } from './scenario-assets.js';
import { systemFonts } from './system-fonts.js';

export type FamilySource = 'bundled' | 'system' | 'fetched' | 'asset' | 'missing';

export interface FamilyReport {
  /** As the scenario wrote it. */
  family: string;
  source: FamilySource;
  /** The face drawn (bundled substitutes: e.g. Arimo for Arial). */
  face?: string;
  note?: string;
  /** Why it is missing. */
  reason?: string;
  /** The first family of a list (must load) or a later fallback (may be absent). */
  required: boolean;
}

export interface FontPlan {
  fonts: PageFont[];
  families: FamilyReport[];
  /** Required families that could not be loaded. */
  missing: FamilyReport[];
  /** Code points no face (ours or the system's) covers. */
  tofu: number[];
  /** Human-readable problems (missing families, tofu); empty when everything is drawable. */
  problems: string[];
}

/** A family could not be loaded, or characters have no glyph, and FONT_FALLBACK=refuse. */
export class FontUnavailableError extends Error {
  readonly code = 'RENDER_FONT_UNAVAILABLE';
  constructor(readonly plan: FontPlan) {
    super(`fonts unavailable: ${plan.problems.join('; ')}`);
  }

  /** `details` of the 400: one entry per family and per character. */
  get details(): Array<{ field: string; reason: string }> {
    return [
      ...this.plan.missing.map((m) => ({
        field: `fontFamily:${m.family}`,
        reason: `font family "${m.family}" cannot be loaded: ${m.reason}`,
      })),
      ...this.plan.tofu.map((cp) => ({
        field: `text:${describeCodePoint(cp)}`,
        reason: `no available font has a glyph for ${describeCodePoint(cp)}`,
      })),
    ];
  }
}

export { AssetReferenceError };

/** A face with where its bytes come from. */
interface SourcedFace extends FontFaceRule {
  path?: string;
  url?: string;
  data?: Buffer;
}

interface Registered {
  family: string;
  faces: SourcedFace[];
}

// Emoji sequences must shape in one face: joiners, selectors, keycap and tag characters go with the emoji face.
const EMOJI_COMPANIONS = [0x200d, 0xfe0f, 0x20e3, ...Array.from({ length: 0x60 }, (_, i) => 0xe0020 + i)];

export class FontResolver implements OnApplicationShutdown {
  private readonly fileCache = new Map<string, Promise<Buffer>>();
  private readonly coverageCache = new Map<string, Promise<CodePointRanges>>();

  constructor(
    private readonly config: FontConfig,
    private readonly sources: FontSources,
    /** Closes what this resolver owns (the command line's own guarded fetcher). */
    private readonly dispose?: () => Promise<void> | undefined,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispose?.();
  }

  get fallbackMode(): FontConfig['fallback'] {
    return this.config.fallback;
  }

  /**
   * The fonts of a render. `withBytes: false` (admission) resolves and fetches (so the disk cache
   * is warm for the worker) but reads no bundled file. Throws AssetReferenceError for a font
   * reference that is not an asset of this deployment (a 400 in either mode), and
   * FontUnavailableError when something cannot be drawn and FONT_FALLBACK=refuse.
   */
  async plan(
    scenario: Record<string, unknown>,
    opts: { withBytes?: boolean; signal?: AbortSignal; mode?: FontConfig['fallback'] } = {},
  ): Promise<FontPlan> {
    const needs = scenarioFontNeeds(scenario);
    const styles = scenarioFaceStyles(scenario);
    const system = await systemFonts();
    const families: FamilyReport[] = [];
    const registered: Registered[] = [];
    const seen = new Set<string>();

    for (const ref of needs.fontFiles) {
      seen.add(familyKey(ref.family));
      try {
        const { url, body } = await this.sources.assetFile(ref.url, ref.field, opts.signal);
        const ranges = fontFileCoverage(body);
        // Not a font we can read (HTML error page, collection, corrupt): Chromium would not draw it either.
        if (!ranges) throw new FontSourceError(`${url} is not a TrueType/OpenType/WOFF/WOFF2 font with a Unicode cmap`);
        registered.push({
          family: ref.family,
          faces: [{ family: ref.family, style: 'normal', weight: '400', sources: [{ url }], ranges, url, data: body }],
        });
        families.push({ family: ref.family, source: 'asset', note: url, required: true });
      } catch (err) {
        if (err instanceof AssetReferenceError) throw err;
        families.push({ family: ref.family, source: 'missing', reason: (err as Error).message, required: true });
      }
    }

    for (const list of needs.familyLists) {
      const named = parseFamilyList(list).filter((f) => !isGenericFamily(f));
      for (const [i, family] of named.entries()) {
        const key = familyKey(family);
        const required = i === 0;
        if (seen.has(key)) {
          const prior = families.find((f) => familyKey(f.family) === key);
          if (prior && required) prior.required = true;
          continue;
        }
        const bundled = bundledFamily(family);
        if (bundled) {
          seen.add(key);
          registered.push({ family, faces: await bundledFaces(bundled) });
          families.push({ family, source: 'bundled', face: bundled.face, note: bundled.note, required });
        } else if (system.families.has(key)) {
          seen.add(key);
          families.push({ family, source: 'system', face: family, required });
        } else if (required) {
          seen.add(key);
          families.push(await this.webFamily(family, registered, opts.signal));
        }
      }
    }

    const fonts: PageFont[] = [];
    const covered: CodePointRanges[] = [system.coverage];
    for (const reg of registered) {
      const groups = matchingGroups(reg.faces, styles);
      const own = facesFor(reg.faces, groups, needs.codePoints);
      // What the chosen faces really draw: their cmap within their unicode-range.
      const ownRanges = await Promise.all(own.map((f) => this.realRanges(f)));
      covered.push(...ownRanges);
      const lacking = uncovered(needs.codePoints, ownRanges);
      const chosen: Array<{ face: SourcedFace; unicodeRange?: string; weight: string; style: string }> = own.map((face) => ({
        face,
        unicodeRange: face.unicodeRange,
        weight: face.weight,
        style: face.style,
      }));
      // Our fallback faces, registered under this family for exactly the characters it lacks.
      const descriptors = [...groups].map((g) => ({ weight: g.split('|')[0], style: g.split('|')[1] }));
      let rest = lacking;
      for (const fallbackName of FALLBACK_FACES) {
        if (rest.length === 0 || familyKey(fallbackName) === familyKey(reg.family)) continue;
        const fallbackFaces = await bundledFaces(bundledFamilyByFace(fallbackName));
        for (const face of fallbackFaces) {
          if (descriptorKey(face) !== descriptorKey(fallbackFaces[0])) continue; // one weight suffices
          const real = await this.realRanges(face);
          const mine = rest.filter((cp) => rangesHave(real, cp));
          if (mine.length === 0) continue;
          covered.push(real);
          rest = rest.filter((cp) => !mine.includes(cp));
          const range = fallbackName === 'Noto Color Emoji' ? [...mine, ...EMOJI_COMPANIONS] : mine;
          for (const d of descriptors) chosen.push({ face, unicodeRange: toUnicodeRange(range), weight: d.weight, style: d.style });
        }
      }
      if (opts.withBytes === false) continue;
      for (const c of chosen) {
        const data = await this.bytes(c.face, opts.signal);
        fonts.push({ family: reg.family, weight: c.weight, style: c.style, unicodeRange: c.unicodeRange, data });
      }
    }

    const missing = families.filter((f) => f.source === 'missing' && f.required);
    const tofu = uncovered(needs.codePoints, covered);
    const problems = [
      ...missing.map((m) => `font family "${m.family}" cannot be loaded (${m.reason}); the fallback face is drawn instead`),
      ...(tofu.length ? [`no available font has a glyph for ${tofu.map(describeCodePoint).join(', ')} (drawn as empty boxes)`] : []),
    ];
    const plan: FontPlan = { fonts, families, missing, tofu, problems };
    if (problems.length && (opts.mode ?? this.config.fallback) === 'refuse') throw new FontUnavailableError(plan);
    return plan;
  }

  /**
   * A copy of the scenario with its images inline (data: URLs) — see scenario-assets.ts. With
   * `fetch: false` (admission) the references are only checked.
   */
  inlineImages(scenario: Record<string, unknown>, opts: { fetch?: boolean; signal?: AbortSignal } = {}): Promise<InlinedImages> {
    return inlineImages(scenario, this.sources, { assetOrigins: this.config.assetOrigins, mode: this.config.fallback, ...opts });
  }

  private async webFamily(family: string, registered: Registered[], signal?: AbortSignal): Promise<FamilyReport> {
    if (this.config.origins.length === 0)
      return { family, source: 'missing', reason: 'not shipped, not installed, and FONT_ORIGINS is none', required: true };
    try {
      const faces = await this.sources.webFamily(family, signal);
      if (!faces)
        return {
          family,
          source: 'missing',
          reason: `not shipped, not installed, and not found at ${this.config.origins[0]}`,
          required: true,
        };
      registered.push({ family, faces });
      return { family, source: 'fetched', note: this.config.origins[0], required: true };
    } catch (err) {
      return { family, source: 'missing', reason: (err as Error).message, required: true };
    }
  }

  /** A bundled face's cmap coverage within its unicode-range (others: as declared / already read). */
  private realRanges(face: SourcedFace): Promise<CodePointRanges> {
    if (!face.path || !face.unicodeRange) return Promise.resolve(face.ranges);
    let p = this.coverageCache.get(face.path);
    if (!p) {
      p = readFile(face.path).then((b) => {
        const cmap = fontFileCoverage(b);
        return cmap ? intersectRanges(cmap, face.ranges) : face.ranges;
      });
      p.catch(() => this.coverageCache.delete(face.path!));
      this.coverageCache.set(face.path, p);
    }
    return p;
  }

  private bytes(face: SourcedFace, signal?: AbortSignal): Promise<Buffer> {
    if (face.data) return Promise.resolve(face.data);
    const key = face.path ?? face.url!;
    let p = this.fileCache.get(key);
    if (!p) {
      p = face.path ? readFile(face.path) : this.sources.webFontFile(face.url!, signal);
      p.catch(() => this.fileCache.delete(key));
      // Bundled files stay in memory (a few MB at most per family); fetched ones are on disk.
      if (face.path) this.fileCache.set(key, p);
    }
    return p;
  }
}
