// Node side of the editor reference page: what the ECG caption editor's preview shows, for
// measuring our renders against (issue 10, "the editor as the reference").
//
// The page (browser/editor-page.ts) is served from memory at https://editor-reference.invalid/,
// in the same Chromium (flags: src/browser-pool/chromium-launch.ts), viewport, transparent
// background and font stack as our CaptionPage, so pixels are comparable. It loads
// motiontext-renderer + gsap (dist/editor-reference/editor-reference.js) and then the plugins as
// the editor does, from https://plugin-origin.invalid — requests that request interception answers
// on the server side from a PluginFileSource (a plugin-server folder, or a real origin through the
// guarded fetcher). Nothing else is let through: Chromium loads nothing from the network.
//
//   const ref = await EditorReferencePage.open(await browser.newPage({ type: 'window' }), { width, height, source });
//   await ref.load(scenarioV2, { fps: 30 });       // loads the plugins the scenario names, then the scenario
//   const png = await ref.frameAt(i);              // plays on to frame i (ascending only) and captures
//   await ref.close();
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, HTTPRequest, Page } from 'puppeteer-core';
import type { PageFont } from '../../../libs/caption-page/src/load-options.js';
import type { PluginFileSource } from './plugin-source.js';

export const EDITOR_REFERENCE_ORIGIN = 'https://editor-reference.invalid';
const PAGE_URL = `${EDITOR_REFERENCE_ORIGIN}/`;
const SCRIPT_URL = `${EDITOR_REFERENCE_ORIGIN}/editor-reference.js`;
/** The plugin origin as the page sees it; answered by the PluginFileSource. */
export const EDITOR_PLUGIN_ORIGIN = 'https://plugin-origin.invalid';
const BUNDLE_RELATIVE = join('dist', 'editor-reference', 'editor-reference.js');

/** Finds dist/editor-reference/editor-reference.js walking up from this module. */
export function editorReferenceBundlePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, BUNDLE_RELATIVE);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('editor reference bundle not found (run "node scripts/build-editor-reference.mjs")');
}

function buildHtml(): string {
  const csp = [
    "default-src 'none'",
    // The plugins are imported from Blob URLs, exactly as the editor's loader does.
    `script-src ${SCRIPT_URL} blob:`,
    "style-src 'unsafe-inline'",
    `img-src ${EDITOR_PLUGIN_ORIGIN} data: blob:`,
    `font-src ${EDITOR_REFERENCE_ORIGIN}/fonts/ ${EDITOR_PLUGIN_ORIGIN} data: blob:`,
    `media-src ${EDITOR_PLUGIN_ORIGIN} data: blob:`,
    `connect-src ${EDITOR_PLUGIN_ORIGIN}`,
    "worker-src 'none'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<title>editor reference</title>',
    "<style>html,body{margin:0;padding:0;background:transparent;overflow:hidden}body{font-family:'Noto Sans CJK KR','Noto Sans KR','Noto Sans',sans-serif}</style>",
    '</head><body>',
    '<script src="/editor-reference.js"></script>',
    '</body></html>',
  ].join('\n');
}

type RefApi = {
  loadPlugins(origin: string, refs: string[]): Promise<{ loaded: Array<{ ref: string }>; errors: string[]; requests: string[] }>;
  load(s: unknown, o: { width: number; height: number; fps: number }): Promise<{ warnings: string[] }>;
  addFonts(fonts: Array<{ family: string; url: string; weight?: string; style?: string; unicodeRange?: string }>): Promise<void>;
  setBackground(src: string | null): Promise<void>;
  playTo(frame: number, pace: boolean): Promise<{ t: number; steps: number }>;
  resume(): void;
  dispose(): void;
  requests(): string[];
};
type RefWindow = Window & { __editorReference: RefApi };

/** Every plugin reference a v2.0 scenario's nodes name, in first-seen order ("name" or "name@version"). */
export function pluginRefsOf(scenario: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.pluginChain)) {
      for (const p of o.pluginChain) {
        const name = p && typeof p === 'object' ? (p as { name?: unknown }).name : undefined;
        if (typeof name === 'string' && !out.includes(name)) out.push(name);
      }
    }
    for (const [k, c] of Object.entries(o)) if (k !== 'pluginChain') walk(c);
  };
  walk(scenario);
  return out;
}

export interface EditorReferenceOptions {
  width: number;
  height: number;
  source: PluginFileSource;
}

export class EditorReferencePage {
  private closed = false;
  private fps = 30;
  private constructor(
    readonly page: Page,
    private readonly client: CDPSession,
    readonly width: number,
    readonly height: number,
    private readonly onRequest: (req: HTTPRequest) => void,
    /** Plugin paths the page asked for (as the origin saw them), in order. */
    readonly pluginRequests: readonly string[],
    private readonly servedFonts: Map<string, Uint8Array>,
  ) {}

