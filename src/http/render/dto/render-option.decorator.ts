// The DTO side of src/render/render-limits.ts: an output option is checked by the same function,
// with the same limits and words, as on the command line and in the engine, and its limits are
// written into the OpenAPI schema from that table.
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { RENDER_OPTION_LIMITS, renderOptionProblem, type OptionLimit, type RenderOptionField } from '../../../render/render-limits.js';

/** `field` inside RENDER_OPTION_LIMITS: "width must be from 480 to 3840, got 3842" otherwise. */
export function IsRenderOption(field: RenderOptionField): PropertyDecorator {
  const limit: OptionLimit = RENDER_OPTION_LIMITS[field];
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: limit.min, maximum: limit.max, ...(limit.even ? { multipleOf: 2 } : {}) }),
    ValidateBy({
      name: 'isRenderOption',
      validator: {
        validate: (value: unknown) => renderOptionProblem(field, value) === undefined,
        defaultMessage: (args) => `${args?.property ?? field} ${renderOptionProblem(field, args?.value)}`,
      },
    }),
  );
}
