// Public types of the scenario module: what callers get back from prepareScenario, and the
// error it throws. Pure data, no Nest.

export interface ScenarioLimits {
  /** Most cues a scenario may hold. Default 5000. */
  readonly maxCues?: number;
  /** Most nodes (cue roots and all their descendants) across all cues. Default 50000. */
  readonly maxNodes?: number;
  /** Deepest node nesting; a cue's root is depth 1. Default 32. */
  readonly maxDepth?: number;
  /** Longest text of one text node, in UTF-16 code units. Default 2000. */
  readonly maxTextLength?: number;
}

export const DEFAULT_SCENARIO_LIMITS: Required<ScenarioLimits> = Object.freeze({
  maxCues: 5000,
  maxNodes: 50000,
  maxDepth: 32,
  maxTextLength: 2000,
});

export interface PrepareOptions {
  /**
   * When true, a plugin's window (its base time moved by timeOffset) widens the node's
   * visibility window even where it reaches beyond the node's displayTime. The engine
   * (motiontext-renderer 1.5.0) never paints a node outside its displayTime — plugins are
   * evaluated only on mounted nodes — so the default (false) is already conservative; this
   * switch exists for a future engine or page that keeps nodes mounted for plugins.
   */
  readonly pluginWindowsExtendVisibility?: boolean;
  /**
   * Decides which plugin names are known: "name" or "name@version" (and the JSON path of the
   * name, for callers that collect them) → the plugin, or null to report it unknown. Default: the
   * bundled catalogue (resolveBundledPlugin). The API collects names with an accepting resolver,
   * asks the plugin catalog (origin + bundle) about them, and reports the unknown ones itself.
   */
  readonly resolvePlugin?: PluginResolver;
}

export type PluginResolver = (ref: string, path: string) => ResolvedPlugin | null;

export interface ScenarioIssue {
  /** JSON path into the submitted scenario, e.g. `$.cues[3].root.children[0].displayTime`. */
  readonly path: string;
  readonly reason: string;
}

/** An issue as a request body names it (API 400s, preflight): `$.cues[0]…` is `scenario.cues[0]…`. */
export function scenarioIssueField(issue: ScenarioIssue): { field: string; reason: string } {
  return { field: `scenario${issue.path.slice(1)}`, reason: issue.reason };
}

export interface CueWindow {
  readonly cueId: string;
  /** Seconds, >= 0. */
  readonly start: number;
  /** Seconds, inclusive. May be Infinity for a cue the engine shows until the end. */
  readonly end: number;
}

export interface TimeInterval {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

export interface ResolvedPlugin {
  readonly name: string;
  readonly version: string;
}

export type ScenarioSourceVersion = '1.3' | '2.0';

export interface PreparedScenario {
  /** Normalised MotionText v2.0 scenario, a fresh deep copy safe to serialise and hand to the engine. */
  readonly scenario: Record<string, unknown>;
  readonly sourceVersion: ScenarioSourceVersion;
  /** One window per cue that can paint anything: the hull of its visible nodes' windows. */
  readonly cueWindows: readonly CueWindow[];
  /** Sorted, merged union of cueWindows. */
  readonly activeIntervals: readonly TimeInterval[];
  /** Latest end of any cue window (Infinity when a cue never ends). */
  readonly lastCueEnd: number;
  /** Distinct bundled plugins the scenario uses, as resolved by the plugin manifest. */
  readonly plugins: readonly ResolvedPlugin[];
}

export const MAX_REPORTED_ISSUES = 50;

export class ScenarioValidationError extends Error {
  readonly issues: ScenarioIssue[];

  constructor(issues: ScenarioIssue[], truncated = false) {
    const first = issues[0] ?? { path: '$', reason: 'invalid scenario' };
    const more = issues.length > 1 ? ` (and ${issues.length - 1}${truncated ? '+' : ''} more)` : '';
    super(`Invalid scenario at ${first.path}: ${first.reason}${more}`);
    this.name = 'ScenarioValidationError';
    this.issues = issues;
  }
}
