// What every part of the bench works with: the engine's Nest application context, its config and
// encoder, a temp dir, the abort signal and the two output channels, and the job being measured.
import type { INestApplicationContext } from '@nestjs/common';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineConfig } from '../src/config/app-config.js';
import type { VideoEncoder } from '../src/encoder/ffmpeg-args.js';
import type { ProbedMedia } from '../src/encoder/media-probe.js';
import type { ResolvedRenderOptions } from '../src/render/render-options.js';
import type { PreparedScenario } from '../src/scenario/prepare-scenario.js';
import type { Workload } from './workloads.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)); // compiled to dist/bench/
export const CACHE_DIR = join(REPO_ROOT, '.cache', 'bench');

export interface Context {
  app: INestApplicationContext;
  config: EngineConfig;
  encoder: VideoEncoder;
  tmpDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
  status: (line: string) => void;
  breakdown: boolean;
  transcode: boolean;
  /** Interval of the process-tree memory sampler (--sample-ms). */
  sampleMs: number;
}

/** One workload, probed and prepared, as every measurement of it uses it. */
export interface Job {
  workload: Workload;
  source: ProbedMedia;
  options: ResolvedRenderOptions;
  scenario: Record<string, unknown>;
  prepared: PreparedScenario;
  framesTotal: number;
}
