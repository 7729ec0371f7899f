// The output options a render accepts, resolved against the probed source. The limits are
// render-limits.ts's, the ones the API's DTO checks: every problem names the field, so the CLI
// and the API answer the same way.
import type { ProbedMedia } from '../encoder/media-probe.js';
import { RenderError } from './render-errors.js';
import { DEFAULT_QUALITY, OUTPUT_FRAME_LIMITS, RENDER_OPTION_FIELDS, RENDER_OPTION_LIMITS, renderOptionProblem } from './render-limits.js';

export { DEFAULT_QUALITY } from './render-limits.js';

export interface RenderOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** 10–100; see qualityToEncoderArgs for the mapping to crf / cq. */
  quality?: number;
}

export interface ResolvedRenderOptions {
  width: number;
  height: number;
  fps: number;
  quality: number;
}

/** Throws RENDER_INVALID_OPTIONS naming every option outside RENDER_OPTION_LIMITS (the first in the message). */
export function validateRenderOptions(options: RenderOptions): void {
  const problems: { field: string; reason: string }[] = [];
  for (const field of RENDER_OPTION_FIELDS) {
    const v = options[field];
    if (v === undefined) continue;
    const reason = renderOptionProblem(field, v);
    if (reason) problems.push({ field, reason });
  }
  if (problems.length) {
    const first = problems[0];
    throw new RenderError('RENDER_INVALID_OPTIONS', `${first.field} ${first.reason}`, false, problems);
  }
}

/** Output defaults: the source's size (made even) and frame rate (rounded, into the fps limits). */
export function resolveRenderOptions(options: RenderOptions, source: ProbedMedia): ResolvedRenderOptions {
  validateRenderOptions(options);
  const even = (n: number) => Math.max(OUTPUT_FRAME_LIMITS.minSide, Math.floor(n / 2) * 2);
  const { min: minFps, max: maxFps } = RENDER_OPTION_LIMITS.fps;
  const sourceFps = Math.min(maxFps, Math.max(minFps, Math.round(source.fps || 30)));
  return {
    width: options.width ?? even(source.width),
    height: options.height ?? even(source.height),
    fps: options.fps ?? sourceFps,
    quality: options.quality ?? DEFAULT_QUALITY,
  };
}
