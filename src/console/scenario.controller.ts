// POST /api/scenario/prepare: the scenario exactly as the service will render it (v1.3 converted
// to 2.0, spellings normalised, validated), for the console's live preview.
import { Body, Controller, HttpCode, HttpStatus, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { ApiError, ERROR_CODES } from '../http/errors/api-error.js';
import { prepareScenario, ScenarioValidationError, type PreparedScenario } from '../scenario/prepare-scenario.js';
import { PrepareScenarioDto, PreparedScenarioResponse } from './console.dto.js';

export function prepareOrThrow(scenario: unknown, maxBytes: number): PreparedScenario {
  const bytes = Buffer.byteLength(JSON.stringify(scenario));
  if (bytes > maxBytes) {
    throw new ApiError(
      HttpStatus.PAYLOAD_TOO_LARGE,
      ERROR_CODES.PAYLOAD_TOO_LARGE,
      `scenario: ${bytes} bytes, more than the ${maxBytes} allowed`,
    );
  }
  try {
    return prepareScenario(scenario);
  } catch (err) {
    if (err instanceof ScenarioValidationError) {
      throw ApiError.validation(
        `scenario: ${err.message}`,
        err.issues.map((i) => ({ field: `scenario${i.path.slice(1)}`, reason: i.reason })),
      );
    }
    throw err;
  }
}

@ApiTags('scenario')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/scenario')
export class ScenarioController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Post('prepare')
  @HttpCode(200)
  prepare(@Body() body: PrepareScenarioDto): PreparedScenarioResponse {
    const p = prepareOrThrow(body.scenario, this.config.limits.maxScenarioBytes);
    return {
      scenario: p.scenario,
      sourceVersion: p.sourceVersion,
      cueWindows: p.cueWindows.map((w) => ({ cueId: w.cueId, start: w.start, end: Number.isFinite(w.end) ? w.end : null })),
      plugins: p.plugins.map((x) => ({ name: x.name, version: x.version })),
    };
  }
}
