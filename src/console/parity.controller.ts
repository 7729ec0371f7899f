// POST /api/render/:jobId/parity?frames=N: the parity report of one of the user's completed jobs
// (the console's "parity check" button). Slow: a worker decodes both videos and runs the engine
// (render-parity queue); this process only enqueues and waits (parity-queue.ts).
import { Controller, DefaultValuePipe, HttpCode, HttpStatus, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { CurrentUser, JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import type { AuthenticatedUser } from '../auth/token-verifier.js';
import { ApiError, ERROR_CODES } from '../http/errors/api-error.js';
import { JOB_PARITY_MAX_FRAMES, type JobParityReport } from '../parity/job-parity.service.js';
import { ParityRequester } from '../parity/parity-queue.js';
import { RateLimitGuard } from '../security/rate-limit.js';

@ApiTags('render')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/render')
export class ParityController {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly parity: ParityRequester,
  ) {}

  /** Compares N sampled frames (cue boundaries first) of the result with the engine alone over the source. */
  @Post(':jobId/parity')
  @UseGuards(RateLimitGuard)
  @HttpCode(200)
  async check(
    @CurrentUser() user: AuthenticatedUser,
    @Param('jobId') jobId: string,
    @Query('frames', new DefaultValuePipe(8), ParseIntPipe) frames: number,
  ): Promise<JobParityReport> {
    if (frames < 1 || frames > JOB_PARITY_MAX_FRAMES) {
      throw ApiError.validation(`frames: must be from 1 to ${JOB_PARITY_MAX_FRAMES}`, [
        { field: 'frames', reason: `1..${JOB_PARITY_MAX_FRAMES}` },
      ]);
    }
    const job = await this.jobs.findForUser(jobId, user.userId);
    if (!job) throw ApiError.notFound(jobId);
    if (job.status !== 'completed' || !job.outputKey) {
      throw new ApiError(
        HttpStatus.CONFLICT,
        ERROR_CODES.VALIDATION_FAILED,
        `render job ${jobId} is ${job.status}: parity needs a completed job`,
      );
    }
    return this.parity.request(user.userId, job.id, frames);
  }
}
