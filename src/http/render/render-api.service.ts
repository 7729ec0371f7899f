// What the render endpoints do, apart from HTTP: admission (validation, idempotency, quota),
// enqueueing, status with fresh download URLs, cancel, history.
import { HttpStatus, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CallbackUrlCheck } from '../../callbacks/callback-url-check.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { isDatabaseUnavailable } from '../../database/database-errors.js';
import type { RenderJobEntity } from '../../database/entities/render-job.entity.js';
import { JobsRepository } from '../../jobs/jobs.repository.js';
import { FetchError } from '../../net/errors.js';
import { GuardedFetcher } from '../../net/guarded-fetcher.js';
import { CallbackNotifier } from '../../queue/callback-notifier.js';
import { RenderQueueProducer } from '../../queue/render-queue.producer.js';
import { JobAdmission } from '../../quota/job-admission.service.js';
import { IdempotencyConflictError, InvalidIdempotencyKeyError, QuotaExceededError } from '../../quota/quota.errors.js';
import { PluginCatalog } from '../../plugins/plugin-catalog.service.js';
import type { PreparedScenario } from '../../scenario/prepare-scenario.js';
import { WebhookSecretsRepository } from '../../security/webhook-secrets.repository.js';
import { serviceKeyOwner, uploadPrefixFor } from '../../storage/keys.js';
import { S3SourceResolver } from '../../storage/s3-source-resolver.js';
import { STORAGE_DRIVER, parseStorageUrl, type StorageDriver } from '../../storage/storage-driver.js';
import { AssetReferenceError, FontResolver, FontUnavailableError } from '../../fonts/font-resolver.js';
import { ApiError, ERROR_CODES } from '../errors/api-error.js';
import { assertScenarioSize, prepareRequestScenario } from '../scenario-request.js';
import type { CreateRenderDto } from './dto/create-render.dto.js';
import type { CancelResponse, CreateRenderResponse, HistoryItem, RenderStatusResponse } from './dto/render-responses.dto.js';

@Injectable()
export class RenderApiService {
  private readonly logger = new Logger(RenderApiService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly jobs: JobsRepository,
    private readonly admission: JobAdmission,
    private readonly producer: RenderQueueProducer,
    private readonly callbacks: CallbackNotifier,
    private readonly callbackUrls: CallbackUrlCheck,
    private readonly fetcher: GuardedFetcher,
    private readonly s3Sources: S3SourceResolver,
    private readonly webhookSecrets: WebhookSecretsRepository,
    private readonly fonts: FontResolver,
    @Optional() private readonly plugins?: PluginCatalog,
  ) {}

  async create(userId: string, dto: CreateRenderDto, idempotencyKey?: string): Promise<CreateRenderResponse> {
    for (const [field, value] of [
      ['videoUrl', dto.videoUrl],
      ['callbackUrl', dto.callbackUrl],
    ] as const) {
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
      if (typeof value === 'string' && /[\u0000-\u001f\u007f]/.test(value)) {
        const reason = 'contains control characters';
        throw ApiError.validation(`${field}: ${reason}`, [{ field, reason }]);
      }
    }
    // PostgreSQL's jsonb cannot store U+0000 (the insert failed with a 500): refuse it as input.
    let nulAt: string | undefined;
    const scenarioBytes = Buffer.byteLength(
      JSON.stringify(dto.scenario, (key: string, value: unknown) => {
        if (nulAt === undefined && (key.includes('\0') || (typeof value === 'string' && value.includes('\0')))) nulAt = key;
        return value;
      }),
    );
    assertScenarioSize(scenarioBytes, this.config.limits.maxScenarioBytes);
    if (nulAt !== undefined) {
      const reason = 'contains a NUL character (U+0000), which is not allowed in text';
      throw ApiError.validation(`scenario: ${reason} (near "${nulAt.replace(/\0/g, '\\u0000').slice(0, 64)}")`, [
        { field: 'scenario', reason },
      ]);
    }
    const { prepared } = await prepareRequestScenario(dto.scenario, this.plugins);
    const warnings = await this.checkFontsAndAssets(prepared);
    this.checkVideoUrl(userId, dto.videoUrl);
    if (dto.callbackUrl) {
      try {
        this.callbackUrls.assertAllowed(dto.callbackUrl);
      } catch (err) {
        throw ApiError.validation(`callbackUrl: ${(err as Error).message}`, [{ field: 'callbackUrl', reason: (err as Error).message }]);
      }
      // Without WEBHOOK_SECRET callbacks are signed only with the user's own secret (issue 12 #2).
      if (!this.callbackUrls.hasServiceSecret && !(await this.webhookSecrets.describe(userId))) {
        const reason =
          'callbacks are not available: the service has no WEBHOOK_SECRET and you have no webhook secret (POST /api/webhooks/secret)';
        throw ApiError.validation(`callbackUrl: ${reason}`, [{ field: 'callbackUrl', reason }]);
      }
    }
    if (!(await this.producer.isReady())) {
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        ERROR_CODES.SERVICE_UNAVAILABLE,
        'the render queue is unavailable; try again shortly',
      );
    }

