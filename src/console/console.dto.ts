import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsObject, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class DevTokenRequestDto {
  /** The user name the token is for (its `sub`). */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[\w.@+-]+$/, { message: 'userId may hold letters, digits and . @ + - _' })
  userId!: string;
}

export class DevTokenResponse {
  token!: string;
  userId!: string;
  expiresAt!: string;
}

export class PrepareScenarioDto {
  /** A MotionText scenario, v2.0 or the editor's v1.3. */
  @IsDefined()
  @IsObject()
  scenario!: Record<string, unknown>;
}

export class PreparedScenarioResponse {
  /** The normalised v2.0 scenario the engine renders. */
  scenario!: Record<string, unknown>;
  sourceVersion!: string;
  /** One window per cue (seconds; end null = until the video ends). */
  // Explicit schemas: an inline array-of-object type made Swagger fail at boot ("circular dependency").
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: { cueId: { type: 'string' }, start: { type: 'number' }, end: { type: 'number', nullable: true } },
    },
  })
  cueWindows!: Array<{ cueId: string; start: number; end: number | null }>;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } } })
  plugins!: Array<{ name: string; version: string }>;
}
