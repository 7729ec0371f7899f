// Node side of the caption page: serves our HTML template and the bundled engine to a
// puppeteer-core Page from memory, at a fixed fake origin, and drives window.__ecgCaption.
//
// Safety (DESIGN §5): the page loads nothing from the network. Every request other than our two
// in-memory responses is aborted by request interception; the template's Content-Security-Policy
// forbids connections, workers, frames and any other script; WebSockets are additionally blocked
// through CDP. Never a file:// URL.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, HTTPRequest, Page } from 'puppeteer-core';

import type {
  CaptionLoadOptions,
  OriginPlugin,
  PageAnimatedImage,
  PageFont,
  PageFontDescriptor,
  PageLoadInput,
  PagePluginDescriptor,
} from './load-options.js';

export { BUNDLED_PLUGINS, resolveBundledPlugin } from './plugin-manifest.js';
export type { BundledPlugin, PluginRef } from './plugin-manifest.js';
export type { CaptionLoadOptions, OriginPlugin, PageFont, PluginFile } from './load-options.js';

export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What `survey` found over a list of times. */
export interface SurveyResult {
  /** Per time, the visual-state signature ('empty' when nothing is visible). */
  signatures: string[];
  /** Union of the visible bounding boxes over all the times; null when nothing was visible. */
  bbox: BBox | null;
}

/** Frames surveyed per round trip to the page. */
const SURVEY_BATCH = 240;
/**
 * Seeks between two forced garbage collections of the page. Every seek rebuilds the caption DOM,
 * and Chromium collects the discarded nodes lazily: over a 1800-frame render the renderer process
 * grew by ~110 MB of garbage (213 MB → 104 MB after one collection). A collection of this small
 * heap takes a few milliseconds.
 */
export const SEEKS_PER_GARBAGE_COLLECTION = 240;

export interface SeekResult {
  /** Some caption content (text, image, video, painted box) is visible at t. */
  visible: boolean;
  /** Union bounding box of the visible content, integer px, padded for shadows/glow, clamped to the viewport. */
  bbox: BBox | null;
  /** Cheap digest of the caption DOM's visual state ('empty' when nothing is visible). */
  signature: string;
}

export interface CueWindow {
  id: string;
  /** Earliest / latest time a node of the cue can be on screen (inclusive); null = unbounded. */
  start: number | null;
  end: number | null;
  /** The cue put visible content (non-empty text, image, video) on the stage at a probed time. */
  mounted: boolean;
}

export interface LoadResult {
  /** Cues that put visible content on the stage at some probed time. 0 ⇒ the scenario renders nothing. */
  mountedCues: number;
  /** Unknown plugins, nodes with a bad eType, engine console warnings/errors seen while loading. */
  warnings: string[];
  cues: CueWindow[];
}

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

export interface CaptionPageSize {
  width: number;
  height: number;
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

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
};

