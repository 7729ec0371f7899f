// class-validator failures become one 400 in the documented envelope, each naming its field
// by dotted path (e.g. "options.width").
import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
