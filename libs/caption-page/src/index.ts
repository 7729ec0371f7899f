// The caption page library: the page's contract (protocol.ts), its files (page-assets.ts), the
// Node driver (caption-page.ts) and what the server hands it with a scenario (load-options.ts).
// The browser code (browser/) is bundled separately by scripts/build-caption-page.mjs.
export { unionBBox } from './bbox.js';
export { CaptionPage, SEEKS_PER_GARBAGE_COLLECTION, type CaptionPageSize } from './caption-page.js';
export type { CaptionLoadOptions, OriginPlugin, PageFont, PluginFile } from './load-options.js';
export {
  CAPTION_PAGE_ORIGIN,
  CAPTION_PAGE_URL,
  CAPTION_SCRIPT_URL,
  FONTS_URL,
  PLUGINS_URL,
  captionPageBundlePath,
  loadCaptionPageAssets,
  pluginFileUrl,
  type CaptionPageAssets,
  type ServedFile,
} from './page-assets.js';
export { BUNDLED_PLUGINS, resolveBundledPlugin } from './plugin-manifest.js';
export type { BundledPlugin, PluginRef } from './plugin-manifest.js';
export type { BBox, CaptionPageApi, CaptionPageWindow, CueWindow, LoadResult, SeekResult, SurveyResult } from './protocol.js';
