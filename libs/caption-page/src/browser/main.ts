// Browser entry of the caption page. Bundled by scripts/build-caption-page.mjs into one IIFE and
// served from memory by CaptionPage (../index.ts). Installs window.__ecgCaption, the contract
// typed in ../protocol.ts:
//   load(scenarioV2, {width, height, plugins?, fonts?, seed?}) → {mountedCues, warnings, cues}
//   seek(t) → {visible, bbox, signature}     (deterministic: same t → same pixels, any history)
//   survey(times) → {signatures, bbox}        (seek for each time, without the pixels)
//   settle() → resolves once images in the caption layer are decoded
//   plugins() → registered "name@version" refs
//   dispose()
// Type-checked by ./tsconfig.json (DOM, no Node types).
import gsap from 'gsap';
import { MotionTextRenderer } from 'motiontext-renderer';
import { unionBBox } from '../bbox.js';
import type { BBox, CaptionPageApi, CaptionPageWindow, LoadResult, PageLoadInput, SeekResult, SurveyResult } from '../protocol.js';
import { driveAnimatedImages, prepareAnimatedImages } from './animated-images.js';
import { checkNodes, collectPluginNames, cueWindow, probeMountedCues } from './cue-checks.js';
import { dropStageOverlayBinding, getInternals, type ParsedCue, type RendererV2Internals } from './engine-internals.js';
import { loadFontFaces } from './font-faces.js';
import { measure, signature } from './measure.js';
import { emulatePlayback, setPlayhead } from './playback.js';
import { isRegistered, registerBundledPlugins, registerOriginPlugins, registeredPlugins } from './plugin-registry.js';
import { restartFallback, setJobSeed } from './seeded-random.js';
import { captureConsoleWarnings, capturedWarnings, clearCapturedWarnings } from './warning-capture.js';

const FONT_STACK = "'Noto Sans CJK KR', 'Noto Sans KR', 'Noto Sans', 'DejaVu Sans', sans-serif";

captureConsoleWarnings();

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

// ---------------------------------------------------------------- state of the loaded scenario
let renderer: MotionTextRenderer | null = null;
let internals: RendererV2Internals | null = null;
let container: HTMLDivElement | null = null;
let cues: ParsedCue[] = [];
let viewport = { width: 0, height: 0 };
/** The render's frame rate: DOM plugins are replayed on its frame grid (playback.ts). */
let fps = 30;

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
  const m = measure(container, viewport);
  return { visible: m.visible, bbox: m.bbox, signature: m.visible ? signature(container) : 'empty' };
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
  clearCapturedWarnings();
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
  dropStageOverlayBinding(rv2);
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

  const windows = cues.map(cueWindow);
  const mountedCues = probeMountedCues(cues, windows, rv2, seek);
  if (cues.length > 0 && mountedCues === 0) warnings.push('no cue mounts any visible node');
  for (const w of capturedWarnings()) if (!warnings.includes(w)) warnings.push(w);
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
    if (r.bbox) union = unionBBox(union, r.bbox);
  }
  return { signatures, bbox: union };
}

const api: CaptionPageApi = {
  load,
  seek,
  survey,
  settle,
  dispose,
  plugins: registeredPlugins,
  warnings: capturedWarnings,
};
(window as unknown as CaptionPageWindow).__ecgCaption = api;
