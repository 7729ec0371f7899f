// Browser entry of the editor reference page (bundled by scripts/build-editor-reference.mjs into
// dist/editor-reference/editor-reference.js, served from memory by ../editor-reference-page.ts).
// It previews a scenario the way the ECG caption editor does — NOT the way our caption page does:
// the editor's plugin loader (pluginLoader.ts, as ../../../../../shared/editor-reference/README.md
// describes it) fetches each plugin from the plugin origin, imports it from a Blob URL and
// registers it; the renderer is then PLAYED, never torn down between frames.
//
// How the editor drives motiontext-renderer 1.5.0 (read from node_modules/motiontext-renderer/
// dist/index.js): MotionTextRenderer.play()/pause() are empty; the editor calls attachMedia(video)
// and RendererV2's TimelineControllerV2 then calls RendererV2.onTimelineUpdate(video time) on
// every requestVideoFrameCallback (rAF when there is no rVFC) while the video plays.
// MotionTextRenderer.seek(t) is `renderer.update(t)`, i.e. the very same onTimelineUpdate(t): it
// mounts/unmounts nodes by displayTime, runs channel plugins and DOM plugins (init once per node,
// then the seek function with the window progress) and, for a DOM plugin whose window is over
// while its node stays mounted, applies seekFn(1) (seekFn(0) before the window) — but only to
// plugins already initialised. Playing = calling seek(k / fps) for k = 0, 1, 2, … with a paint in
// between and nothing reset: that is what step() does here.
//
// gsap: several plugins build gsap timelines that are not paused, so gsap's own ticker also moves
// them on the wall clock between engine updates. Steps are therefore paced at real time (as the
// video would be), and at a captured frame gsap's global timeline is paused right after the
// engine update, so the capture shows exactly the state the engine set for t (the editor shows
// that state plus up to one display frame of gsap drift). Math.random is left alone (the editor
// does not seed it) and flames' GIF runs on Chromium's clock: those plugins are compared by
// statistics, not pixels.
import gsap from 'gsap';
import { MotionTextRenderer, registerExternalPlugin } from 'motiontext-renderer';

interface LoadedPlugin {
  ref: string;
  name: string;
  version: string;
}
interface LoadPluginsResult {
  loaded: LoadedPlugin[];
  errors: string[];
  requests: string[];
}

const FONT_STACK = "'Noto Sans CJK KR', 'Noto Sans KR', 'Noto Sans', 'DejaVu Sans', sans-serif";
const requests: string[] = [];

// The editor sets window.gsap before loading any plugin (plugins read ctx.gsap / window.gsap).
(window as unknown as { gsap: unknown }).gsap = gsap;

const style = document.createElement('style');
style.textContent = [
  'html,body{margin:0;padding:0;background:transparent!important;overflow:hidden}',
  `body{font-family:${FONT_STACK}}`,
  '#editor-video-box{position:absolute;left:0;top:0;overflow:hidden;background:transparent}',
  '#editor-background{position:absolute;left:0;top:0}',
].join('\n');
document.head.appendChild(style);

/** "name" → name@2.0.0 (the editor's rule); "name@1.0.0" → as given. */
function parseRef(ref: string): LoadedPlugin {
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  const version = at > 0 ? ref.slice(at + 1) : '2.0.0';
  return { ref, name, version };
}

