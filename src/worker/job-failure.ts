// How a failed render is recorded: retryable failures go back to Bull (another attempt, maybe on
// another worker); the last attempt, or invalid input, fails the job once and calls back once.
import type { Logger } from '@nestjs/common';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import type { JobsRepository } from '../jobs/jobs.repository.js';
import type { CallbackNotifier } from '../queue/callback-notifier.js';
import type { RenderError } from '../render/render-errors.js';

/** Marks the job failed (if it still can be) and sends the `failed` callback once; true when this call failed it. */
export async function recordFailure(
  jobs: JobsRepository,
  callbacks: CallbackNotifier,
  logger: Logger,
  job: RenderJobEntity,
  error: RenderError,
): Promise<boolean> {
  const failed = await jobs.markFailed(job.id, {
    code: error.code,
    message: error.message,
    kind: error.isInputError ? 'input' : 'server',
  });
  if (!failed) return false;
  logger.warn(`render ${job.id} failed: [${error.code}] ${error.message}`);
  await callbacks.notify(job.callbackUrl, 'failed', {
    jobId: job.id,
    status: 'failed',
    progress: 0,
    errorCode: error.code,
    errorMessage: error.message,
    warnings: job.warnings,
  });
  return true;
}
