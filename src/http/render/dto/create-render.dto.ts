import { Type } from 'class-transformer';
import { IsDivisibleBy, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** Output options, in the ranges the ECG editor uses. */
export class RenderOptionsDto {
  /** Output width in pixels (even). */
  @IsOptional()
  @IsInt()
  @Min(480)
  @Max(3840)
  @IsDivisibleBy(2, { message: 'width must be even' })
  width?: number;

  /** Output height in pixels (even). */
  @IsOptional()
  @IsInt()
  @Min(360)
  @Max(2160)
  @IsDivisibleBy(2, { message: 'height must be even' })
  height?: number;

  /** Output frame rate; defaults to the source's. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60)
  fps?: number;

  /** 10 (smallest file) to 100 (best); 80 by default. */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(100)
  quality?: number;

  /** Container; only mp4 is produced. */
  @IsOptional()
  @IsIn(['mp4'])
  format?: 'mp4';
}

export class CreateRenderDto {
  /** The source video: an https URL, an s3:// URL of a configured bucket, or a videoUrl from POST /api/uploads. */
  @IsString()
  @MaxLength(4096)
  videoUrl!: string;

  /** The MotionText scenario, v2.0 or the editor's v1.3. */
  @IsObject()
  scenario!: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => RenderOptionsDto)
  options?: RenderOptionsDto;

  /** Receives signed POSTs (Standard Webhooks) on progress milestones and the final state. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  callbackUrl?: string;
}
