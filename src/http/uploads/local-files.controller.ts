// The local storage driver's signed URLs: GET /api/files/<key> downloads a result, PUT
// /api/uploads/<key> receives a source video. No JWT: the URL's signature and expiry are the
// authorisation (as with presigned S3 URLs). Only mounted with STORAGE_DRIVER=local.
import { Controller, Get, Head, HttpStatus, Inject, Put, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { FetchTooLargeError } from '../../net/errors.js';
import { FileExistsError } from '../../storage/file-utils.js';
import { LocalStorageDriver } from '../../storage/local-storage.driver.js';
import { RateLimitGuard } from '../../security/rate-limit.js';
import { LOCAL_FILES_PATH, LOCAL_UPLOADS_PATH, verifySignedRequest, type VerifyResult } from '../../storage/signed-url.js';
import { contentDisposition } from '../../storage/storage-driver.js';
import { ApiError, ERROR_CODES } from '../errors/api-error.js';

@ApiExcludeController()
@Controller()
export class LocalFilesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly local: LocalStorageDriver,
  ) {}

  @Get('api/files/*key')
  @Head('api/files/*key')
  download(@Req() req: Request, @Res() res: Response): void {
    const ok = this.verify(req, LOCAL_FILES_PATH);
    const path = this.local.pathFor(ok.key);
    res.sendFile(
      path,
      {
        headers: {
          'Content-Type': 'video/mp4',
          'Cache-Control': 'private, no-store',
          ...(ok.filename ? { 'Content-Disposition': contentDisposition(ok.filename) } : {}),
        },
        dotfiles: 'deny',
      },
      (err) => {
        if (err && !res.headersSent) {
          const notFound = (err as NodeJS.ErrnoException).code === 'ENOENT';
          res.status(notFound ? 404 : 500).json({
            detail: {
              error: notFound ? 'Not Found' : 'Internal Server Error',
              message: notFound ? 'file not found' : 'could not read the file',
              code: notFound ? ERROR_CODES.NOT_FOUND : ERROR_CODES.INTERNAL,
            },
          });
        }
      },
    );
  }

  /**
   * Single use: once a complete file exists under the key, another PUT is refused (409), so a
   * finished job's source cannot be swapped afterwards. The signed content type must be the
   * request's (415), and a body beyond the signed size is a 413, chunked or not.
   */
  @Put('api/uploads/*key')
  @UseGuards(RateLimitGuard)
  async upload(@Req() req: Request): Promise<{ key: string; size: number }> {
    const ok = this.verify(req, LOCAL_UPLOADS_PATH);
    if (ok.contentType !== undefined) {
      const given = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      if (given !== ok.contentType.toLowerCase()) {
        const reason = `must be ${ok.contentType}, the type this upload URL was issued for`;
        throw new ApiError(
          HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          ERROR_CODES.VALIDATION_FAILED,
          `Content-Type ${given || '(none)'}: ${reason}`,
          [{ field: 'Content-Type', reason }],
        );
      }
    }
    const declared = Number(req.headers['content-length']);
    if (ok.size !== undefined && Number.isFinite(declared) && declared !== ok.size) {
      throw ApiError.validation(`Content-Length ${declared} differs from the size this upload URL was issued for (${ok.size})`);
    }
    if (await this.local.exists(ok.key)) throw uploadUsed();
    const maxBytes = ok.size ?? this.config.limits.maxVideoBytes;
    let stored: { key: string; size: number };
    try {
      stored = await this.local.putStream(ok.key, req, { maxBytes, exclusive: true });
    } catch (err) {
      if (err instanceof FileExistsError) throw uploadUsed();
      if (err instanceof FetchTooLargeError) {
        throw new ApiError(
          HttpStatus.PAYLOAD_TOO_LARGE,
          ERROR_CODES.PAYLOAD_TOO_LARGE,
          `the body is larger than the ${maxBytes} bytes this upload URL was issued for`,
        );
      }
      throw err;
    }
    const { key, size } = stored;
    if (ok.size !== undefined && size !== ok.size) {
      await this.local.delete(key).catch(() => undefined);
      throw ApiError.validation(`received ${size} bytes, expected ${ok.size}`);
    }
    return { key, size };
  }

  private verify(req: Request, prefix: string): Extract<VerifyResult, { ok: true }> {
    const at = req.path.indexOf(prefix);
    let key = '';
    try {
      key = req.path
        .slice(at + prefix.length)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
    } catch {
      /* malformed escapes: refused below as an invalid key */
    }
    const result = verifySignedRequest(this.config.storage.urlSigningSecret, {
      method: req.method,
      key,
      query: req.query as Record<string, string | string[] | undefined>,
    });
    if (!result.ok) {
      const message = result.reason === 'expired' ? 'this link has expired; request a fresh one' : `invalid signed URL (${result.reason})`;
      throw new ApiError(HttpStatus.FORBIDDEN, ERROR_CODES.FORBIDDEN, message);
    }
    return result;
  }
}

function uploadUsed(): ApiError {
  return new ApiError(
    HttpStatus.CONFLICT,
    ERROR_CODES.VALIDATION_FAILED,
    'this upload URL was already used: a file exists; request a new upload URL',
  );
}
