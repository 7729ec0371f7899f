import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, IsUrl, MaxLength, ValidateNested } from 'class-validator';
import { IsRenderOption } from './render-option.decorator.js';

/** Output options, in the ranges the ECG editor uses (src/render/render-limits.ts). */
export class RenderOptionsDto {
  /** Output width in pixels (even); defaults to the source's. */
  @IsOptional()
  @IsRenderOption('width')
  width?: number;

  /** Output height in pixels (even); defaults to the source's. */
  @IsOptional()
  @IsRenderOption('height')
  height?: number;

  /** Output frame rate; defaults to the source's. */
  @IsOptional()
  @IsRenderOption('fps')
  fps?: number;

  /** 10 (smallest file) to 100 (best); 80 by default. */
  @IsOptional()
  @IsRenderOption('quality')
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
