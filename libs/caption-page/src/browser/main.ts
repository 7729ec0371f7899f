// Browser entry of the caption page. Bundled by scripts/build-caption-page.mjs into one IIFE and
// served from memory by CaptionPage (../index.ts). Exposes window.__ecgCaption:
//   load(scenarioV2, {width, height, plugins?, fonts?, seed?}) → {mountedCues, warnings, cues}
//   seek(t) → {visible, bbox, signature}     (deterministic: same t → same pixels, any history)
//   survey(times) → {signatures, bbox}        (seek for each time, without the pixels)
//   settle() → resolves once images in the caption layer are decoded
//   plugins() → registered "name@version" refs
//   dispose()
import gsap from 'gsap';
import { MotionTextRenderer } from 'motiontext-renderer';
import type { PageLoadInput } from '../load-options.js';
import { driveAnimatedImages, prepareAnimatedImages } from './animated-images.js';
import { loadFontFaces } from './font-faces.js';
import { emulatePlayback, setPlayhead, type PlaybackInternals } from './playback.js';
import { isRegistered, registerBundledPlugins, registerOriginPlugins, registeredPlugins } from './plugin-registry.js';
import { restartFallback, setJobSeed } from './seeded-random.js';

export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface SeekResult {
  visible: boolean;
  bbox: BBox | null;
  signature: string;
}

export interface SurveyResult {
  signatures: string[];
  bbox: BBox | null;
}
export interface CueWindow {
  id: string;
  /** Earliest / latest time a node of the cue can be on screen; null = unbounded. */
  start: number | null;
  end: number | null;
  /** The cue put visible content (non-empty text, image, video) on the stage at a probed time. */
  mounted: boolean;
}
export interface LoadResult {
  mountedCues: number;
  warnings: string[];
  cues: CueWindow[];
}

const FONT_STACK = "'Noto Sans CJK KR', 'Noto Sans KR', 'Noto Sans', 'DejaVu Sans', sans-serif";

// ---------------------------------------------------------------- warnings capture
// The engine reports problems only through console.warn/error (e.g. "[RendererV2] Unknown plugin:
// x", once per frame). Keep a deduplicated copy so load() can return them.
const captured: string[] = [];
const capturedSet = new Set<string>();
function record(msg: string): void {
  if (capturedSet.has(msg) || captured.length >= 200) return;
  capturedSet.add(msg);
  captured.push(msg);
}
function fmt(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return a.message;
      try {
        return JSON.stringify(a)?.slice(0, 300) ?? String(a);
      } catch {
        return String(a);
      }
    })
    .join(' ');
}
for (const level of ['warn', 'error'] as const) {
  const orig = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    record(fmt(args));
    orig(...args);
  };
}

// ---------------------------------------------------------------- plugins
// motiontext-renderer 1.5.0 looks every pluginChain name up verbatim in an in-memory registry;
// plugin-registry.ts registers our bundle now and the origin's plugins at load().
registerBundledPlugins();
(window as unknown as { gsap: unknown }).gsap = gsap; // DOM plugins take GSAP from window.gsap

// ---------------------------------------------------------------- page style
const style = document.createElement('style');
style.textContent = [
  'html,body{margin:0;padding:0;background:transparent!important;overflow:hidden}',
  `body{font-family:${FONT_STACK}}`,
  '#ecg-stage{position:absolute;left:0;top:0;overflow:hidden;background:transparent}',
  // Our `color` channel (cwi-*): unset variable → property unset → inherits the node's colour.
  '.mtx-base-wrapper{color:var(--mtx-color);-webkit-text-fill-color:var(--mtx-color)}',
].join('\n');
document.head.appendChild(style);

// ---------------------------------------------------------------- engine internals we rely on
interface RendererV2Internals extends PlaybackInternals {
  mountedElements: Map<string, { element: HTMLElement; cueId: string }>;
  cleanupDomPlugin(nodeId: string): void;
  unmountCue(cue: unknown): void;
}
interface ParsedNode {
  id: string;
  eType?: string;
  displayTime?: [number, number];
  children?: ParsedNode[];
  pluginChain?: Array<{ name?: unknown } | unknown>;
  text?: unknown;
}
interface ParsedCue {
  id: string;
  domLifetime?: [number, number];
  root: ParsedNode;
}

