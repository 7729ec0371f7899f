// The error body the ECG editor's client reads: HTTP status plus
// {"detail": {"error", "message", "code", "details"?}} (README "HTTP API").
import { HttpException, HttpStatus } from '@nestjs/common';

export const ERROR_CODES = {
  VALIDATION_FAILED: 'RENDER_VALIDATION_FAILED',
  QUOTA_DAILY: 'RENDER_QUOTA_DAILY_EXCEEDED',
  QUOTA_MONTHLY: 'RENDER_QUOTA_MONTHLY_EXCEEDED',
  QUOTA_CONCURRENT: 'RENDER_QUOTA_CONCURRENT_EXCEEDED',
  JOB_NOT_FOUND: 'RENDER_JOB_NOT_FOUND',
  JOB_CREATION_FAILED: 'RENDER_JOB_CREATION_FAILED',
  UNAUTHORIZED: 'RENDER_UNAUTHORIZED',
  FORBIDDEN: 'RENDER_FORBIDDEN',
  IDEMPOTENCY_CONFLICT: 'RENDER_IDEMPOTENCY_CONFLICT',
  PAYLOAD_TOO_LARGE: 'RENDER_PAYLOAD_TOO_LARGE',
  SERVICE_UNAVAILABLE: 'RENDER_SERVICE_UNAVAILABLE',
  NOT_FOUND: 'RENDER_NOT_FOUND',
  INTERNAL: 'RENDER_INTERNAL_ERROR',
  RATE_LIMITED: 'RENDER_RATE_LIMITED',
  QUOTA_UPLOAD: 'RENDER_QUOTA_UPLOAD_EXCEEDED',
  /** A font family cannot be loaded or characters have no glyph (issue 11; FONT_FALLBACK=refuse). */
  FONT_UNAVAILABLE: 'RENDER_FONT_UNAVAILABLE',
} as const;

export interface ErrorDetail {
  error: string;
  message: string;
  code: string;
  details?: unknown;
}

export class ApiError extends HttpException {
  constructor(status: HttpStatus, code: string, message: string, details?: unknown) {
    const body: { detail: ErrorDetail } = {
      detail: { error: errorName(status), message, code, ...(details === undefined ? {} : { details }) },
    };
    super(body, status);
  }

  static validation(message: string, details?: unknown): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, ERROR_CODES.VALIDATION_FAILED, message, details);
  }

  static notFound(jobId: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, ERROR_CODES.JOB_NOT_FOUND, `render job ${jobId} not found`);
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, ERROR_CODES.UNAUTHORIZED, message);
  }
}

export function errorName(status: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    410: 'Gone',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Entity',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return names[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}
