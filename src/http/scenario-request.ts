// The scenario of an API request, checked one way wherever the API takes one (create, preflight,
// the console's prepare): its size first (413), then its preparation as a render will see it,
// plugins included — or a 400 naming every issue's field (`scenario.cues[0].root…`).
import { HttpStatus } from '@nestjs/common';
import type { PluginCatalog } from '../plugins/plugin-catalog.service.js';
import { prepareWithPluginCatalog, type PluginAwarePrepared } from '../plugins/scenario-plugins.js';
import { scenarioIssueField, ScenarioValidationError } from '../scenario/prepare-scenario.js';
import { ApiError, ERROR_CODES } from './errors/api-error.js';

/** 413 when the scenario's JSON (`bytes` long) is larger than `maxBytes` (MAX_SCENARIO_BYTES). */
export function assertScenarioSize(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new ApiError(
      HttpStatus.PAYLOAD_TOO_LARGE,
      ERROR_CODES.PAYLOAD_TOO_LARGE,
      `scenario: ${bytes} bytes, more than the ${maxBytes} allowed`,
    );
  }
}

/**
 * The API's prepare-or-throw: the scenario as a render will see it, every plugin neither the
 * plugin origin nor our bundle has named with its JSON path (manifests only, cached: no entry is
 * fetched). Issues are a 400 naming each field; plugins the origin cannot vouch for now, a 503.
 */
export async function prepareRequestScenario(scenario: unknown, catalog?: PluginCatalog): Promise<PluginAwarePrepared> {
  let checked: PluginAwarePrepared;
  try {
    checked = await prepareWithPluginCatalog(scenario, catalog);
  } catch (err) {
    if (err instanceof ScenarioValidationError) throw ApiError.validation(`scenario: ${err.message}`, err.issues.map(scenarioIssueField));
    throw err;
  }
  const { unavailable } = checked.classification;
  if (unavailable.length) {
    throw new ApiError(
      HttpStatus.SERVICE_UNAVAILABLE,
      ERROR_CODES.SERVICE_UNAVAILABLE,
      `the plugin origin is unavailable, so plugin${unavailable.length > 1 ? 's' : ''} ${unavailable.map((r) => JSON.stringify(r)).join(', ')} cannot be checked; try again shortly`,
    );
  }
  return checked;
}