/** Reads dist/caption-page/plugin-assets/{name}@{version}/… (copied there by the bundle build). */
async function readPluginAssets(dir: string): Promise<Map<string, ServedFile>> {
  const out = new Map<string, ServedFile>();
  if (!existsSync(dir)) return out;
  for (const ent of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const full = join(ent.parentPath, ent.name);
    const contentType = CONTENT_TYPES[extname(ent.name).toLowerCase()] ?? 'application/octet-stream';
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

type CaptionApi = {
  load(s: unknown, o: PageLoadInput): Promise<LoadResult>;
  seek(t: number): SeekResult;
  survey(times: number[]): SurveyResult;
  settle(): Promise<void>;
  dispose(): void;
  plugins(): string[];
};
type CaptionWindow = Window & { __ecgCaption: CaptionApi };

/**
 * One caption layer renderer on one puppeteer Page. The page must be the front tab of its own
 * window (browser.newPage({type: 'window'})) or alone in its browser: background tabs never paint.
 * After open() the CaptionPage owns the page: close() closes it.
 */
export class CaptionPage {
  private closed = false;
  private seeksSinceCollection = 0;

  private constructor(
    readonly page: Page,
    private readonly client: CDPSession,
    readonly size: CaptionPageSize,
    private readonly onRequest: (req: HTTPRequest) => void,
    /** URL → file the page may load: bundled plugin assets, then what load() hands over. */
    private readonly served: Map<string, ServedFile>,
  ) {}

  static async open(page: Page, assets: CaptionPageAssets, size: CaptionPageSize): Promise<CaptionPage> {
    const width = Math.round(size.width);
    const height = Math.round(size.height);
    if (!(width > 0 && height > 0)) throw new Error('CaptionPage.open: width and height must be positive');
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    const client = await page.createCDPSession();
    await client.send('Emulation.setDefaultBackgroundColorOverride', { color: { r: 0, g: 0, b: 0, a: 0 } });
    // Belt and braces for what request interception cannot see (WebSockets) or should never see.
    await client.send('Network.enable');
    await client.send('Network.setBlockedURLs', {
      urls: ['ws://*', 'wss://*', 'http://*', 'ftp://*', 'file://*', 'chrome://*', 'chrome-extension://*'],
    });

    const served = new Map<string, ServedFile>(assets.pluginAssets);
    const onRequest = (req: HTTPRequest) => {
      if (req.isInterceptResolutionHandled()) return;
      const url = req.url();
      const method = req.method();
      const file = method === 'GET' ? served.get(url) : undefined;
      if (file) {
        void req.respond({
          status: 200,
          contentType: file.contentType,
          headers: { 'cache-control': 'no-store' },
          body: typeof file.body === 'string' ? file.body : Buffer.from(file.body.buffer, file.body.byteOffset, file.body.byteLength),
        });
      } else if (method === 'GET' && url === CAPTION_PAGE_URL) {
        void req.respond({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: { 'cache-control': 'no-store' },
          body: assets.html,
        });
      } else if (method === 'GET' && url === CAPTION_SCRIPT_URL) {
        void req.respond({
          status: 200,
          contentType: 'text/javascript; charset=utf-8',
          headers: { 'cache-control': 'no-store' },
          body: assets.script,
        });
      } else if (url.startsWith('data:') || url.startsWith('blob:')) {
        // In-page URLs never touch the network (and Chromium does not let us intercept data:).
        void req.continue().catch(() => undefined);
      } else {
        void req.abort('blockedbyclient').catch(() => undefined);
      }
    };
    await page.setRequestInterception(true);
    page.on('request', onRequest);

    const cp = new CaptionPage(page, client, { width, height }, onRequest, served);
    try {
      await page.goto(CAPTION_PAGE_URL, { waitUntil: 'load' });
      await page.waitForFunction(() => !!(window as unknown as CaptionWindow).__ecgCaption, { timeout: 10_000 });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
    } catch (err) {
      await cp.close().catch(() => undefined);
      throw err;
    }
    return cp;
  }

  /**
   * Loads a v2.0 scenario (already normalised; v1.3 conversion happens in src/scenario), with the
   * origin plugins and font faces the server fetched for it, served to the page from memory.
   */
  async load(scenarioV2: object, options: CaptionLoadOptions = {}): Promise<LoadResult> {
    const plugins = (options.originPlugins ?? []).map((p) => this.serveOriginPlugin(p));
    const input: PageLoadInput = {
      ...this.size,
      plugins,
      animatedImages: this.animatedImages(),
      fonts: (options.fonts ?? []).map((f, i) => this.serveFont(f, i)),
      seed: options.seed ?? '',
      fps: options.fps,
    };
    const result = await this.page.evaluate(
      (s, o) => (window as unknown as CaptionWindow).__ecgCaption.load(s, o as unknown as PageLoadInput),
      scenarioV2 as Record<string, unknown>,
      input as unknown as Record<string, unknown>,
    );
    await this.page.evaluate(() => document.fonts.ready.then(() => undefined));
    return result;
  }

  private serveOriginPlugin(p: OriginPlugin): PagePluginDescriptor {
    for (const f of p.files) this.served.set(pluginFileUrl(p.name, p.version, f.path), { contentType: f.contentType, body: f.body });
    if (!p.files.some((f) => f.path === p.entry))
      throw new Error(`origin plugin ${p.name}@${p.version}: entry ${p.entry} not among its files`);
    return {
      name: p.name,
      version: p.version,
      manifest: p.manifest,
      entryUrl: pluginFileUrl(p.name, p.version, p.entry),
      baseUrl: pluginFileUrl(p.name, p.version, ''),
    };
  }

  /** Every GIF the page may show (plugin folders): the page drives them by the timeline. */
  private animatedImages(): PageAnimatedImage[] {
    const out: PageAnimatedImage[] = [];
    for (const [url, f] of this.served) {
      if (f.contentType !== 'image/gif' || typeof f.body === 'string') continue;
      out.push({
        url,
        contentType: f.contentType,
        base64: Buffer.from(f.body.buffer, f.body.byteOffset, f.body.byteLength).toString('base64'),
      });
    }
    return out;
  }

  private serveFont(f: PageFont, index: number): PageFontDescriptor {
    const url = `${FONTS_URL}${index}`;
    this.served.set(url, { contentType: 'font/woff2', body: f.data });
    return { family: f.family, url, weight: f.weight, style: f.style, unicodeRange: f.unicodeRange };
  }

  /** Shows the captions at t seconds. Synchronous in the page; a capture right after is correct. */
  async seek(t: number): Promise<SeekResult> {
    await this.countSeeks(1);
    return this.page.evaluate(async (time) => {
      const api = (window as unknown as CaptionWindow).__ecgCaption;
      const r = api.seek(time);
      if (r.visible) await api.settle();
      return r;
    }, t);
  }

  /** Seeks each time (in order) and reports signatures and the union bounding box. */
  async survey(times: readonly number[]): Promise<SurveyResult> {
    const signatures: string[] = [];
    let bbox: BBox | null = null;
    for (let i = 0; i < times.length; i += SURVEY_BATCH) {
      await this.countSeeks(Math.min(SURVEY_BATCH, times.length - i));
      const part = await this.page.evaluate(
        (ts) => (window as unknown as CaptionWindow).__ecgCaption.survey(ts),
        times.slice(i, i + SURVEY_BATCH) as number[],
      );
      signatures.push(...part.signatures);
      bbox = unionBBox(bbox, part.bbox);
    }
    return { signatures, bbox };
  }

  /** Forces a full garbage collection in the page (JavaScript and DOM heaps). */
  async collectGarbage(): Promise<void> {
    this.seeksSinceCollection = 0;
    await this.client.send('HeapProfiler.collectGarbage');
  }

  /** Collects garbage before the seeks that would take the count past the period. */
  private async countSeeks(n: number): Promise<void> {
    if (this.seeksSinceCollection + n > SEEKS_PER_GARBAGE_COLLECTION) await this.collectGarbage();
    this.seeksSinceCollection += n;
  }

  /** PNG with alpha of the viewport, or of `clip` (viewport px). */
  async capture(clip?: BBox): Promise<Buffer> {
    const params: Record<string, unknown> = { format: 'png', optimizeForSpeed: true, fromSurface: true, captureBeyondViewport: false };
    if (clip) params.clip = { x: clip.x, y: clip.y, width: clip.width, height: clip.height, scale: 1 };
    const { data } = await this.client.send('Page.captureScreenshot', params);
    return Buffer.from(data, 'base64');
  }

  /** Names ("name" and "name@version") the page has registered. */
  async plugins(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as CaptionWindow).__ecgCaption.plugins());
  }

  /** Disposes the renderer and closes the page. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.page.off('request', this.onRequest);
    if (!this.page.isClosed()) {
      await this.page.evaluate(() => (window as unknown as CaptionWindow).__ecgCaption?.dispose()).catch(() => undefined);
    }
    await this.client.detach().catch(() => undefined);
    if (!this.page.isClosed()) await this.page.close().catch(() => undefined);
  }
}

export function unionBBox(a: BBox | null, b: BBox | null): BBox | null {
  if (!a) return b ? { ...b } : null;
  if (!b) return { ...a };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}
