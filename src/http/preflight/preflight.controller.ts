// POST /api/scenario/preflight {scenario, options?}: what create would say about a scenario,
// without queueing anything — every issue (unknown plugins with their JSON paths included), where
// each plugin comes from (plugin origin, our bundle, nowhere), cue count, duration and the render
// time estimate. Answers 200 for any scenario object; `ok` tells whether create would accept it.
import { Body, Controller, HttpCode, HttpStatus, Inject, Optional, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { fontPreflight } from '../../fonts/font-preflight.js';
import { FontResolver } from '../../fonts/font-resolver.js';
import { PluginCatalog } from '../../plugins/plugin-catalog.service.js';
import { limitPluginRefs, prepareCollectingPlugins, unknownIssues } from '../../plugins/scenario-plugins.js';
import { estimateRenderSeconds } from '../../quota/job-admission.service.js';
import { JwtAuthGuard } from '../auth/jwt-auth.guard.js';
import { ApiError, ERROR_CODES } from '../errors/api-error.js';
import { PreflightRequestDto, PreflightResponse, type PreflightPlugin } from './preflight.dto.js';

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
    const bytes = Buffer.byteLength(JSON.stringify(body.scenario));
    if (bytes > this.config.limits.maxScenarioBytes) {
      throw new ApiError(HttpStatus.PAYLOAD_TOO_LARGE, ERROR_CODES.PAYLOAD_TOO_LARGE, `scenario: ${bytes} bytes, more than the ${this.config.limits.maxScenarioBytes} allowed`);
    }
    const { prepared, error, uses } = prepareCollectingPlugins(body.scenario);
    const catalog = this.catalog ?? new PluginCatalog();
    const limited = limitPluginRefs(uses);
    const classification = await catalog.classify(limited.refs);
    const issues = [...(error?.issues ?? []), ...unknownIssues(uses, classification), ...(limited.issue ? [limited.issue] : [])];
    const warnings: string[] = [];

    const counts = new Map<string, number>();
    for (const u of uses) if (classification.byRef[u.ref]) counts.set(u.ref, (counts.get(u.ref) ?? 0) + 1);
    const plugins: PreflightPlugin[] = [...counts].map(([ref, n]) => {
      const src = classification.byRef[ref];
      return 'reason' in src ? { ref, source: src.from, reason: src.reason, uses: n } : { ref, source: src.from, name: src.name, version: src.version, uses: n };
    });
    if (classification.unavailable.length) {
      warnings.push(`the plugin origin is unavailable: ${classification.unavailable.join(', ')} cannot be checked now (create answers 503 until it is back)`);
    }
    if (prepared && !Number.isFinite(prepared.lastCueEnd)) warnings.push('a cue never ends: it shows until the end of the video');
    if (prepared && prepared.cueWindows.length === 0) warnings.push('no cue can paint anything');

    // Fonts and assets (src/fonts): families and where they come from; refused ones as issues.
    const fonts = prepared ? await fontPreflight(this.fontResolver, prepared.scenario) : { fonts: [], issues: [], warnings: [] };
    warnings.push(...fonts.warnings);

    const rawCues = (body.scenario as { cues?: unknown }).cues;
    return {
      ok: issues.length === 0 && fonts.issues.length === 0 && classification.unavailable.length === 0,
      issues: [...issues.map((i) => ({ field: `scenario${i.path.slice(1)}`, reason: i.reason })), ...fonts.issues],
      sourceVersion: prepared?.sourceVersion ?? null,
      cues: Array.isArray(prepared?.scenario.cues) ? (prepared.scenario.cues as unknown[]).length : Array.isArray(rawCues) ? rawCues.length : 0,
      visibleCues: prepared?.cueWindows.length ?? 0,
      durationSec: prepared && Number.isFinite(prepared.lastCueEnd) ? prepared.lastCueEnd : null,
      estimatedRenderSeconds: estimateRenderSeconds({ videoUrl: '', scenario: prepared?.scenario ?? body.scenario, options: { ...body.options } }),
      plugins,
      fonts: fonts.fonts as unknown as Record<string, unknown>[],
      warnings,
    };
  }
}
