// What a plugin folder may contain, and how big: paths, content types and size limits applied to
// every file fetched from the plugin origin, and the conservative scan of an entry module for the
// `assets/…` files it loads.
import { contentTypeByExtension, knownContentType } from '../../libs/caption-page/src/content-types.js';

export interface PluginLimits {
  /** manifest.json (default 256 KiB). */
  readonly manifestBytes: number;
  /** The entry module (default 2 MiB). */
  readonly entryBytes: number;
  /** Each asset (default 16 MiB: flames' GIF is 3.4 MB). */
  readonly assetBytes: number;
  /** All files of one plugin together (default 48 MiB). */
  readonly totalBytes: number;
  /** Files of one plugin, manifest and entry included (default 64). */
  readonly files: number;
}

export const DEFAULT_PLUGIN_LIMITS: PluginLimits = Object.freeze({
  manifestBytes: 256 * 1024,
  entryBytes: 2 * 1024 * 1024,
  assetBytes: 16 * 1024 * 1024,
  totalBytes: 48 * 1024 * 1024,
  files: 64,
});

/** The type a plugin file is served with, by its extension (the table is the caption page's: libs/caption-page/src/content-types.ts). */
export { contentTypeByExtension };

/** What object storage answers for a file uploaded without a type: accepted for any file. */
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'text/plain', '']);
const JS_TYPES = new Set([
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'text/ecmascript',
]);
/** Never a plugin file: an error page, a login page or a proxy's banner cached as code would be worse than failing. */
const NEVER = new Set(['text/html', 'application/xhtml+xml']);

export type PluginFileRole = 'manifest' | 'entry' | 'asset';

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Checks the origin's Content-Type for a file; answers why it is refused, or null. The manifest
 * must be JSON, the entry JavaScript, an asset of the family its extension says (image/… for a
 * .gif); storage's generic types are accepted for all, HTML never.
 */
export function contentTypeProblem(role: PluginFileRole, path: string, header: string | undefined): string | null {
  const type = mediaType(header);
  const shown = header ? JSON.stringify(header) : 'none';
  if (NEVER.has(type)) return `${path} was served as ${shown}`;
  if (GENERIC_TYPES.has(type)) return null;
  if (role === 'manifest') return type === 'application/json' || type.endsWith('+json') ? null : `${path} was served as ${shown}, not JSON`;
  if (role === 'entry') return JS_TYPES.has(type) ? null : `${path} was served as ${shown}, not JavaScript`;
  const expected = knownContentType(path);
  if (!expected) return null;
  const family = (t: string) => (JS_TYPES.has(t) ? 'script' : t.split('/')[0]);
  return family(type) === family(mediaType(expected)) ? null : `${path} was served as ${shown}, expected ${mediaType(expected)}`;
}

/** The type a file is served to the page with (the entry always as a JavaScript module). */
export function servedContentType(role: PluginFileRole, path: string, header: string | undefined): string {
  if (role === 'entry') return 'text/javascript; charset=utf-8';
  const byExtension = knownContentType(path);
  if (byExtension) return byExtension;
  const type = mediaType(header);
  return type && !GENERIC_TYPES.has(type) && !NEVER.has(type) ? type : 'application/octet-stream';
}

const SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9._\-/]{0,199}$/;

/** A path relative to the plugin folder that stays inside it: no `..`, no absolute, no query. */
export function isSafePluginPath(path: string): boolean {
  if (!SAFE_PATH.test(path) || path.endsWith('/')) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/**
 * `assets/…` files an entry names in plain string literals ('assets/flame.gif'). Conservative on
 * purpose: only complete, safe literals (no template interpolation, no concatenation), so a hit is
 * a file the plugin will ask for; anything it builds at run time is left to the manifest's preload.
 */
export function scanEntryForAssets(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/(['"`])(?:\.\/)?(assets\/[A-Za-z0-9._\-/]+)\1/g)) {
    if (isSafePluginPath(m[2])) found.add(m[2]);
  }
  return [...found].sort();
}
