import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { RenderOptionsDto } from '../render/dto/create-render.dto.js';

export class PreflightRequestDto {
  /** The MotionText scenario, v2.0 or the editor's v1.3, exactly as it would be sent to create. */
  @IsObject()
  scenario!: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  @Type(() => RenderOptionsDto)
  options?: RenderOptionsDto;
}

export class PreflightIssue {
  /** e.g. `scenario.cues[0].root.children[0].pluginChain[0].name` */
  field!: string;
  reason!: string;
}

export class PreflightPlugin {
  /** As the scenario names it ("elastic", "cwi@1.0.0"). */
  ref!: string;
  /** origin: the plugin origin serves it; bundled: our own; unknown: neither; unavailable: the origin is down and we do not bundle it. */
  @ApiProperty({ enum: ['origin', 'bundled', 'unknown', 'unavailable'] })
  source!: 'origin' | 'bundled' | 'unknown' | 'unavailable';
  name?: string;
  version?: string;
  reason?: string;
  /** How many times the scenario names it. */
  uses!: number;
}

export class PreflightResponse {
  /** True when create would accept this scenario (its plugins included). */
  ok!: boolean;
  @ApiProperty({ type: [PreflightIssue] })
  issues!: PreflightIssue[];
  @ApiProperty({ enum: ['2.0', '1.3'], nullable: true })
  sourceVersion!: '2.0' | '1.3' | null;
  /** Cues in the scenario; `visibleCues`: those that can paint anything. */
  cues!: number;
  visibleCues!: number;
  /** End of the last cue, seconds (null when a cue never ends or the scenario is invalid). */
  @ApiProperty({ type: Number, nullable: true })
  durationSec!: number | null;
  /** Rough render time (the same estimate create answers). */
  estimatedRenderSeconds!: number;
  @ApiProperty({ type: [PreflightPlugin] })
  plugins!: PreflightPlugin[];
  /** Fonts the scenario names: {family, source: bundled|system|fetched|asset|missing, face?, note?, reason?, required} (src/fonts). */
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  fonts!: Record<string, unknown>[];
  warnings!: string[];
}