let renderer: MotionTextRenderer | null = null;
let internals: RendererV2Internals | null = null;
let container: HTMLDivElement | null = null;
let cues: ParsedCue[] = [];
let viewport = { width: 0, height: 0 };
/** The render's frame rate: DOM plugins are replayed on its frame grid (playback.ts). */
let fps = 30;

function getInternals(r: MotionTextRenderer): { rv2: RendererV2Internals; scenario: { cues: ParsedCue[] } } {
  const anyR = r as unknown as { renderer?: RendererV2Internals; scenario?: { cues: ParsedCue[] } };
  const rv2 = anyR.renderer;
  if (
    !rv2 ||
    !(rv2.mountedElements instanceof Map) ||
    !(rv2.domPluginStates instanceof Map) ||
    typeof rv2.cleanupDomPlugin !== 'function' ||
    typeof rv2.unmountCue !== 'function' ||
    typeof rv2.applyDomPluginProgressIfInitialized !== 'function' ||
    typeof rv2.manageDomPluginState !== 'function' ||
    typeof rv2.resolveAllDefines !== 'function' ||
    typeof rv2.processPluginChain !== 'function' ||
    typeof rv2.detectPluginType !== 'function' ||
    typeof rv2.evaluateChannelPlugin !== 'function' ||
    typeof rv2.mergeChannels !== 'function' ||
    !anyR.scenario
  ) {
    throw new Error('caption page: motiontext-renderer internals changed (expected RendererV2 fields)');
  }
  return { rv2, scenario: anyR.scenario };
}

function cueWindow(cue: ParsedCue): CueWindow {
  let start = -Infinity;
  let end = Infinity;
  let nodeStart = Infinity;
  let nodeEnd = -Infinity;
  let unbounded = false;
  const walk = (n: ParsedNode) => {
    const dt = n.displayTime;
    if (dt && Number.isFinite(dt[0]) && Number.isFinite(dt[1])) {
      nodeStart = Math.min(nodeStart, dt[0]);
      nodeEnd = Math.max(nodeEnd, dt[1]);
    } else if (!dt) unbounded = true;
    if (n.eType === 'group' && Array.isArray(n.children)) n.children.forEach(walk);
  };
  if (cue.root) walk(cue.root);
  if (!unbounded && Number.isFinite(nodeStart)) {
    start = nodeStart;
    end = nodeEnd;
  }
  if (cue.domLifetime) {
    start = Math.max(start, cue.domLifetime[0]);
    end = Math.min(end, cue.domLifetime[1]);
  }
  return { id: cue.id, start: Number.isFinite(start) ? start : null, end: Number.isFinite(end) ? end : null, mounted: false };
}

/**
 * Puts the page into the state a direct seek from a fresh load would see, so that the same t
 * always gives the same pixels: every DOM plugin instance is torn down and every mounted cue is
 * unmounted, so the engine builds the caption DOM at t from scratch. Reusing elements is not
 * enough even when their DOM and computed styles end up identical: Chromium's compositor keeps
 * per-layer raster history (a word scaled up over many frames stays rasterised at an older
 * scale, blurrier than a fresh one), channel plugins leave --mtx-* variables behind when their
 * window ends, a DOM plugin initialised earlier keeps its p=0 / p=1 state outside its window,
 * and newly active nodes are appended after the mounted ones (flow order would follow history).
 * Rebuilding costs no measurable time next to a capture, but makes the survey slower (the engine
 * forces a layout per mounted node: 1800 kinetic frames took 8.4 s instead of 1.2 s). A lighter
 * reset for the survey was tried and dropped: with m5_layout_features the cues' order in the stage
 * (their paint order) followed the mount history.
 */
