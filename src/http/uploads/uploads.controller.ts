import { Body, Controller, HttpStatus, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { STORAGE_DRIVER, type StorageDriver } from '../../storage/storage-driver.js';
import { CurrentUser, JwtAuthGuard } from '../../auth/jwt-auth.guard.js';
import type { AuthenticatedUser } from '../../auth/token-verifier.js';
import { ApiError, ERROR_CODES } from '../errors/api-error.js';
import { newUploadKey } from '../../storage/keys.js';
import { RateLimitGuard } from '../../security/rate-limit.js';
import { UploadGrantsRepository, UploadQuotaExceededError } from '../../security/upload-grants.repository.js';
import { CreateUploadDto, UploadTargetResponse } from './create-upload.dto.js';

const UPLOAD_URL_TTL_SECONDS = 3600;

@ApiTags('uploads')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/uploads')
export class UploadsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly grants: UploadGrantsRepository,
  ) {}

  /** A short-lived URL to PUT a source video to (presigned S3, or a signed URL of this API). */
  @Post()
  @UseGuards(RateLimitGuard)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateUploadDto): Promise<UploadTargetResponse> {
    if (body.size > this.config.limits.maxVideoBytes) {
      throw new ApiError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        ERROR_CODES.PAYLOAD_TOO_LARGE,
        `size: ${body.size} bytes, more than the ${this.config.limits.maxVideoBytes} allowed`,
        [{ field: 'size', reason: 'too large' }],
      );
    }
    const key = newUploadKey(user.userId, body.filename);
    // Per-user byte quota over the upload retention window (issue 12 #5).
    try {
      await this.grants.grant(user.userId, key, body.size, {
        limitBytes: this.config.security.uploadQuotaBytes,
        windowHours: this.config.security.uploadRetentionHours,
      });
    } catch (err) {
      if (!(err instanceof UploadQuotaExceededError)) throw err;
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        ERROR_CODES.QUOTA_UPLOAD,
        `size: ${err.usedBytes} bytes already granted in the last ${this.config.security.uploadRetentionHours} h; ${body.size} more would pass the ${err.limitBytes}-byte upload quota`,
        [{ field: 'size', reason: 'upload quota exceeded' }],
      );
    }
    const target = await this.storage.createUploadTarget(key, {
      contentType: body.contentType,
      size: body.size,
      ttlSeconds: UPLOAD_URL_TTL_SECONDS,
    });
    return {
      uploadUrl: target.uploadUrl,
      method: 'PUT',
      headers: target.headers,
      videoUrl: `storage://${key}`,
      expiresAt: target.expiresAt.toISOString(),
    };
  }
}