    let admitted;
    try {
      admitted = await this.admission.admit({
        userId,
        idempotencyKey,
        body: { videoUrl: dto.videoUrl, scenario: dto.scenario, options: { ...dto.options }, callbackUrl: dto.callbackUrl ?? null },
        limits: this.config.quota,
      });
    } catch (err) {
      if (err instanceof QuotaExceededError) throw new ApiError(err.httpStatus, err.code, err.message, err.details);
      if (err instanceof IdempotencyConflictError) {
        throw new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, err.code, err.message, { field: 'Idempotency-Key' });
      }
      if (err instanceof InvalidIdempotencyKeyError) throw ApiError.validation(`Idempotency-Key: ${err.message}`);
      if (isDatabaseUnavailable(err)) {
        throw new ApiError(
          HttpStatus.SERVICE_UNAVAILABLE,
          ERROR_CODES.SERVICE_UNAVAILABLE,
          'the database is unavailable; try again shortly',
        );
      }
      this.logger.error(`job creation failed: ${(err as Error).stack}`);
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, ERROR_CODES.JOB_CREATION_FAILED, 'the render job could not be created');
    }
    const { job, created } = admitted;
    if (created && warnings.length) {
      job.warnings = warnings;
      await this.jobs
        .setWarnings(job.id, warnings)
        .catch((err) => this.logger.warn(`warnings of ${job.id} not stored: ${(err as Error).message}`));
    }
    if (created) {
      // If this enqueue is lost, the job stays queued and the reconciler enqueues it again.
      await this.producer.enqueue(job.id).catch((err) => this.logger.warn(`enqueue of ${job.id} failed: ${(err as Error).message}`));
    }
    return {
      jobId: job.id,
      estimatedTime: Math.round(job.estimatedSeconds ?? 60),
      createdAt: job.createdAt.toISOString(),
      warnings: job.warnings ?? [],
    };
  }

  async status(userId: string, jobId: string): Promise<RenderStatusResponse> {
    const job = await this.requireJob(userId, jobId);
    const res: RenderStatusResponse = { jobId: job.id, status: job.status, progress: round1(job.progress), warnings: job.warnings ?? [] };
    const remaining = estimateRemaining(job);
    if (remaining !== undefined) res.estimatedTimeRemaining = remaining;
    if (job.startedAt) res.startedAt = job.startedAt.toISOString();
    if (job.completedAt) res.completedAt = job.completedAt.toISOString();
    if (job.status === 'completed' && job.outputKey && !job.outputExpiredAt) res.downloadUrl = await this.downloadUrl(job);
    // Retention deleted the output (issue 12 #5): say so rather than answer a link to nothing.
    if (job.status === 'completed' && job.outputExpiredAt) res.status = 'expired';
    if (job.status === 'failed') {
      res.error = job.errorMessage ?? 'the render failed';
      res.errorCode = job.errorCode ?? undefined;
    }
    if (job.phase) res.phase = job.phase;
    return res;
  }

  async cancel(userId: string, jobId: string): Promise<CancelResponse> {
    const job = await this.requireJob(userId, jobId);
    if (await this.jobs.markCancelled(job.id)) {
      await this.producer.removeIfWaiting(job.id).catch(() => undefined);
      await this.callbacks.notify(job.callbackUrl, 'cancelled', { jobId: job.id, status: 'cancelled', progress: round1(job.progress) });
      return { success: true, message: 'render job cancelled' };
    }
    const now = await this.jobs.getStatus(job.id);
    return { success: false, message: `render job is already ${now ?? job.status}` };
  }

  async history(userId: string, limit: number): Promise<HistoryItem[]> {
    const rows = await this.jobs.history(userId, limit);
    return Promise.all(
      rows.map(async (job) => ({
        jobId: job.id,
        videoName: job.videoName,
        status: job.status === 'completed' && job.outputExpiredAt ? ('expired' as const) : job.status,
        createdAt: job.createdAt.toISOString(),
        completedAt: job.completedAt ? job.completedAt.toISOString() : null,
        downloadUrl: job.status === 'completed' && job.outputKey && !job.outputExpiredAt ? await this.downloadUrl(job) : null,
        fileSize: job.fileSize ?? null,
        duration: job.durationSec ?? null,
        error: job.status === 'failed' ? job.errorMessage : null,
        warnings: job.warnings ?? [],
      })),
    );
  }

  async requireJob(userId: string, jobId: string): Promise<RenderJobEntity> {
    const job = await this.jobs.findForUser(jobId, userId);
    if (!job) throw ApiError.notFound(jobId);
    return job;
  }

  private async downloadUrl(job: RenderJobEntity): Promise<string> {
    const name = job.videoName.replace(/\.[^.]+$/, '') || 'render';
    const { url } = await this.storage.getDownloadUrl(job.outputKey!, {
      ttlSeconds: this.config.storage.downloadUrlTtlSeconds,
      filename: `${name}-captioned.mp4`,
    });
    return url;
  }

  /**
   * Fonts and images of the scenario (issue 11): a family that cannot be loaded or characters no
   * face covers are a 400 RENDER_FONT_UNAVAILABLE naming them (FONT_FALLBACK=refuse), or the
   * job's warnings (warn); an asset outside ASSET_ORIGINS is a 400 naming the field. Web fonts
   * are fetched here (disk cache), so the worker finds them; no font file is read into memory.
   */
  private async checkFontsAndAssets(prepared: PreparedScenario): Promise<string[]> {
    try {
      const plan = await this.fonts.plan(prepared.scenario, { withBytes: false });
      const images = await this.fonts.inlineImages(prepared.scenario, { fetch: false });
      return [...plan.problems, ...images.warnings];
    } catch (err) {
      if (err instanceof FontUnavailableError) {
        throw new ApiError(HttpStatus.BAD_REQUEST, ERROR_CODES.FONT_UNAVAILABLE, err.message, err.details);
      }
      if (err instanceof AssetReferenceError) {
        throw ApiError.validation(err.message, [{ field: err.field, reason: err.message.slice(err.field.length + 2) }]);
      }
      throw err;
    }
  }

  private checkVideoUrl(userId: string, videoUrl: string): void {
    const refuse = (reason: string) => {
      throw ApiError.validation(`videoUrl: ${reason}`, [{ field: 'videoUrl', reason }]);
    };
    if (videoUrl.startsWith('storage://')) {
      let key: string | null;
      try {
        key = parseStorageUrl(videoUrl);
      } catch (err) {
        return refuse((err as Error).message);
      }
      if (!key || !key.startsWith(uploadPrefixFor(userId))) refuse('not an upload of this user (use POST /api/uploads)');
      return;
    }
    if (videoUrl.startsWith('s3://')) {
      let key = '';
      try {
        key = this.s3Sources.parse(videoUrl).key;
      } catch (err) {
        refuse((err as Error).message);
      }
      // Another user's upload, wherever it lies, is not a source (issue 12 #11).
      const owner = serviceKeyOwner(key);
      if (owner?.kind === 'upload' && owner.prefix !== uploadPrefixFor(userId)) refuse('not an upload of this user');
      return;
    }
    try {
      this.fetcher.assertUrlAllowed(videoUrl);
    } catch (err) {
      if (err instanceof FetchError || err instanceof TypeError) refuse(err.message);
      throw err;
    }
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Seconds left: from the observed rate while processing, from the estimate while queued. */
function estimateRemaining(job: RenderJobEntity): number | undefined {
  if (job.status === 'queued') return Math.round(job.estimatedSeconds ?? 60);
  if (job.status !== 'processing' || !job.startedAt) return undefined;
  const elapsed = (Date.now() - job.startedAt.getTime()) / 1000;
  if (job.progress <= 1) return Math.round(Math.max(job.estimatedSeconds ?? 60, elapsed) - elapsed) || undefined;
  return Math.max(0, Math.round((elapsed * (100 - job.progress)) / job.progress));
}