function resetBeforeSeek(): void {
  if (!internals || !container) return;
  for (const key of Array.from(internals.domPluginStates.keys())) {
    internals.cleanupDomPlugin(key);
  }
  const mountedCueIds = new Set<string>();
  for (const m of internals.mountedElements.values()) mountedCueIds.add(m.cueId);
  for (const cue of cues) if (mountedCueIds.has(cue.id)) internals.unmountCue(cue);
}

// ---------------------------------------------------------------- measuring
const CONTENT_SELECTOR = '.mtx-text,.mtx-image,.mtx-video,.mtx-group';

function hasPaint(el: HTMLElement, cs: CSSStyleDeclaration): boolean {
  if (el.classList.contains('mtx-text')) return (el.textContent ?? '').trim() !== '';
  if (el.classList.contains('mtx-image') || el.classList.contains('mtx-video')) return true;
  // group: only its box paints (children are measured on their own)
  const bg = cs.backgroundColor;
  const transparentBg = bg === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(bg);
  return !transparentBg || cs.backgroundImage !== 'none' || parseFloat(cs.borderTopWidth) > 0 || cs.boxShadow !== 'none';
}

function maxPx(value: string): number {
  let m = 0;
  for (const match of value.matchAll(/(-?[\d.]+)px/g)) m = Math.max(m, Math.abs(parseFloat(match[1])));
  return m;
}

function measure(): { visible: boolean; bbox: BBox | null } {
  if (!container) return { visible: false, bbox: null };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let spread = 0;
  const els = container.querySelectorAll<HTMLElement>(CONTENT_SELECTOR);
  for (const el of Array.from(els)) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const cs = getComputedStyle(el);
    if (!hasPaint(el, cs)) continue;
    // Text is painted by descendants (effects root, letter spans) that may be transformed.
    const rects: DOMRect[] = [el.getBoundingClientRect()];
    el.querySelectorAll<HTMLElement>('.mtx-base-wrapper,.mtx-effects-root,span').forEach((d) => rects.push(d.getBoundingClientRect()));
    let any = false;
    for (const r of rects) {
      if (r.width <= 0 || r.height <= 0) continue;
      any = true;
      x0 = Math.min(x0, r.left);
      y0 = Math.min(y0, r.top);
      x1 = Math.max(x1, r.right);
      y1 = Math.max(y1, r.bottom);
    }
    if (!any) continue;
    // Shadows, glows (filter: drop-shadow) and strokes paint outside the boxes.
    for (let a: HTMLElement | null = el; a && a !== container; a = a.parentElement) {
      const acs = a === el ? cs : getComputedStyle(a);
      spread = Math.max(
        spread,
        maxPx(acs.textShadow === 'none' ? '' : acs.textShadow) * 2,
        maxPx(acs.filter === 'none' ? '' : acs.filter) * 2,
      );
      spread = Math.max(spread, parseFloat(acs.getPropertyValue('-webkit-text-stroke-width')) || 0);
    }
    const bw = el.querySelector<HTMLElement>('.mtx-base-wrapper');
    if (bw) {
      const bcs = getComputedStyle(bw);
      spread = Math.max(spread, maxPx(bcs.filter === 'none' ? '' : bcs.filter) * 2);
    }
  }
  if (!(x1 > x0 && y1 > y0)) return { visible: false, bbox: null };
  const pad = Math.ceil(4 + spread);
  const left = Math.max(0, Math.floor(x0 - pad));
  const top = Math.max(0, Math.floor(y0 - pad));
  const right = Math.min(viewport.width, Math.ceil(x1 + pad));
  const bottom = Math.min(viewport.height, Math.ceil(y1 + pad));
  if (right <= left || bottom <= top) return { visible: false, bbox: null };
  return { visible: true, bbox: { x: left, y: top, width: right - left, height: bottom - top } };
}

