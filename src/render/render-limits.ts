// What a render may be asked for, and what any render may produce — the one table. The API's DTO
// (its class-validator decorators and OpenAPI schema), the command-line render and the engine
// check a request with renderOptionProblem; the media probe admits sources, and the ffmpeg
// argument builders assert frame sizes, with OUTPUT_FRAME_LIMITS. Pure: imports nothing.

export interface OptionLimit {
  readonly min: number;
  readonly max: number;
  /** Sizes must be even: H.264 4:2:0 halves the chroma planes. */
  readonly even?: true;
}

/** The output options a request may set (POST /api/render/create `options`, `npm run render -- --width …`). */
export const RENDER_OPTION_LIMITS = {
  width: { min: 480, max: 3840, even: true },
  height: { min: 360, max: 2160, even: true },
  fps: { min: 1, max: 60 },
  /** 10 (smallest file) to 100 (best); see qualityToLevel for the encoder's scale. */
  quality: { min: 10, max: 100 },
} as const satisfies Record<string, OptionLimit>;

export type RenderOptionField = keyof typeof RENDER_OPTION_LIMITS;

export const RENDER_OPTION_FIELDS = Object.keys(RENDER_OPTION_LIMITS) as RenderOptionField[];

export const DEFAULT_QUALITY = 80;

/**
 * Any frame a render reads or writes. A request without a size renders at the source's size
 * (made even), so the output is bounded by the sources the media probe admits: 16 px a side at
 * least, 7680 on the long side and 4320 on the short one (8K, landscape or portrait). A requested
 * size (above) is always inside.
 */
export const OUTPUT_FRAME_LIMITS = { minSide: 16, maxLongSide: 7680, maxShortSide: 4320 } as const;

/**
 * Pages of one render that survey and capture at once (CAPTURE_PAGES; src/render/ordered-capture.ts).
 * They share one renderer process (src/browser-pool/chromium-launch.ts); a second page costs ~60 MB
 * and its open + load, and took the editor workload from 40.7 to 27.6 s (README, issue 15).
 */
export const CAPTURE_PAGE_LIMITS = { min: 1, max: 4, default: 2 } as const;

/**
 * Why `value` is not a valid `field` option, worded to follow the field's name
 * ("must be from 480 to 3840, got 3842"); undefined when it is valid.
 */
export function renderOptionProblem(field: RenderOptionField, value: unknown): string | undefined {
  const limit: OptionLimit = RENDER_OPTION_LIMITS[field];
  if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value)}`;
  if (value < limit.min || value > limit.max) return `must be from ${limit.min} to ${limit.max}, got ${value}`;
  if (limit.even && value % 2 !== 0) return `must be even (H.264 4:2:0), got ${value}`;
  return undefined;
}
