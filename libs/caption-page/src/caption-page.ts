// Node side of the caption page: one puppeteer-core Page showing our page (./page-assets.ts,
// served from memory) and driven through window.__ecgCaption (./protocol.ts).
//
// Safety (README "Security"): the page loads nothing from the network. Every request other than our
// in-memory responses is aborted by request interception; the template's Content-Security-Policy
// forbids connections, workers, frames and any other script; WebSockets are additionally blocked
// through CDP. Never a file:// URL.
import type { CDPSession, HTTPRequest, Page } from 'puppeteer-core';

import { unionBBox } from './bbox.js';
import type { CaptionLoadOptions, OriginPlugin, PageFont } from './load-options.js';
import { CAPTION_PAGE_URL, CAPTION_SCRIPT_URL, FONTS_URL, pluginFileUrl, type CaptionPageAssets, type ServedFile } from './page-assets.js';
import type {
  BBox,
  CaptionPageWindow,
  LoadResult,
  PageAnimatedImage,
  PageFontDescriptor,
  PageLoadInput,
  PagePluginDescriptor,
  SeekResult,
  SurveyResult,
} from './protocol.js';

/**
 * Seeks between two forced garbage collections of the page. Every seek rebuilds the caption DOM,
 * and Chromium collects the discarded nodes lazily: over a 1800-frame render the renderer process
 * grew by ~110 MB of garbage (213 MB → 104 MB after one collection). A collection of this small
 * heap takes a few milliseconds. Every 60 rather than 240 seeks: with two capture pages the
 * renderers peaked at 88 + 120 MB, now 92 + 94 MB (same wall time).
 */
export const SEEKS_PER_GARBAGE_COLLECTION = 60;
/** Frames surveyed per round trip to the page: no more than between two collections, so a survey collects as often. */
const SURVEY_BATCH = SEEKS_PER_GARBAGE_COLLECTION;

export interface CaptionPageSize {
  width: number;
  height: number;
}

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
    /** URL → file the page may load: the page and its script, bundled plugin assets, then what load() hands over. */
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

    const served = new Map<string, ServedFile>([
      [CAPTION_PAGE_URL, { contentType: 'text/html; charset=utf-8', body: assets.html }],
      [CAPTION_SCRIPT_URL, { contentType: 'text/javascript; charset=utf-8', body: assets.script }],
      ...assets.pluginAssets,
    ]);
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
      await page.waitForFunction(() => !!(window as unknown as CaptionPageWindow).__ecgCaption, { timeout: 10_000 });
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
      (s, o) => (window as unknown as CaptionPageWindow).__ecgCaption.load(s, o as unknown as PageLoadInput),
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
      const api = (window as unknown as CaptionPageWindow).__ecgCaption;
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
        (ts) => (window as unknown as CaptionPageWindow).__ecgCaption.survey(ts),
        times.slice(i, i + SURVEY_BATCH),
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
    return this.page.evaluate(() => (window as unknown as CaptionPageWindow).__ecgCaption.plugins());
  }

  /** Disposes the renderer and closes the page. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.page.off('request', this.onRequest);
    if (!this.page.isClosed()) {
      await this.page.evaluate(() => (window as unknown as CaptionPageWindow).__ecgCaption?.dispose()).catch(() => undefined);
    }
    await this.client.detach().catch(() => undefined);
    if (!this.page.isClosed()) await this.page.close().catch(() => undefined);
  }
}