/** FNV-1a over the caption DOM's structure, inline styles and text. */
function signature(): string {
  if (!container) return '0';
  let h = 0x811c9dc5;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  };
  const walk = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) {
      feed('#');
      feed(n.nodeValue ?? '');
      return;
    }
    if (n.nodeType !== Node.ELEMENT_NODE) return;
    const el = n as HTMLElement;
    feed('<');
    feed(el.tagName);
    feed(el.className);
    // Declaration order depends on history (the reset removes and re-adds variables): sort.
    const decls: string[] = [];
    for (let i = 0; i < el.style.length; i++) {
      const name = el.style.item(i);
      decls.push(`${name}:${el.style.getPropertyValue(name)}`);
    }
    feed(decls.sort().join(';'));
    if (el instanceof HTMLImageElement || el instanceof HTMLVideoElement) feed(el.src);
    for (let c = el.firstChild; c; c = c.nextSibling) walk(c);
    feed('>');
  };
  walk(container);
  return (h >>> 0).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------- API
/** When the node holding `el` appeared on screen (its own or an ancestor's display start). */
function shownSince(el: Element): number {
  for (let a: Element | null = el; a && a !== container; a = a.parentElement) {
    if (!(a instanceof HTMLElement) || !internals) continue;
    for (const m of internals.mountedElements.values()) {
      if (m.element !== a) continue;
      const dt = (m as { node?: { displayTime?: [number, number] } }).node?.displayTime;
      if (dt && Number.isFinite(dt[0])) return dt[0];
    }
  }
  return 0;
}

function seek(t: number): SeekResult {
  if (!renderer) throw new Error('caption page: load() first');
  if (!Number.isFinite(t)) throw new Error(`caption page: bad time ${t}`);
  resetBeforeSeek();
  restartFallback(t);
  setPlayhead(t, fps);
  renderer.seek(t);
  if (container) driveAnimatedImages(container, t, shownSince);
  const m = measure();
  return { visible: m.visible, bbox: m.bbox, signature: m.visible ? signature() : 'empty' };
}

function collectPluginNames(node: ParsedNode, out: Set<string>): void {
  for (const p of Array.isArray(node.pluginChain) ? node.pluginChain : []) {
    const name = p && typeof p === 'object' ? (p as { name?: unknown }).name : p;
    out.add(typeof name === 'string' ? name : JSON.stringify(name));
  }
  if (Array.isArray(node.children)) node.children.forEach((c) => collectPluginNames(c, out));
}

function checkNodes(node: ParsedNode, warnings: string[]): void {
  const known = ['text', 'image', 'video', 'group'];
  if (!known.includes(String(node.eType))) {
    warnings.push(`node "${node.id}" has eType ${JSON.stringify(node.eType)}: mounts as an empty element (e_type spelling?)`);
  }
  if (Array.isArray(node.children)) node.children.forEach((c) => checkNodes(c, warnings));
}

function dispose(): void {
  try {
    renderer?.dispose();
  } finally {
    renderer = null;
    internals = null;
    cues = [];
    container?.remove();
    container = null;
  }
}

