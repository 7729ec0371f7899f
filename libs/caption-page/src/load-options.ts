// What the server hands the caption page along with a scenario: plugins fetched from the
// editor's plugin origin, font faces, and the job's random seed. Plain data, shared by the
// server (which builds it) and CaptionPage (which serves it to the page from memory). What the
// page itself receives (URLs instead of bytes) is in protocol.ts.

/** One file of a plugin's folder, e.g. `index.mjs` or `assets/flame.gif`. */
export interface PluginFile {
  /** Path relative to the plugin's folder (`{origin}/plugins/{name}@{version}/`), no leading slash. */
  readonly path: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** A plugin from the plugin origin, fetched and verified on the server. */
export interface OriginPlugin {
  readonly name: string;
  readonly version: string;
  /** The manifest as the origin served it (its `type` decides channel / dom / hybrid). */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The manifest's `entry` (a path among `files`). */
  readonly entry: string;
  readonly files: readonly PluginFile[];
}

/** A font face the page registers (FontFace from bytes) before it lays anything out. */
export interface PageFont {
  /** CSS family name as scenarios name it, e.g. "Noto Sans KR". */
  readonly family: string;
  /** CSS font-weight descriptor ("400", "100 900"); default "400". */
  readonly weight?: string;
  /** "normal" | "italic"; default "normal". */
  readonly style?: string;
  /** CSS unicode-range descriptor; default all. */
  readonly unicodeRange?: string;
  readonly data: Uint8Array;
}

export interface CaptionLoadOptions {
  readonly originPlugins?: readonly OriginPlugin[];
  readonly fonts?: readonly PageFont[];
  /** Seeds the random numbers of plugins (per node and plugin); the same in every segment of a job. */
  readonly seed?: string;
  /** The render's frame rate: DOM plugins are played through earlier frames on this grid (default 30). */
  readonly fps?: number;
}
