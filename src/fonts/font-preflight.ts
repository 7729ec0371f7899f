// The font part of POST /api/scenario/preflight (issue 11.3): what create would say about the
// scenario's fonts and assets, without refusing anything — each family and where it comes from,
// and the problems as create's issues (FONT_FALLBACK=refuse) or as warnings (warn).
import type { FontFallbackMode } from './font-config.js';
import { AssetReferenceError, FontResolver, type FamilyReport } from './font-resolver.js';
import { describeCodePoint } from './scenario-fonts.js';

export interface FontPreflight {
  /** Every family resolved: bundled (with the face drawn), system, fetched, asset, missing. */
  fonts: FamilyReport[];
  /** What create would refuse (FONT_FALLBACK=refuse): `fontFamily:NAME`, `text:U+XXXX`, asset fields. */
  issues: Array<{ field: string; reason: string }>;
  /** FONT_FALLBACK=warn: the job's warnings-to-be. */
  warnings: string[];
}

export async function fontPreflight(resolver: FontResolver, scenario: Record<string, unknown>): Promise<FontPreflight> {
  const mode: FontFallbackMode = resolver.fallbackMode;
  const out: FontPreflight = { fonts: [], issues: [], warnings: [] };
  try {
    const plan = await resolver.plan(scenario, { mode: 'warn', withBytes: false });
    out.fonts = plan.families;
    if (mode === 'refuse') {
      for (const m of plan.missing)
        out.issues.push({ field: `fontFamily:${m.family}`, reason: `font family "${m.family}" cannot be loaded: ${m.reason}` });
      for (const cp of plan.tofu)
        out.issues.push({ field: `text:${describeCodePoint(cp)}`, reason: `no available font has a glyph for ${describeCodePoint(cp)}` });
    } else {
      out.warnings.push(...plan.problems);
    }
    out.warnings.push(...(await resolver.inlineImages(scenario, { fetch: false })).warnings);
  } catch (err) {
    if (!(err instanceof AssetReferenceError)) throw err;
    out.issues.push({ field: err.field, reason: err.message.slice(err.field.length + 2) });
  }
  return out;
}
