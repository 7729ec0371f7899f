// The caption page's contract: what window.__ecgCaption takes and answers. Types only (no code,
// no imports), shared by the three sides that speak it, each type-checked with its own tsconfig:
//   - the page itself (browser/main.ts, bundled by scripts/build-caption-page.mjs; DOM, no Node),
//   - CaptionPage (index.ts), which drives the page through puppeteer on the server,
//   - the web console's preview (console/src), which loads the same bundle in an iframe.
// Values cross the boundary as JSON (page.evaluate), so everything here is plain data.

/** A rectangle of the viewport, integer CSS px (= video px: the page has deviceScaleFactor 1). */
export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SeekResult {
  /** Some caption content (text, image, video, painted box) is visible at t. */
  visible: boolean;
  /** Union bounding box of the visible content, integer px, padded for shadows/glow, clamped to the viewport. */
  bbox: BBox | null;
  /** Cheap digest of the caption DOM's visual state ('empty' when nothing is visible). */
  signature: string;
}

/** What `survey` found over a list of times. */
export interface SurveyResult {
  /** Per time, the visual-state signature ('empty' when nothing is visible). */
  signatures: string[];
  /** Union of the visible bounding boxes over all the times; null when nothing was visible. */
  bbox: BBox | null;
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

// ---- what load() receives besides the scenario (built by CaptionPage from CaptionLoadOptions)

/** A plugin from the editor's plugin origin, served to the page from memory. */
export interface PagePluginDescriptor {
  readonly name: string;
  readonly version: string;
  readonly manifest: Readonly<Record<string, unknown>>;
  /** Where the page imports the entry from (served from memory). */
  readonly entryUrl: string;
  /** The plugin folder's URL, ending in '/': ctx.assets.getUrl(p) is new URL(p, baseUrl). */
  readonly baseUrl: string;
}

export interface PageFontDescriptor {
  readonly family: string;
  readonly url: string;
  readonly weight?: string;
  readonly style?: string;
  readonly unicodeRange?: string;
}

/** A GIF the page drives by the timeline (decoded in the page; base64 of its bytes). */
export interface PageAnimatedImage {
  readonly url: string;
  readonly contentType: string;
  readonly base64: string;
}

export interface PageLoadInput {
  readonly width: number;
  readonly height: number;
  readonly plugins?: readonly PagePluginDescriptor[];
  readonly fonts?: readonly PageFontDescriptor[];
  readonly animatedImages?: readonly PageAnimatedImage[];
  /** Seeds the plugins' random numbers (per node and plugin). */
  readonly seed?: string;
  /** The render's frame rate: DOM plugins are replayed on its frame grid (default 30). */
  readonly fps?: number;
}

/** window.__ecgCaption, installed by the page's script. */
export interface CaptionPageApi {
  /** Loads a v2.0 scenario (replacing any previous one) and probes which cues show anything. */
  load(scenarioV2: unknown, input: PageLoadInput): Promise<LoadResult>;
  /** Shows the captions at t seconds. Deterministic: same t → same pixels, whatever came before. */
  seek(t: number): SeekResult;
  /** seek() for each time in turn, without the pixels: signatures and the union bounding box. */
  survey(times: number[]): SurveyResult;
  /** Resolves once the images in the caption layer are decoded. */
  settle(): Promise<void>;
  dispose(): void;
  /** Registered plugin names ("name" and "name@version"). */
  plugins(): string[];
  /** Engine console warnings/errors captured since the last load (deduplicated). */
  warnings(): string[];
}

/** The page's window, as the sides that reach into it see it. */
export interface CaptionPageWindow {
  __ecgCaption: CaptionPageApi;
}
