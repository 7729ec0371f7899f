import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CreateUploadDto {
  /** The file's name, kept in the storage key (sanitised). */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  filename!: string;

  /** A video/* media type, or application/octet-stream. */
  @IsString()
  @Matches(/^(video\/[\w.+-]+|application\/octet-stream)$/, { message: 'contentType must be video/* or application/octet-stream' })
  contentType!: string;

  /** Exact size in bytes of what will be PUT. */
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  size!: number;
}

export class UploadTargetResponse {
  uploadUrl!: string;
  method!: 'PUT';
  headers?: Record<string, string>;
  /** Pass this as `videoUrl` to POST /api/render/create once the PUT succeeded. */
  videoUrl!: string;
  expiresAt!: string;
}
