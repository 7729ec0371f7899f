// POST /api/scenario/preflight {scenario, options?}: what create would say about a scenario,
// without queueing anything (src/preflight/scenario-preflight.ts, shared with the command line).
// Answers 200 for any scenario object; `ok` tells whether create would accept it.
import { Body, Controller, HttpCode, Inject, Optional, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { FontResolver } from '../../fonts/font-resolver.js';
import { PluginCatalog } from '../../plugins/plugin-catalog.service.js';
import { preflightScenario } from '../../preflight/scenario-preflight.js';
import { JwtAuthGuard } from '../../auth/jwt-auth.guard.js';
import { assertScenarioSize } from '../scenario-request.js';
import { PreflightRequestDto, PreflightResponse } from './preflight.dto.js';

@ApiTags('scenario')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/scenario')
export class PreflightController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fontResolver: FontResolver,
    @Optional() private readonly catalog?: PluginCatalog,
  ) {}

  @Post('preflight')
  @HttpCode(200)
  async preflight(@Body() body: PreflightRequestDto): Promise<PreflightResponse> {
    assertScenarioSize(Buffer.byteLength(JSON.stringify(body.scenario)), this.config.limits.maxScenarioBytes);
    const report = await preflightScenario(body.scenario, body.options as Record<string, unknown> | undefined, {
      fontResolver: this.fontResolver,
      catalog: this.catalog,
    });
    return report;
  }
}