async function fetchOk(url: string): Promise<Response> {
  requests.push(url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

/**
 * The editor's loading sequence, one plugin after the other: manifest, entry as text, import from
 * a Blob URL, registerExternalPlugin (which stores the module under "name" and "name@version").
 */
async function loadPlugins(origin: string, refs: string[]): Promise<LoadPluginsResult> {
  const loaded: LoadedPlugin[] = [];
  const errors: string[] = [];
  const base = origin.replace(/\/+$/, '');
  for (const ref of refs) {
    const p = parseRef(ref);
    const key = `${p.name}@${p.version}`;
    try {
      const manifest = (await (await fetchOk(`${base}/plugins/${key}/manifest.json`)).json()) as Record<string, unknown>;
      // fliptype@1.0.0's manifest names no entry; the engine's own default is index.mjs.
      const entry = typeof manifest.entry === 'string' ? manifest.entry : 'index.mjs';
      const code = await (await fetchOk(`${base}/plugins/${key}/${entry}`)).text();
      const blobUrl = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      let module: unknown;
      try {
        module = await import(/* @vite-ignore */ blobUrl);
      } finally {
        URL.revokeObjectURL(blobUrl);
      }
      const version = typeof manifest.version === 'string' ? manifest.version : p.version;
      registerExternalPlugin({
        name: p.name,
        version,
        module: module as never,
        baseUrl: `${base}/plugins/${key}/`,
        manifest: manifest as never,
      });
      loaded.push({ ref, name: p.name, version });
    } catch (err) {
      errors.push(`${ref}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  return { loaded, errors, requests: requests.slice() };
}

let renderer: MotionTextRenderer | null = null;
let box: HTMLDivElement | null = null;
let fps = 30;
let nextStep = 0; // index of the next frame the playback will show
let paceFrom = 0; // performance.now() at which step `paceStep` was due
let paceStep = 0;

async function load(scenario: unknown, opts: { width: number; height: number; fps: number }): Promise<{ warnings: string[] }> {
  dispose();
  fps = opts.fps;
  // The editor's player: a box the size of the video, the renderer's container inside it.
  box = document.createElement('div');
  box.id = 'editor-video-box';
  box.style.width = `${opts.width}px`;
  box.style.height = `${opts.height}px`;
  const container = document.createElement('div');
  container.id = 'editor-caption-container';
  container.style.width = '100%';
  container.style.height = '100%';
  box.appendChild(container);
  document.body.appendChild(box);
  renderer = new MotionTextRenderer(container, {});
  await renderer.loadConfigAsync(scenario);
  nextStep = 0;
  return { warnings: [] };
}

/** Registers font faces (the render's) before anything is laid out. */
async function addFonts(
  list: Array<{ family: string; url: string; weight?: string; style?: string; unicodeRange?: string }>,
): Promise<void> {
  for (const f of list) {
    const face = new FontFace(f.family, `url(${f.url})`, {
      weight: f.weight ?? '400',
      style: f.style ?? 'normal',
      ...(f.unicodeRange ? { unicodeRange: f.unicodeRange } : {}),
    });
    await face.load();
    document.fonts.add(face);
  }
}

/** Shows a source frame (data: URL) under the captions, as the editor's video would be. */
async function setBackground(src: string | null): Promise<void> {
  if (!box) throw new Error('editor reference: load() first');
  let img = document.getElementById('editor-background') as HTMLImageElement | null;
  if (!src) {
    img?.remove();
    return;
  }
  if (!img) {
    img = document.createElement('img');
    img.id = 'editor-background';
    img.alt = '';
    img.style.width = box.style.width;
    img.style.height = box.style.height;
    box.prepend(img);
  }
  img.src = src;
  await img.decode();
}

/**
 * The editor's engine re-initialises a DOM plugin on every update when its presence check fails
 * (RendererV2.checkDomPluginElements looks for [data-glitch] / [data-glow] / img[data-flames] /
 * [data-magnetic] among effectsRoot's DESCENDANTS). glitch@2.0.0 marks effectsRoot itself, so it
 * is set up again on every frame, and each set-up copies the word's whole text three times: the
 * text grows 3× per frame and the editor's own tab freezes within a second. Stop with a clear
 * error instead of hanging the measurement.
 */
const MAX_CAPTION_TEXT = 100_000;
function checkGrowth(t: number): void {
  const n = box?.textContent?.length ?? 0;
  if (n > MAX_CAPTION_TEXT) {
    throw new Error(
      `editor reference: the caption text keeps growing (${n} characters at t=${t.toFixed(3)} s): a DOM plugin is re-initialised on every frame and duplicates its text — the editor's own preview does the same`,
    );
  }
}

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

/**
 * Plays on from the current position to frame `target` (t = target / fps), one engine update per
 * frame with a paint in between, paced at real time when `pace`. Ends with gsap paused on the
 * target frame and the page painted; resume() lets gsap run again.
 */
async function playTo(target: number, pace: boolean): Promise<{ t: number; steps: number }> {
  if (!renderer) throw new Error('editor reference: load() first');
  if (target < nextStep) throw new Error(`editor reference: cannot play backwards to frame ${target} (at ${nextStep})`);
  gsap.globalTimeline.resume();
  let steps = 0;
  paceFrom = performance.now();
  paceStep = nextStep;
  while (nextStep <= target) {
    const now = await nextFrame();
    if (pace && now < paceFrom + ((nextStep - paceStep) * 1000) / fps) continue;
    renderer.seek(nextStep / fps);
    steps++;
    checkGrowth(nextStep / fps);
    if (nextStep === target) gsap.globalTimeline.pause();
    nextStep++;
  }
  await nextFrame(); // the target frame painted
  return { t: target / fps, steps };
}

function resume(): void {
  gsap.globalTimeline.resume();
}

function dispose(): void {
  try {
    renderer?.dispose();
  } finally {
    renderer = null;
    box?.remove();
    box = null;
    gsap.globalTimeline.resume();
  }
}

const api = {
  loadPlugins,
  load,
  addFonts,
  setBackground,
  playTo,
  resume,
  dispose,
  requests: () => requests.slice(),
};
(window as unknown as { __editorReference: typeof api }).__editorReference = api;
