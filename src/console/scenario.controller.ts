// POST /api/scenario/prepare: the scenario exactly as the service will render it (v1.3 converted
// to 2.0, spellings normalised, validated), for the console's live preview.
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { assertScenarioSize, prepareRequestScenario } from '../http/scenario-request.js';
import { PrepareScenarioDto, PreparedScenarioResponse } from './console.dto.js';

@ApiTags('scenario')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/scenario')
export class ScenarioController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Post('prepare')
  @HttpCode(200)
  async prepare(@Body() body: PrepareScenarioDto): Promise<PreparedScenarioResponse> {
    assertScenarioSize(Buffer.byteLength(JSON.stringify(body.scenario)), this.config.limits.maxScenarioBytes);
    // The bundled plugin catalogue only: the preview does not reach the plugin origin.
    const { prepared: p } = await prepareRequestScenario(body.scenario);
    return {
      scenario: p.scenario,
      sourceVersion: p.sourceVersion,
      cueWindows: p.cueWindows.map((w) => ({ cueId: w.cueId, start: w.start, end: Number.isFinite(w.end) ? w.end : null })),
      plugins: p.plugins.map((x) => ({ name: x.name, version: x.version })),
    };
  }
}
