// The caption page's files, served to a puppeteer Page from memory at a fixed fake origin: our
// HTML template (with its Content-Security-Policy), the bundled browser entry
// (dist/caption-page/caption-page.js, built by scripts/build-caption-page.mjs) and our bundled
// plugins' assets. Never a file:// URL, never the network.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { contentTypeByExtension } from './content-types.js';

/** A response the page gets from memory. */
export interface ServedFile {
  readonly contentType: string;
  readonly body: Uint8Array | string;
}

export interface CaptionPageAssets {
  /** Our HTML template (with its Content-Security-Policy). */
  html: string;
  /** The bundled browser entry (dist/caption-page/caption-page.js). */
  script: string;
  /** Our bundled plugins' assets, keyed by URL (`{origin}/plugins/{name}@{version}/{path}`). */
  pluginAssets: ReadonlyMap<string, ServedFile>;
}

/** Fixed origin the page is served at; never resolvable, never reaches the network. */
export const CAPTION_PAGE_ORIGIN = 'https://caption-page.invalid';
export const CAPTION_PAGE_URL = `${CAPTION_PAGE_ORIGIN}/`;
export const CAPTION_SCRIPT_URL = `${CAPTION_PAGE_ORIGIN}/caption-page.js`;
/** Every plugin folder (bundled assets, origin plugins' entries and assets) is served under here. */
export const PLUGINS_URL = `${CAPTION_PAGE_ORIGIN}/plugins/`;
/** Font faces handed over with a scenario. */
export const FONTS_URL = `${CAPTION_PAGE_ORIGIN}/fonts/`;
const BUNDLE_RELATIVE = join('dist', 'caption-page', 'caption-page.js');

/**
 * Finds dist/caption-page/caption-page.js: $ECG_CAPTION_PAGE_BUNDLE if set, else walks up from
 * this module (libs/caption-page/src under ts-jest/tsx, dist/libs/caption-page/src when compiled)
 * to the first directory holding package.json and the bundle.
 */
export function captionPageBundlePath(): string {
  const env = process.env.ECG_CAPTION_PAGE_BUNDLE;
  if (env) return env;
  let dir = dirname(fileURLToPath(import.meta.url));
  const tried: string[] = [];
  for (;;) {
    const candidate = join(dir, BUNDLE_RELATIVE);
    tried.push(candidate);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`caption page bundle not found (run "node scripts/build-caption-page.mjs"); looked at: ${tried.join(', ')}`);
}

let assetsPromise: Promise<CaptionPageAssets> | null = null;

/** Reads the built bundle once and builds the HTML template around it. */
export function loadCaptionPageAssets(): Promise<CaptionPageAssets> {
  assetsPromise ??= (async () => {
    const bundlePath = captionPageBundlePath();
    const script = await readFile(bundlePath, 'utf8');
    const pluginAssets = await readPluginAssets(join(dirname(bundlePath), 'plugin-assets'));
    return { script, html: buildHtml(script), pluginAssets };
  })().catch((err) => {
    assetsPromise = null;
    throw err;
  });
  return assetsPromise;
}

/** Reads dist/caption-page/plugin-assets/{name}@{version}/… (copied there by the bundle build). */
async function readPluginAssets(dir: string): Promise<Map<string, ServedFile>> {
  const out = new Map<string, ServedFile>();
  if (!existsSync(dir)) return out;
  for (const ent of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const full = join(ent.parentPath, ent.name);
    const contentType = contentTypeByExtension(ent.name);
    out.set(PLUGINS_URL + relative(dir, full).split(sep).join('/'), { contentType, body: await readFile(full) });
  }
  return out;
}

/** URL of a file of a plugin's folder, as the page sees it. */
export function pluginFileUrl(name: string, version: string, path: string): string {
  return `${PLUGINS_URL}${encodeURIComponent(name)}@${encodeURIComponent(version)}/${path.replace(/^\/+/, '')}`;
}

function buildHtml(script: string): string {
  const integrity = `sha384-${createHash('sha384').update(script, 'utf8').digest('base64')}`;
  const csp = [
    "default-src 'none'",
    // Origin plugins' entries are imported from the plugin folders we serve from memory.
    `script-src ${CAPTION_SCRIPT_URL} ${PLUGINS_URL}`,
    // The engine and plugins style nodes through CSSOM; the page injects one <style> element.
    "style-src 'unsafe-inline'",
    // Assets are fetched by the guarded fetcher on the server and handed over as data:/blob: URLs.
    `img-src data: blob: ${PLUGINS_URL}`,
    `font-src data: blob: ${FONTS_URL}`,
    `media-src data: blob: ${PLUGINS_URL}`,
    "connect-src 'none'",
    "worker-src 'none'",
    "child-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<title>caption layer</title>',
    "<style>html,body{margin:0;padding:0;background:transparent;overflow:hidden}body{font-family:'Noto Sans CJK KR','Noto Sans KR','Noto Sans',sans-serif}</style>",
    '</head><body>',
    `<script src="/caption-page.js" integrity="${integrity}"></script>`,
    '</body></html>',
  ].join('\n');
}
