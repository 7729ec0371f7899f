// The output options a render accepts, resolved against the probed source. Every problem names
// the field, so the CLI and the API answer the same way.
import type { ProbedMedia } from '../encoder/media-probe.js';
import { RenderError } from './render-errors.js';

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

export const OPTION_LIMITS = {
  width: { min: 16, max: 7680 },
  height: { min: 16, max: 4320 },
  fps: { min: 1, max: 60 },
  quality: { min: 10, max: 100 },
} as const;

export const DEFAULT_QUALITY = 80;

export function validateRenderOptions(options: RenderOptions): void {
  const problems: { field: string; reason: string }[] = [];
  for (const field of ['width', 'height', 'fps', 'quality'] as const) {
    const v = options[field];
    if (v === undefined) continue;
    const { min, max } = OPTION_LIMITS[field];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      problems.push({ field, reason: `must be an integer, got ${JSON.stringify(v)}` });
    } else if (v < min || v > max) {
      problems.push({ field, reason: `must be from ${min} to ${max}, got ${v}` });
    } else if ((field === 'width' || field === 'height') && v % 2 !== 0) {
      problems.push({ field, reason: `must be even (H.264 4:2:0), got ${v}` });
    }
  }
  if (problems.length) {
    const first = problems[0];
    throw new RenderError('RENDER_INVALID_OPTIONS', `${first.field} ${first.reason}`, false, problems);
  }
}

/** Output defaults: the source's size (made even) and frame rate (rounded, 1–60). */
export function resolveRenderOptions(options: RenderOptions, source: ProbedMedia): ResolvedRenderOptions {
  validateRenderOptions(options);
  const even = (n: number) => Math.max(16, Math.floor(n / 2) * 2);
  const sourceFps = Math.min(60, Math.max(1, Math.round(source.fps || 30)));
  return {
    width: options.width ?? even(source.width),
    height: options.height ?? even(source.height),
    fps: options.fps ?? sourceFps,
    quality: options.quality ?? DEFAULT_QUALITY,
  };
}