  static async open(page: Page, o: EditorReferenceOptions): Promise<EditorReferencePage> {
    const width = Math.round(o.width);
    const height = Math.round(o.height);
    if (!(width > 0 && height > 0)) throw new Error('EditorReferencePage.open: width and height must be positive');
    const script = await readFile(editorReferenceBundlePath(), 'utf8');
    const html = buildHtml();
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    const client = await page.createCDPSession();
    await client.send('Emulation.setDefaultBackgroundColorOverride', { color: { r: 0, g: 0, b: 0, a: 0 } });
    await client.send('Network.enable');
    await client.send('Network.setBlockedURLs', { urls: ['ws://*', 'wss://*', 'http://*', 'ftp://*', 'file://*'] });

    const requests: string[] = [];
    const fonts = new Map<string, Uint8Array>();
    const onRequest = (req: HTTPRequest): void => {
      if (req.isInterceptResolutionHandled()) return;
      const url = req.url();
      const method = req.method();
      const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
      if (method === 'GET' && url === PAGE_URL) {
        void req.respond({ status: 200, contentType: 'text/html; charset=utf-8', headers: cors, body: html });
      } else if (method === 'GET' && url === SCRIPT_URL) {
        void req.respond({ status: 200, contentType: 'text/javascript; charset=utf-8', headers: cors, body: script });
      } else if (method === 'GET' && fonts.has(url)) {
        void req.respond({ status: 200, contentType: 'font/woff2', headers: cors, body: Buffer.from(fonts.get(url)!) });
      } else if (method === 'GET' && url.startsWith(`${EDITOR_PLUGIN_ORIGIN}/`)) {
        const path = decodeURIComponent(new URL(url).pathname);
        requests.push(path);
        o.source.get(path).then(
          (r) => req.respond({ status: r.status, contentType: r.contentType, headers: cors, body: r.body }).catch(() => undefined),
          (err: Error) =>
            req
              .respond({ status: 502, contentType: 'text/plain', headers: cors, body: `plugin origin failed: ${err.message}` })
              .catch(() => undefined),
        );
      } else if (url.startsWith('data:') || url.startsWith('blob:')) {
        void req.continue().catch(() => undefined);
      } else {
        void req.abort('blockedbyclient').catch(() => undefined);
      }
    };
    await page.setRequestInterception(true);
    page.on('request', onRequest);
    const ref = new EditorReferencePage(page, client, width, height, onRequest, requests, fonts);
    try {
      await page.goto(PAGE_URL, { waitUntil: 'load' });
      await page.waitForFunction(() => !!(window as unknown as RefWindow).__editorReference, { timeout: 10_000 });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
    } catch (err) {
      await ref.close().catch(() => undefined);
      throw err;
    }
    return ref;
  }

  /**
   * Loads the plugins the scenario names (the editor's sequence; a failure to load one throws,
   * naming it) and then the scenario. Playback restarts at t = 0.
   */
  async load(scenarioV2: object, o: { fps: number; plugins?: string[]; fonts?: readonly PageFont[] }): Promise<{ plugins: string[] }> {
    this.fps = o.fps;
    if (o.fonts?.length) {
      // The render's font faces (the editor has the same families as web fonts), served from memory.
      const faces = o.fonts.map((f, i) => {
        const url = `${EDITOR_REFERENCE_ORIGIN}/fonts/${this.servedFonts.size + i}`;
        return { url, f };
      });
      for (const { url, f } of faces) this.servedFonts.set(url, f.data);
      await this.page.evaluate(
        (list) => (window as unknown as RefWindow).__editorReference.addFonts(list),
        faces.map(({ url, f }) => ({ family: f.family, url, weight: f.weight, style: f.style, unicodeRange: f.unicodeRange })),
      );
    }
    const refs = o.plugins ?? pluginRefsOf(scenarioV2);
    const res = await this.page.evaluate(
      (origin, r) => (window as unknown as RefWindow).__editorReference.loadPlugins(origin, r),
      EDITOR_PLUGIN_ORIGIN,
      refs,
    );
    if (res.errors.length) throw new Error(`editor reference: plugins failed to load: ${res.errors.join('; ')}`);
    await this.page.evaluate(
      (s, w, h, f) => (window as unknown as RefWindow).__editorReference.load(s, { width: w, height: h, fps: f }).then(() => undefined),
      scenarioV2 as Record<string, unknown>,
      this.width,
      this.height,
      o.fps,
    );
    await this.page.evaluate(() => document.fonts.ready.then(() => undefined));
    return { plugins: res.loaded.map((l) => l.ref) };
  }

  /** A source frame (PNG) under the captions, or null for a transparent background. */
  async setBackground(png: Buffer | null): Promise<void> {
    const src = png ? `data:image/png;base64,${png.toString('base64')}` : null;
    await this.page.evaluate((s) => (window as unknown as RefWindow).__editorReference.setBackground(s), src);
  }

  /**
   * Plays on to frame `index` (t = index / fps) as the editor's preview plays — one engine update
   * per frame from where it stands, never backwards — and captures it (PNG with alpha).
   * `pace: false` steps as fast as the page paints (wall-clock plugins then run slow).
   */
  async frameAt(index: number, o: { pace?: boolean } = {}): Promise<Buffer> {
    await this.page.evaluate(
      (i, p) => (window as unknown as RefWindow).__editorReference.playTo(i, p).then(() => undefined),
      index,
      o.pace ?? true,
    );
    try {
      return await this.capture();
    } finally {
      await this.page.evaluate(() => (window as unknown as RefWindow).__editorReference.resume());
    }
  }

  /** The frame index of time t at the loaded fps (frames are t = i / fps). */
  frameIndexOf(t: number): number {
    return Math.round(t * this.fps);
  }

  async capture(): Promise<Buffer> {
    const { data } = await this.client.send('Page.captureScreenshot', {
      format: 'png',
      fromSurface: true,
      captureBeyondViewport: false,
    });
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.page.off('request', this.onRequest);
    if (!this.page.isClosed()) {
      await this.page.evaluate(() => (window as unknown as RefWindow).__editorReference?.dispose()).catch(() => undefined);
    }
    await this.client.detach().catch(() => undefined);
    if (!this.page.isClosed()) await this.page.close().catch(() => undefined);
  }
}
