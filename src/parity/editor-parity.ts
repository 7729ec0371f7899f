// `npm run parity -- --reference editor`: the reference frames are what the ECG editor's preview
// shows — the editor reference page (src/parity/editor-reference: the editor's plugin loader,
// motiontext-renderer, the plugins from the plugin origin) PLAYED from t = 0 to each sampled frame,
// over the same decoded source frame the pipeline overlaid its captions on (an <img> under the
// caption container, as the editor's video sits under its captions), screenshotted.
import type { Browser } from 'puppeteer-core';
import type { PageFont } from '../../libs/caption-page/src/load-options.js';
import { decodePng, encodePng } from '../render/png.js';
import { EditorReferencePage } from './editor-reference/editor-reference-page.js';
import type { PluginFileSource } from './editor-reference/plugin-source.js';
import type { SampledFrame } from './sample-frames.js';

export type ParityReference = 'engine' | 'editor';

/** A source for a scenario that names no plugin: any plugin request is a 404. */
export const NO_PLUGIN_SOURCE: PluginFileSource = {
  description: 'no plugin origin configured',
  get: () => Promise.resolve({ status: 404, contentType: 'text/plain', body: Buffer.from('no plugin origin configured') }),
};

export interface EditorShotsInput {
  browser: Browser;
  scenario: Record<string, unknown>;
  width: number;
  height: number;
  fps: number;
  samples: readonly SampledFrame[];
  /** Decoded source frames (RGBA), one per sample, in the samples' order. */
  sources: readonly Uint8Array[];
  /** Where the editor's plugins come from (the plugin origin, or its folder in tests). */
  pluginSource?: PluginFileSource;
  fonts?: readonly PageFont[];
  /** Pace the playback at real time (default true: gsap's wall-clock tweens behave as in the editor). */
  pace?: boolean;
  signal?: AbortSignal;
}

/** RGBA reference frames, one per sample (in the samples' order), played in ascending time. */
export async function editorReferenceShots(input: EditorShotsInput): Promise<Buffer[]> {
  const { width, height, fps } = input;
  const ref = await EditorReferencePage.open(await input.browser.newPage({ type: 'window' }), {
    width,
    height,
    source: input.pluginSource ?? NO_PLUGIN_SOURCE,
  });
  const shots = new Array<Buffer>(input.samples.length);
  try {
    await ref.load(input.scenario, { fps, fonts: input.fonts });
    const order = input.samples.map((s, k) => k).sort((a, b) => input.samples[a].index - input.samples[b].index);
    for (const k of order) {
      input.signal?.throwIfAborted();
      await ref.setBackground(encodePng(input.sources[k], width, height));
      const shot = decodePng(await ref.frameAt(input.samples[k].index, { pace: input.pace }));
      if (shot.width !== width || shot.height !== height) {
        throw new Error(`editor reference screenshot is ${shot.width}×${shot.height}, expected ${width}×${height}`);
      }
      shots[k] = shot.rgba;
    }
  } finally {
    await ref.close();
  }
  return shots;
}
