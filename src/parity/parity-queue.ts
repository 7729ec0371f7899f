// Parity checks run on a worker, never in the API process (issue 12 #1): the API enqueues one Bull
// job per (render job, frames) on the `render-parity` queue and waits for its report; a worker
// (ParityWorker, one check at a time) fetches, gates and decodes. A user may have at most
// PARITY_PER_USER checks waiting or running (429 beyond). A finished report stays in Redis for an
// hour, so asking again answers it without another run.
import { InjectQueue } from '@nestjs/bull';
import { HttpStatus, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { MediaRejectedError } from '../encoder/errors.js';
import { ApiError, ERROR_CODES } from '../http/errors/api-error.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { PARITY_JOB, PARITY_QUEUE, bullJobId } from '../queue/queue.constants.js';
import { JobParityService, type JobParityReport } from './job-parity.service.js';
import { startProcessor } from '../queue/start-processor.js';

const PARITY_WAIT_MS = 11 * 60_000;

export interface ParityJobData {
  jobId: string;
  userId: string;
  frames: number;
}

/** API side: enqueue (per-user limit) and wait for the worker's report. */
@Injectable()
export class ParityRequester {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(PARITY_QUEUE) private readonly queue: Queue<ParityJobData>,
  ) {}

  async request(userId: string, jobId: string, frames: number): Promise<JobParityReport> {
    const id = bullJobId({ kind: 'parity', renderId: jobId, frames });
    let job = await this.queue.getJob(id);
    if (job && (await job.isFailed())) {
      await job.remove().catch(() => undefined);
      job = null;
    }
    if (!job) {
      const pending = await this.queue.getJobs(['waiting', 'active', 'delayed']);
      const mine = pending.filter((j) => j?.data?.userId === userId).length;
      if (mine >= this.config.security.parityPerUser) {
        throw new ApiError(
          HttpStatus.TOO_MANY_REQUESTS,
          ERROR_CODES.RATE_LIMITED,
          `you already have ${mine} parity check(s) waiting or running (limit ${this.config.security.parityPerUser}); try again when it is done`,
          { retryAfterSeconds: 30 },
        );
      }
      job = await this.queue.add(
        PARITY_JOB,
        { jobId, userId, frames },
        { jobId: id, attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: true },
      );
    }
    if (await job.isCompleted()) return job.returnvalue as JobParityReport;
    let timer: NodeJS.Timeout | undefined;
    try {
      return (await Promise.race([
        job.finished(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out waiting for a worker')), PARITY_WAIT_MS))),
      ])) as JobParityReport;
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      if (message.startsWith('media rejected:')) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, ERROR_CODES.VALIDATION_FAILED, `parity check refused the source: ${message}`);
      }
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, ERROR_CODES.INTERNAL, `parity check failed: ${message}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Worker side: one parity check at a time per worker process. */
@Injectable()
export class ParityWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(ParityWorker.name);

  constructor(
    @InjectQueue(PARITY_QUEUE) private readonly queue: Queue<ParityJobData>,
    private readonly jobs: JobsRepository,
    private readonly parity: JobParityService,
  ) {}

  onApplicationBootstrap(): void {
    startProcessor(this.queue, PARITY_JOB, 1, (job) => this.run(job), this.logger);
  }

  async run(job: Job<ParityJobData>): Promise<JobParityReport> {
    const { jobId, userId, frames } = job.data;
    const render = await this.jobs.findForUser(jobId, userId);
    if (!render || render.status !== 'completed' || !render.outputKey)
      throw new Error(`render job ${jobId} is not a completed job of this user`);
    try {
      return await this.parity.check(render, frames);
    } catch (err) {
      if (err instanceof MediaRejectedError) this.logger.warn(`parity of ${jobId} refused: ${err.message}`);
      throw err;
    }
  }
}
