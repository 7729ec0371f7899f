// Font and scenario-asset configuration (FONT_ORIGINS, ASSET_ORIGINS, FONT_CACHE_DIR,
// FONT_FALLBACK), read with the boot-time EnvReader so problems are reported with the others.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EnvReader } from '../config/env-reader.js';

export type FontFallbackMode = 'refuse' | 'warn';

export interface FontConfig {
  /**
   * Web-font origins, in order: the first is the CSS API asked for families we do not ship
   * (`{origin}/css2?family=…`, Google Fonts' protocol); font files may come from any of them.
   */
  origins: string[];
  /** Origins relative scenario assets (`fonts/x.woff2`, `images/logo.png`) resolve against, tried in order. */
  assetOrigins: string[];
  /** Fetched CSS and font files, kept across renders and restarts. */
  cacheDir: string;
  /** `refuse`: a family that cannot be loaded is a 400; `warn`: rendered with the fallback, reported in warnings. */
  fallback: FontFallbackMode;
  /** Test only (ALLOW_PRIVATE_NETWORKS): the fetcher may reach loopback and plain http. */
  allowPrivateNetworks: boolean;
}

export const DEFAULT_FONT_ORIGINS = ['https://fonts.googleapis.com', 'https://fonts.gstatic.com'];

function origins(r: EnvReader, name: string, values: string[], allowHttp: boolean): string[] {
  const out: string[] = [];
  for (const v of values) {
    try {
      const u = new URL(v);
      if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:')) throw new Error();
      // A base with a path is allowed (assets under a prefix); keep it ending with '/'.
      out.push(u.pathname === '/' ? u.origin : `${u.origin}${u.pathname.replace(/\/?$/, '/')}`);
    } catch {
      r.problems.push(`${name}: ${JSON.stringify(v)} is not an https origin`);
    }
  }
  return out;
}

export function readFontConfig(r: EnvReader, allowPrivateNetworks: boolean): FontConfig {
  const raw = r.str('FONT_ORIGINS');
  // `none`: no web fonts at all (only the faces we ship and the system's).
  const fontOrigins = raw === undefined ? DEFAULT_FONT_ORIGINS : raw.trim().toLowerCase() === 'none' ? [] : r.list('FONT_ORIGINS');
  return {
    origins: origins(r, 'FONT_ORIGINS', fontOrigins, allowPrivateNetworks),
    assetOrigins: origins(r, 'ASSET_ORIGINS', r.list('ASSET_ORIGINS'), allowPrivateNetworks),
    cacheDir: resolve(r.str('FONT_CACHE_DIR', join(tmpdir(), 'ecg-render-font-cache'))),
    fallback: r.oneOf('FONT_FALLBACK', ['refuse', 'warn'] as const, 'refuse'),
    allowPrivateNetworks,
  };
}
