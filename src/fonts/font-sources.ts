// Fonts from the network: web-font families from FONT_ORIGINS (the Google Fonts CSS API
// protocol: `{origin}/css2?family=Name` → @font-face CSS → font files) and font files a scenario
// names in `define`, relative to ASSET_ORIGINS. Always through the guarded fetcher; every answer
// is kept on disk (FONT_CACHE_DIR) by URL, so a family is fetched once per machine, not per render.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuardedFetcher } from '../net/guarded-fetcher.js';
import { parseFontFaceCss, type FontFaceRule } from './font-face-css.js';
import type { FontConfig } from './font-config.js';

/** Why a family or file could not be had (becomes RENDER_FONT_UNAVAILABLE or a warning). */
export class FontSourceError extends Error {}

/** A scenario's asset reference that is neither relative to ASSET_ORIGINS nor under one (a 400). */
export class AssetReferenceError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const MAX_CSS_BYTES = 2 * 1024 * 1024;
const MAX_FONT_BYTES = 30 * 1024 * 1024;
// The CSS API answers woff2 with unicode-range subsets only to browsers it recognises.
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

export interface FetchedFace extends FontFaceRule {
  /** Absolute URL of the file the face's bytes come from. */
  url: string;
}

function within(url: URL, bases: readonly string[]): boolean {
  return bases.some((b) => {
    const base = new URL(b);
    return url.origin === base.origin && url.pathname.startsWith(base.pathname.endsWith('/') ? base.pathname : '/');
  });
}

/**
 * Where a scenario's asset reference points: a relative path resolves against the first of
 * ASSET_ORIGINS (later ones are tried when it is not found there; none configured: no candidate);
 * an absolute https URL must lie under one of them. Anything else (other hosts, file:, data: for
 * fonts, `..` above the base) is refused, naming the field.
 */
export function assetCandidates(ref: string, field: string, assetOrigins: readonly string[]): URL[] {
  const trimmed = ref.trim();
  if (!trimmed) throw new AssetReferenceError(field, 'is empty');
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//')) {
    let u: URL;
    try {
      u = new URL(trimmed.startsWith('//') ? `https:${trimmed}` : trimmed);
    } catch {
      throw new AssetReferenceError(field, `${JSON.stringify(ref)} is not a valid URL`);
    }
    if (!within(u, assetOrigins)) {
      throw new AssetReferenceError(
        field,
        `${u.origin} is not one of ASSET_ORIGINS (${assetOrigins.join(', ') || 'none configured'}); use a path relative to the asset origin`,
      );
    }
    return [u];
  }
  // Relative with no ASSET_ORIGINS: nowhere to look (the caller reports the asset as unavailable).
  return assetOrigins.map((o) => {
    const base = o.endsWith('/') ? o : `${o}/`;
    const u = new URL(trimmed.replace(/^\/+/, ''), base);
    if (!within(u, [base])) throw new AssetReferenceError(field, `${JSON.stringify(ref)} leaves the asset origin`);
    return u;
  });
}

export class FontSources {
  constructor(
    private readonly fetcher: GuardedFetcher,
    private readonly config: FontConfig,
  ) {}

  /** The faces of a web-font family, or undefined when the CSS API does not know it. */
  async webFamily(family: string, signal?: AbortSignal): Promise<FetchedFace[] | undefined> {
    const api = this.config.origins[0];
    if (!api) return undefined;
    const name = encodeURIComponent(family).replace(/%20/g, '+');
    // Ask for the weights captions use; a family without one of them answers 400: then ask plainly.
    for (const query of [`${name}:ital,wght@0,400;0,700;1,400;1,700`, `${name}:wght@400;700`, name]) {
      const url = new URL(`css2?family=${query}&display=swap`, api.endsWith('/') ? api : `${api}/`);
      const css = await this.get(url, MAX_CSS_BYTES, signal, true);
      if (css === undefined) continue;
      const faces: FetchedFace[] = [];
      for (const rule of parseFontFaceCss(css.toString('utf8'))) {
        const src = rule.sources.find((s) => /^woff2?$|truetype|opentype/.test(s.format ?? 'woff2')) ?? rule.sources[0];
        const abs = new URL(src.url, url);
        if (!within(abs, this.config.origins)) continue; // a file from elsewhere: not ours to fetch
        faces.push({ ...rule, url: abs.href });
      }
      return faces.length ? faces : undefined;
    }
    return undefined;
  }

  /** A font file of a web family (its URL lies under FONT_ORIGINS). */
  async webFontFile(url: string, signal?: AbortSignal): Promise<Buffer> {
    const u = new URL(url);
    if (!within(u, this.config.origins)) throw new FontSourceError(`${u.origin} is not one of FONT_ORIGINS`);
    const body = await this.get(u, MAX_FONT_BYTES, signal, false);
    if (!body) throw new FontSourceError(`${url} was not found`);
    return body;
  }

  /** A scenario asset (font file, image) by its reference; the first asset origin that has it. */
  async assetFile(ref: string, field: string, signal?: AbortSignal, maxBytes = MAX_FONT_BYTES): Promise<{ url: string; body: Buffer }> {
    const candidates = assetCandidates(ref, field, this.config.assetOrigins);
    if (candidates.length === 0)
      throw new FontSourceError(`${JSON.stringify(ref)} is relative, and this deployment has no ASSET_ORIGINS to resolve it against`);
    for (const u of candidates) {
      const body = await this.get(u, maxBytes, signal, false);
      if (body) return { url: u.href, body };
    }
    throw new FontSourceError(`${JSON.stringify(ref)} was not found at ${candidates.map((u) => u.href).join(', ')}`);
  }

  /** GET through the guarded fetcher with the disk cache; undefined on 400/404/410. */
  private async get(url: URL, maxBytes: number, signal: AbortSignal | undefined, css: boolean): Promise<Buffer | undefined> {
    const key = createHash('sha256').update(url.href).digest('hex');
    const path = join(this.config.cacheDir, key.slice(0, 2), key);
    try {
      return await readFile(path);
    } catch {
      /* not cached */
    }
    let res;
    try {
      res = await this.fetcher.fetch(url, {
        maxBytes,
        timeoutMs: 30_000,
        signal,
        headers: { 'user-agent': BROWSER_UA, accept: css ? 'text/css,*/*;q=0.1' : '*/*' },
      });
    } catch (err) {
      throw new FontSourceError(`${url.href}: ${(err as Error).message}`, { cause: err });
    }
    if (res.status === 400 || res.status === 404 || res.status === 410) {
      await res.dump();
      return undefined;
    }
    if (res.status !== 200) {
      await res.dump();
      throw new FontSourceError(`${url.href} answered ${res.status}`);
    }
    let body: Buffer;
    try {
      body = await res.buffer();
    } catch (err) {
      throw new FontSourceError(`${url.href}: ${(err as Error).message}`, { cause: err });
    }
    await mkdir(join(this.config.cacheDir, key.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, path).catch(async () => rm(tmp, { force: true }));
    return body;
  }
}
