// Scenario preparation that knows the plugin origin: the scenario is prepared once with a resolver
// that accepts every well-formed plugin name and notes where it was named; the catalog then says
// which of those names neither the origin nor the bundle has, and each use of one becomes an issue
// at its JSON path — reported together with the scenario's other issues, if any.
import type { OriginPlugin } from '../../libs/caption-page/src/load-options.js';
import { prepareScenario } from '../scenario/prepare.js';
import { ScenarioValidationError, type PreparedScenario, type ScenarioIssue, type ScenarioLimits } from '../scenario/types.js';
import type { PluginCatalog, PluginClassification } from './plugin-catalog.service.js';
import { parsePluginRef } from './plugin-ref.js';

export interface PluginUse {
  readonly ref: string;
  /** JSON path of the plugin's name, e.g. `$.cues[0].root.pluginChain[1].name`. */
  readonly path: string;
}

export interface PluginAwarePrepared {
  readonly prepared: PreparedScenario;
  readonly uses: readonly PluginUse[];
  readonly classification: PluginClassification;
}

/** Prepares with every well-formed plugin name accepted, and collects where each was named. */
export function prepareCollectingPlugins(
  input: unknown,
  limits?: ScenarioLimits,
): { prepared?: PreparedScenario; error?: ScenarioValidationError; uses: PluginUse[] } {
  const uses: PluginUse[] = [];
  try {
    const prepared = prepareScenario(input, limits, {
      resolvePlugin: (ref, path) => {
        const key = parsePluginRef(ref);
        if (key) uses.push({ ref, path });
        return key;
      },
    });
    return { prepared, uses };
  } catch (err) {
    if (err instanceof ScenarioValidationError) return { error: err, uses };
    throw err;
  }
}

/**
 * Distinct plugin names one scenario may use (the editor's catalogue has 18): each unknown name
 * costs a request to the plugin origin, so a scenario inventing thousands must not reach it.
 */
export const MAX_DISTINCT_PLUGINS = 64;

/** The distinct names to ask the catalog about, and an issue at the first use beyond the limit. */
export function limitPluginRefs(uses: readonly PluginUse[]): { refs: string[]; issue?: ScenarioIssue } {
  const refs: string[] = [];
  const seen = new Set<string>();
  for (const u of uses) {
    if (seen.has(u.ref)) continue;
    if (refs.length === MAX_DISTINCT_PLUGINS) {
      return {
        refs,
        issue: {
          path: u.path,
          reason: `more than ${MAX_DISTINCT_PLUGINS} distinct plugins in one scenario (${JSON.stringify(u.ref)} is one too many)`,
        },
      };
    }
    seen.add(u.ref);
    refs.push(u.ref);
  }
  return { refs };
}

export function unknownIssues(uses: readonly PluginUse[], classification: PluginClassification): ScenarioIssue[] {
  const unknown = new Set(classification.unknown);
  return uses
    .filter((u) => unknown.has(u.ref))
    .map((u) => ({
      path: u.path,
      reason: `unknown plugin ${JSON.stringify(u.ref)}: ${classification.reasons[u.ref] ?? 'neither the plugin origin nor this service has it'}`,
    }));
}

/**
 * The API's check (no entries fetched): throws ScenarioValidationError naming every use of an
 * unknown plugin (plus the scenario's other issues). Without a plugin origin it is exactly
 * prepareScenario with the bundled catalogue. Plugins the catalog cannot decide on now (origin
 * down, not bundled) are in `classification.unavailable`: the caller decides (503).
 */
export async function prepareWithPluginCatalog(
  input: unknown,
  catalog: PluginCatalog | undefined,
  limits?: ScenarioLimits,
): Promise<PluginAwarePrepared> {
  if (!catalog?.origin) {
    const prepared = prepareScenario(input, limits);
    const byRef = Object.fromEntries(
      prepared.plugins.map((p) => [`${p.name}@${p.version}`, { from: 'bundled' as const, name: p.name, version: p.version }]),
    );
    return {
      prepared,
      uses: [],
      classification: { origin: [], bundled: [...prepared.plugins], unknown: [], unavailable: [], reasons: {}, byRef },
    };
  }
  const { prepared, error, uses } = prepareCollectingPlugins(input, limits);
  const limited = limitPluginRefs(uses);
  if (limited.issue) throw new ScenarioValidationError([...(error?.issues ?? []), limited.issue]);
  const classification = await catalog.classify(limited.refs);
  const issues = [...(error?.issues ?? []), ...unknownIssues(uses, classification)];
  if (error || issues.length) throw new ScenarioValidationError(issues);
  return { prepared: prepared!, uses, classification };
}

/**
 * A render's preparation: the scenario, and its origin plugins loaded (from the disk cache, or
 * fetched). Unknown plugins are a ScenarioValidationError; the origin being down surfaces as
 * PluginOriginUnavailableError (retryable), a refused plugin as PluginRefusedError.
 */
export async function prepareForRender(
  input: unknown,
  catalog: PluginCatalog | undefined,
  signal?: AbortSignal,
): Promise<{ prepared: PreparedScenario; originPlugins: OriginPlugin[] }> {
  if (!catalog?.origin) return { prepared: prepareScenario(input), originPlugins: [] };
  const { prepared, error, uses } = prepareCollectingPlugins(input);
  if (error) throw error;
  const limited = limitPluginRefs(uses);
  if (limited.issue) throw new ScenarioValidationError([limited.issue]);
  const resolution = await catalog.resolve(limited.refs, signal);
  const issues = unknownIssues(uses, { ...resolution, origin: [], unavailable: [], reasons: {}, byRef: {} });
  if (issues.length) throw new ScenarioValidationError(issues);
  return { prepared: prepared!, originPlugins: resolution.origin };
}
