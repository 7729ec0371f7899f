// One table of output limits (render-limits.ts): the API's DTO, the command-line render, the engine
// and the ffmpeg argument builders accept and refuse the same values, with the same numbers.
import type { HttpException } from '@nestjs/common';
import { parseRenderCommandLine } from '../cli/render-args.js';
import { buildSourceChain, qualityToLevel } from '../encoder/ffmpeg-args.js';
import { DEFAULT_MEDIA_LIMITS } from '../encoder/media-probe.js';
import { CreateRenderDto, RenderOptionsDto } from '../http/render/dto/create-render.dto.js';
import { createValidationPipe } from '../http/validation.js';
import { RenderError } from './render-errors.js';
import {
  OUTPUT_FRAME_LIMITS,
  RENDER_OPTION_FIELDS,
  RENDER_OPTION_LIMITS,
  renderOptionProblem,
  type RenderOptionField,
} from './render-limits.js';
import { validateRenderOptions } from './render-options.js';

/** @nestjs/swagger's metadata key for @ApiProperty (DECORATORS.API_MODEL_PROPERTIES, not exported by the package). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

const SCENARIO = { version: '2.0', cues: [] };

/** The API's answer to POST /api/render/create with these options: undefined when accepted. */
async function apiProblem(
  options: Record<string, unknown>,
): Promise<{ message: string; details: { field: string; reason: string }[] } | undefined> {
  const body = { videoUrl: 'https://example.com/a.mp4', scenario: SCENARIO, options };
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: CreateRenderDto });
    return undefined;
  } catch (err) {
    const { detail } = (err as HttpException).getResponse() as { detail: { code: string; message: string; details: never } };
    expect(detail.code).toBe('RENDER_VALIDATION_FAILED');
    return detail;
  }
}

/** The command line's answer to `npm run render -- … --<field> <value>`: the RenderError's message, or undefined. */
function cliProblem(field: RenderOptionField, value: number): string | undefined {
  try {
    parseRenderCommandLine(['--video', 'in.mp4', '--scenario', 's.json', '--out', 'out.mp4', `--${field}`, String(value)]);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).code).toBe('RENDER_INVALID_OPTIONS');
    return (err as Error).message;
  }
}

function engineProblem(field: RenderOptionField, value: number): string | undefined {
  try {
    validateRenderOptions({ [field]: value });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('render limits: one table for the API, the command line, the engine and the builders', () => {
  it('is the public contract the API documented', () => {
    expect(RENDER_OPTION_LIMITS).toEqual({
      width: { min: 480, max: 3840, even: true },
      height: { min: 360, max: 2160, even: true },
      fps: { min: 1, max: 60 },
      quality: { min: 10, max: 100 },
    });
  });

  describe.each(RENDER_OPTION_FIELDS)('%s', (field) => {
    const { min, max } = RENDER_OPTION_LIMITS[field];
    const step = field === 'width' || field === 'height' ? 2 : 1;

    it.each([min, max])('%d (a limit) is accepted by the API, the command line and the engine', async (v) => {
      expect(await apiProblem({ [field]: v })).toBeUndefined();
      expect(cliProblem(field, v)).toBeUndefined();
      expect(engineProblem(field, v)).toBeUndefined();
    });

    it.each([min - step, max + step])('%d (just outside) is refused by each, naming the field, with the same words', async (v) => {
      const reason = `${field} must be from ${min} to ${max}, got ${v}`;
      const api = await apiProblem({ [field]: v });
      expect(api?.message).toBe(`options.${field}: ${reason}`);
      expect(api?.details).toEqual([{ field: `options.${field}`, reason }]);
      expect(cliProblem(field, v)).toBe(reason);
      expect(engineProblem(field, v)).toBe(reason);
    });

    it('is written into the OpenAPI schema from the table', () => {
      const meta = Reflect.getMetadata(API_MODEL_PROPERTIES, RenderOptionsDto.prototype, field) as Record<string, unknown>;
      expect(meta).toMatchObject({ required: false, minimum: min, maximum: max });
      expect(meta.multipleOf).toBe(step === 2 ? 2 : undefined);
    });
  });

  it('odd sizes and non-integers are refused by the API and the command line alike', async () => {
    for (const [field, v, reason] of [
      ['width', 641, 'width must be even (H.264 4:2:0), got 641'],
      ['height', 361, 'height must be even (H.264 4:2:0), got 361'],
      ['fps', 29.97, 'fps must be an integer, got 29.97'],
    ] as const) {
      expect((await apiProblem({ [field]: v }))?.details).toEqual([{ field: `options.${field}`, reason }]);
      expect(cliProblem(field, v)).toBe(reason);
    }
    expect((await apiProblem({ quality: '80' }))?.details).toEqual([
      { field: 'options.quality', reason: 'quality must be an integer, got "80"' },
    ]);
    expect(renderOptionProblem('quality', '80')).toBe('must be an integer, got "80"');
  });

  it('the builders take every requested size and quality, and refuse the table’s neighbours with its numbers', () => {
    const { width, height, quality } = RENDER_OPTION_LIMITS;
    expect(() => buildSourceChain(width.min, height.min, 30)).not.toThrow();
    expect(() => buildSourceChain(width.max, height.max, 30)).not.toThrow();
    expect(qualityToLevel(quality.min)).toBe(48);
    expect(qualityToLevel(quality.max)).toBe(12);
    expect(() => qualityToLevel(quality.min - 1)).toThrow(`quality must be from ${quality.min} to ${quality.max} (got ${quality.min - 1})`);
    expect(() => qualityToLevel(quality.max + 1)).toThrow(`quality must be from ${quality.min} to ${quality.max} (got ${quality.max + 1})`);
  });

  it('the builders take every frame the media probe admits (a render without a size keeps the source’s), and nothing beyond', () => {
    const { minSide, maxLongSide } = OUTPUT_FRAME_LIMITS;
    expect(DEFAULT_MEDIA_LIMITS).toMatchObject(OUTPUT_FRAME_LIMITS);
    expect(() => buildSourceChain(minSide, minSide, 30)).not.toThrow();
    expect(() => buildSourceChain(maxLongSide, OUTPUT_FRAME_LIMITS.maxShortSide, 30)).not.toThrow();
    expect(() => buildSourceChain(OUTPUT_FRAME_LIMITS.maxShortSide, maxLongSide, 30)).not.toThrow();
    expect(() => buildSourceChain(maxLongSide + 2, 1080, 30)).toThrow(
      `width must be an even integer from ${minSide} to ${maxLongSide} (got ${maxLongSide + 2})`,
    );
    expect(() => buildSourceChain(1920, minSide - 2, 30)).toThrow(
      `height must be an even integer from ${minSide} to ${maxLongSide} (got ${minSide - 2})`,
    );
    // Every requested size is a frame the builders take.
    for (const f of ['width', 'height'] as const) {
      expect(RENDER_OPTION_LIMITS[f].min).toBeGreaterThanOrEqual(minSide);
      expect(RENDER_OPTION_LIMITS[f].max).toBeLessThanOrEqual(OUTPUT_FRAME_LIMITS.maxShortSide);
    }
  });
});