async function load(scenario: unknown, opts: PageLoadInput): Promise<LoadResult> {
  const width = Math.round(Number(opts?.width));
  const height = Math.round(Number(opts?.height));
  if (!(width > 0 && height > 0)) throw new Error('caption page: width and height are required');
  dispose();
  captured.length = 0;
  capturedSet.clear();
  setJobSeed(String(opts.seed ?? ''));
  fps = Number(opts.fps) > 0 ? Number(opts.fps) : 30;
  if (opts.plugins?.length) {
    registerBundledPlugins(); // drop a previous load's origin plugins
    await registerOriginPlugins(opts.plugins);
  }
  const fontWarnings = [...(await loadFontFaces(opts.fonts ?? [])), ...(await prepareAnimatedImages(opts.animatedImages ?? []))];
  viewport = { width, height };
  container = document.createElement('div');
  container.id = 'ecg-stage';
  container.style.width = `${width}px`;
  container.style.height = `${height}px`;
  container.style.fontFamily = FONT_STACK;
  document.body.appendChild(container);

  renderer = new MotionTextRenderer(container, { debugMode: false, snapToFrame: false });
  await renderer.loadConfig(scenario);
  const { rv2, scenario: parsed } = getInternals(renderer);
  internals = rv2;
  emulatePlayback(rv2);
  // The engine's Stage watches the container's parent with a ResizeObserver and, 80 ms later
  // (setTimeout), re-positions/letterboxes the container by stage.baseAspect: wall-clock-dependent
  // layout. Our stage is exactly the video frame, so drop that binding and pin the box.
  const stage = (rv2 as unknown as { stage?: { teardownOverlayBinding?: () => void } }).stage;
  if (!stage || typeof stage.teardownOverlayBinding !== 'function') {
    throw new Error('caption page: motiontext-renderer internals changed (Stage.teardownOverlayBinding)');
  }
  stage.teardownOverlayBinding();
  Object.assign(container.style, { position: 'absolute', left: '0px', top: '0px', width: `${width}px`, height: `${height}px` });
  cues = Array.isArray(parsed.cues) ? parsed.cues : [];

  const warnings: string[] = [...fontWarnings];
  const names = new Set<string>();
  for (const cue of cues) {
    if (cue.root) {
      collectPluginNames(cue.root, names);
      checkNodes(cue.root, warnings);
    }
  }
  for (const name of names) if (!isRegistered(name)) warnings.push(`Unknown plugin: ${name}`);

  // Probe every cue at the start and middle of its nodes' windows; count cues that put visible
  // content (non-empty text, image, video) on the stage at least once.
  const windows = cues.map(cueWindow);
  let mountedCues = 0;
  cues.forEach((cue, i) => {
    const w = windows[i];
    const times = new Set<number>();
    const s = w.start ?? 0;
    const e = w.end ?? s + 1;
    times.add(s);
    times.add((s + e) / 2);
    const walk = (n: ParsedNode) => {
      const dt = n.displayTime;
      if (dt && Number.isFinite(dt[0]) && Number.isFinite(dt[1]) && dt[0] >= s && dt[0] <= e) times.add((dt[0] + dt[1]) / 2);
      if (Array.isArray(n.children)) n.children.slice(0, 8).forEach(walk);
    };
    if (cue.root) walk(cue.root);
    for (const t of times) {
      seek(t);
      let hit = false;
      for (const m of rv2.mountedElements.values()) {
        if (m.cueId !== cue.id) continue;
        const el = m.element;
        if (
          el.classList.contains('mtx-image') ||
          el.classList.contains('mtx-video') ||
          (el.classList.contains('mtx-text') && (el.textContent ?? '').trim() !== '')
        ) {
          hit = true;
          break;
        }
      }
      if (hit) {
        mountedCues++;
        w.mounted = true;
        break;
      }
    }
  });
  if (cues.length > 0 && mountedCues === 0) warnings.push('no cue mounts any visible node');
  for (const w of captured) if (!warnings.includes(w)) warnings.push(w);
  // Leave the stage empty until the caller seeks.
  for (const cue of cues) rv2.unmountCue(cue);
  return { mountedCues, warnings, cues: windows };
}

async function settle(): Promise<void> {
  if (!container) return;
  const imgs = Array.from(container.querySelectorAll('img')).filter((i) => i.src && !i.complete);
  await Promise.all(imgs.map((i) => i.decode().catch(() => undefined)));
}

/**
 * Seeks each time in turn and reports its signature ('empty' when nothing is visible) and the
 * union of the visible bounding boxes: one round trip for many frames, so the server can plan
 * which frames need a screenshot and which region of the frame captions ever cover.
 */
function survey(times: number[]): SurveyResult {
  const signatures: string[] = [];
  let union: BBox | null = null;
  for (const t of times) {
    const r = seek(t);
    signatures.push(r.signature);
    if (r.bbox) {
      const b = r.bbox;
      union = union
        ? {
            x: Math.min(union.x, b.x),
            y: Math.min(union.y, b.y),
            width: Math.max(union.x + union.width, b.x + b.width) - Math.min(union.x, b.x),
            height: Math.max(union.y + union.height, b.y + b.height) - Math.min(union.y, b.y),
          }
        : { ...b };
    }
  }
  return { signatures, bbox: union };
}

const api = {
  load,
  seek,
  survey,
  settle,
  dispose,
  plugins: registeredPlugins,
  warnings: (): string[] => captured.slice(),
};
(window as unknown as { __ecgCaption: typeof api }).__ecgCaption = api;
