// What a bench workload is: its source video and its scenario (the workloads: workloads.ts).
import type { RenderOptions } from '../src/render/render-options.js';

export interface SourceSpec {
  width: number;
  height: number;
  fps: number;
  durationSec: number;
  /** Sine tone frequency (Hz) of the AAC audio track; omit for a silent video (no audio stream). */
  audioHz?: number;
  /** x264 preset used to encode the source itself (not the benchmark's output). */
  x264Preset: string;
}

export interface Workload {
  name: string;
  description: string;
  source: SourceSpec;
  /** Output options other than the defaults (e.g. the editor's quality 90). */
  renderOptions?: RenderOptions;
  /** The scenario for a source of `durationSec` seconds (the spec's, or `--seconds`). */
  buildScenario(durationSec: number): Record<string, unknown>;
}
