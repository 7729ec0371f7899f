// Scenario images (issue 11.4): `images/logo.png` in an image node or a `define` entry resolves
// against ASSET_ORIGINS, is fetched through the guarded fetcher (disk-cached like fonts) and is
// handed to the page inline, as a data: URL (the page has no network; its CSP allows data: images).
// A reference outside ASSET_ORIGINS is a 400 naming the field; one that cannot be fetched is
// refused too, or with FONT_FALLBACK=warn drawn without the image and reported in warnings.
import type { FontFallbackMode } from './font-config.js';
import { AssetReferenceError, assetCandidates, type FontSources } from './font-sources.js';

export interface ImageRef {
  /** JSON path, e.g. `scenario.cues[0].root.src`. */
  field: string;
  url: string;
  /** Replaces the reference in the (copied) scenario. */
  set(value: string): void;
}

const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES: Array<[RegExp, string]> = [
  [/^\x89PNG/, 'image/png'],
  [/^\xff\xd8\xff/, 'image/jpeg'],
  [/^GIF8/, 'image/gif'],
  [/^RIFF....WEBP/s, 'image/webp'],
];

/** Image references of a prepared scenario (a deep copy is walked: `set` edits the copy). */
export function imageRefs(scenario: Record<string, unknown>): ImageRef[] {
  const out: ImageRef[] = [];
  const walkNode = (node: unknown, path: string, depth: number): void => {
    if (!node || typeof node !== 'object' || depth > 200) return;
    const n = node as Record<string, unknown>;
    if ((n.eType === 'image' || n.e_type === 'image') && typeof n.src === 'string') {
      out.push({ field: `${path}.src`, url: n.src, set: (v) => (n.src = v) });
    }
    if (Array.isArray(n.children)) n.children.forEach((c, i) => walkNode(c, `${path}.children[${i}]`, depth + 1));
  };
  (Array.isArray(scenario.cues) ? scenario.cues : []).forEach((cue, i) =>
    walkNode((cue as Record<string, unknown>)?.root, `scenario.cues[${i}].root`, 0),
  );
  for (const where of ['define', 'definitions'] as const) {
    const defs = scenario[where];
    if (!defs || typeof defs !== 'object') continue;
    for (const [name, def] of Object.entries(defs as Record<string, unknown>)) {
      const d = def as Record<string, unknown> | null;
      if (!d || typeof d !== 'object' || d.type !== 'image') continue;
      const key = typeof d.url === 'string' ? 'url' : 'src';
      if (typeof d[key] === 'string') out.push({ field: `scenario.${where}.${name}.${key}`, url: d[key], set: (v) => (d[key] = v) });
    }
  }
  return out;
}

export interface InlinedImages {
  scenario: Record<string, unknown>;
  /** FONT_FALLBACK=warn: images that could not be fetched. */
  warnings: string[];
}

/**
 * A copy of the scenario with every image as a data: URL. `fetch: false` only checks the
 * references (no network). Throws AssetReferenceError (a 400 naming the field).
 */
export async function inlineImages(
  scenario: Record<string, unknown>,
  sources: FontSources,
  o: { assetOrigins: readonly string[]; mode: FontFallbackMode; fetch?: boolean; signal?: AbortSignal },
): Promise<InlinedImages> {
  const copy = structuredClone(scenario);
  const warnings: string[] = [];
  const cache = new Map<string, string>();
  const reported = new Set<string>();
  for (const ref of imageRefs(copy)) {
    if (/^data:image\//i.test(ref.url.trim())) continue;
    const candidates = assetCandidates(ref.url, ref.field, o.assetOrigins);
    const unavailable = (reason: string) => {
      if (o.mode === 'refuse') throw new AssetReferenceError(ref.field, reason);
      if (reported.has(ref.url)) return; // one warning per image, named by its first use
      reported.add(ref.url);
      warnings.push(`image ${JSON.stringify(ref.url)} (${ref.field}) cannot be loaded (${reason}); it is not drawn`);
    };
    if (candidates.length === 0) {
      unavailable(`${JSON.stringify(ref.url)} is relative, and this deployment has no ASSET_ORIGINS to resolve it against`);
      continue;
    }
    if (o.fetch === false) continue;
    let data = cache.get(ref.url);
    if (!data) {
      try {
        const { body } = await sources.assetFile(ref.url, ref.field, o.signal, MAX_IMAGE_BYTES);
        const type = IMAGE_TYPES.find(([re]) => re.test(body.subarray(0, 16).toString('latin1')))?.[1];
        if (!type) {
          unavailable('not a PNG, JPEG, GIF or WebP image');
          continue;
        }
        data = `data:${type};base64,${body.toString('base64')}`;
        cache.set(ref.url, data);
      } catch (err) {
        if (err instanceof AssetReferenceError) throw err;
        o.signal?.throwIfAborted();
        unavailable((err as Error).message);
        continue;
      }
    }
    ref.set(data);
  }
  return { scenario: copy, warnings };
}
