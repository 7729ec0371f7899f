// class-validator failures become one 400 in the documented envelope, each naming its field
// by dotted path (e.g. "options.width").
import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ApiError } from './errors/api-error.js';

export interface FieldProblem {
  field: string;
  reason: string;
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const reason of Object.values(e.constraints ?? {})) out.push({ field, reason });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** Deepest object/array nesting a request body may have (real scenarios stay under 20). */
export const MAX_BODY_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `max` (iterative: no recursion to overflow). */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * Refuses absurdly deep bodies before class-transformer and the scenario code walk them
 * recursively (10 000 nested groups overflowed the stack: a 500 instead of a 400).
 */
class DepthLimitedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && exceedsDepth(value, MAX_BODY_DEPTH)) {
      const field =
        value && typeof value === 'object'
          ? (Object.keys(value).find((k) => exceedsDepth((value as Record<string, unknown>)[k], MAX_BODY_DEPTH - 1)) ?? 'body')
          : 'body';
      const reason = `nested more than ${MAX_BODY_DEPTH} levels deep`;
      throw ApiError.validation(`${field}: ${reason}`, [{ field, reason }]);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new DepthLimitedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // No implicit conversion: "1920" is not a number, and NaN never slips through.
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const problems = flattenValidationErrors(errors);
      const first = problems[0] ?? { field: 'body', reason: 'is invalid' };
      return ApiError.validation(`${first.field}: ${first.reason}`, problems);
    },
  });
}
