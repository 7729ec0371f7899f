// prepareScenario: untrusted JSON value in, a normalised MotionText v2.0 scenario and its
// visibility windows out — or a ScenarioValidationError listing JSON-path-located issues.
// Pure and synchronous.

import { FatalScenarioIssue, prescan, resolveDefinesAndCopy } from './defines.js';
import { IssueCapReached, IssueCollector, describe, isPlainObject } from './issues.js';
import { normalizeScenario } from './normalize.js';
import {
  DEFAULT_SCENARIO_LIMITS,
  PrepareOptions,
  PreparedScenario,
  ResolvedPlugin,
  ScenarioLimits,
  ScenarioSourceVersion,
  ScenarioValidationError,
} from './types.js';
import { validateScenario } from './validate.js';
import { computeCueWindows, mergeIntervals } from './windows.js';

/** Accepted spellings of the version field. */
function detectVersion(v: unknown): ScenarioSourceVersion | null {
  if (v === '2.0' || v === '2' || v === 2) return '2.0';
  if (v === '1.3' || v === 1.3) return '1.3';
  return null;
}

function resolveLimits(limits?: ScenarioLimits): Required<ScenarioLimits> {
  const out = { ...DEFAULT_SCENARIO_LIMITS };
  for (const k of Object.keys(out) as (keyof ScenarioLimits)[]) {
    const v = limits?.[k];
    if (v !== undefined) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`ScenarioLimits.${k} must be a positive integer`);
      out[k] = v;
    }
  }
  return out;
}

export function prepareScenario(input: unknown, limits?: ScenarioLimits, options?: PrepareOptions): PreparedScenario {
  const lim = resolveLimits(limits);
  const issues = new IssueCollector();
  try {
    return prepare(input, lim, options ?? {}, issues);
  } catch (err) {
    if (err instanceof IssueCapReached || err instanceof FatalScenarioIssue) {
      throw new ScenarioValidationError(issues.issues, issues.truncated);
    }
    throw err;
  }
}

function prepare(input: unknown, lim: Required<ScenarioLimits>, options: PrepareOptions, issues: IssueCollector): PreparedScenario {
  const fail = (): never => {
    throw new ScenarioValidationError(issues.issues, issues.truncated);
  };
  if (!isPlainObject(input)) {
    issues.add('$', `scenario must be a JSON object, got ${describe(input)}`);
    fail();
  }
  const raw = input as Record<string, unknown>;
  const sourceVersion = detectVersion(raw.version);
  if (!sourceVersion) {
    issues.add('$.version', `unsupported scenario version ${describe(raw.version)}: expected "2.0" or "1.3"`);
    fail();
  }
  // Cheap limits first, before anything walks the whole input.
  if (Array.isArray(raw.cues) && raw.cues.length > lim.maxCues) {
    issues.add('$.cues', `too many cues: ${raw.cues.length} (at most ${lim.maxCues})`);
    fail();
  }
  // Node nesting costs two JSON levels per level (node → children → node), plus the frame
  // around it ($.cues[i].root) and inside nodes (pluginChain[j].params.…).
  const bounds = { maxJsonDepth: 2 * lim.maxDepth + 24, maxValues: Math.max(1_000_000, lim.maxNodes * 20) };
  const inputValues = prescan(raw, bounds, issues);
  if (issues.size > 0) fail();

  // Copy + resolve "define." references exactly where the engine would resolve them (anywhere).
  // Expansion may at most quadruple the input (a define "bomb" stops at that budget).
  const defines = isPlainObject(raw.define) ? raw.define : {};
  const expandBounds = { ...bounds, maxValues: Math.min(bounds.maxValues, Math.max(200_000, inputValues * 4)) };
  const scenario = resolveDefinesAndCopy(raw, defines, expandBounds, issues);
  if (issues.size > 0) fail();

  const nctx = { issues, fromV13: sourceVersion === '1.3', maxNodes: lim.maxNodes, maxDepth: lim.maxDepth, nodeCount: 0 };
  normalizeScenario(scenario, nctx);

  const plugins = new Map<string, ResolvedPlugin>();
  validateScenario(scenario, { issues, maxTextLength: lim.maxTextLength, plugins, resolvePlugin: options.resolvePlugin });
  if (issues.size > 0) fail();

  const { cueWindows, mountsContent } = computeCueWindows(scenario, lim.maxDepth, options.pluginWindowsExtendVisibility === true);
  if (!mountsContent) {
    issues.add(
      '$.cues',
      'the scenario mounts nothing: no cue has a text, image or video node with content and a time window at or after 0 s ' +
        '(node types must be spelled eType: "text" | "image" | "video" | "group", and times displayTime / domLifetime)',
    );
    fail();
  }
  const activeIntervals = mergeIntervals(cueWindows);
  const lastCueEnd = cueWindows.reduce((m, w) => Math.max(m, w.end), 0);
  return {
    scenario,
    sourceVersion: sourceVersion!,
    cueWindows,
    activeIntervals,
    lastCueEnd,
    plugins: [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version)),
  };
}
