// One global filter: every error leaves the API in the same envelope. Unknown errors are logged
// with their stack and answered 500 without internals.
import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '../../database/database-errors.js';
import { ApiError, ERROR_CODES, errorName } from './api-error.js';

/** Seconds a client is asked to wait when a dependency is down. */
const RETRY_AFTER_SECONDS = 5;

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, body } = toEnvelope(exception);
    // A 429 says when to come back (issue 12 #5): details.retryAfterSeconds, default 60.
    if (status === HttpStatus.TOO_MANY_REQUESTS) {
      const after = (body as { detail?: { details?: { retryAfterSeconds?: number } } })?.detail?.details?.retryAfterSeconds;
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(after ?? 60))));
    }
    if (status === HttpStatus.SERVICE_UNAVAILABLE) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      this.logger.warn(`503: ${(exception as Error)?.message ?? String(exception)}`);
    } else if (status >= HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error((exception as Error)?.stack ?? String(exception));
    }
    res.status(status).json(body);
  }
}

export function toEnvelope(exception: unknown): { status: HttpStatus; body: unknown } {
  if (exception instanceof ApiError) return { status: exception.getStatus(), body: exception.getResponse() };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const resp = exception.getResponse() as { message?: unknown } | string;
    const raw = typeof resp === 'string' ? resp : resp.message;
    const message = Array.isArray(raw)
      ? raw.join('; ')
      : typeof raw === 'string'
        ? raw
        : raw === undefined || raw === null
          ? exception.message
          : JSON.stringify(raw);
    return { status, body: { detail: { error: errorName(status), message, code: codeFor(status) } } };
  }
  // body-parser errors (malformed JSON, too large) carry a status and a type.
  const e = exception as { status?: number; type?: string; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const message =
      e.type === 'entity.too.large'
        ? 'request body is too large'
        : e.type === 'entity.parse.failed'
          ? `malformed JSON body: ${e.message}`
          : String(e.message);
    return { status: e.status, body: { detail: { error: errorName(e.status), message, code: codeFor(e.status) } } };
  }
  if (isDatabaseUnavailable(exception)) {
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    const message = 'the database is unavailable; retry later';
    return { status, body: { detail: { error: errorName(status), message, code: ERROR_CODES.SERVICE_UNAVAILABLE } } };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return { status, body: { detail: { error: errorName(status), message: 'internal error', code: ERROR_CODES.INTERNAL } } };
}

function codeFor(status: number): string {
  switch (status) {
    case 400:
      return ERROR_CODES.VALIDATION_FAILED;
    case 401:
      return ERROR_CODES.UNAUTHORIZED;
    case 403:
      return ERROR_CODES.FORBIDDEN;
    case 404:
      return ERROR_CODES.NOT_FOUND;
    case 413:
      return ERROR_CODES.PAYLOAD_TOO_LARGE;
    case 503:
      return ERROR_CODES.SERVICE_UNAVAILABLE;
    default:
      return status >= 500 ? ERROR_CODES.INTERNAL : ERROR_CODES.VALIDATION_FAILED;
  }
}
