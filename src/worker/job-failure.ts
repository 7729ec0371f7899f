// How a failed render is recorded: retryable failures go back to Bull (another attempt, maybe on
// another worker); the last attempt, or invalid input, fails the job once and calls back once.
import type { Logger } from '@nestjs/common';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import type { JobsRepository } from '../jobs/jobs.repository.js';
import type { CallbackNotifier } from '../queue/callback-notifier.js';
import { RenderError, isDiskFull } from '../render/render-errors.js';

export function toRenderError(err: unknown): RenderError {
  if (err instanceof RenderError) return err;
  if (isDiskFull(err)) return new RenderError('RENDER_DISK_FULL', 'no space left on the render disk', true, undefined, { cause: err });
  const name = (err as Error)?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  // AWS SDK errors carry $metadata (a failed UploadPart answers e.g. SlowDown or InternalError):
  // by this point the source is downloaded, so they come from storing the result.
  const awsError = typeof (err as { $metadata?: unknown })?.$metadata === 'object';
  if (awsError || /S3|Storage|Upload/i.test(name) || /multipart|upload/i.test(message)) {
    return new RenderError('RENDER_STORAGE_FAILED', `storing the result failed: ${message}`, true, undefined, { cause: err });
  }
  return new RenderError('RENDER_INTERNAL', message, true, undefined, { cause: err });
}

/** Marks the job failed (if it still can be) and sends the `failed` callback once. */
export async function recordFailure(
  jobs: JobsRepository,
  callbacks: CallbackNotifier,
  logger: Logger,
  job: RenderJobEntity,
  error: RenderError,
): Promise<void> {
  const failed = await jobs.markFailed(job.id, {
    code: error.code,
    message: error.message,
    kind: error.isInputError ? 'input' : 'server',
  });
  if (!failed) return;
  logger.warn(`render ${job.id} failed: [${error.code}] ${error.message}`);
  await callbacks.notify(job.callbackUrl, 'failed', {
    jobId: job.id,
    status: 'failed',
    progress: 0,
    errorCode: error.code,
    errorMessage: error.message,
    warnings: job.warnings,
  });
}
