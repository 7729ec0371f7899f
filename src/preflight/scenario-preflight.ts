// What create would say about a scenario, without rendering or queueing anything: every issue
// (unknown plugins with their JSON paths, unloadable fonts, tofu), where each plugin comes from
// (plugin origin, our bundle, nowhere), the fonts and where they come from, cue count, duration
// and the render time estimate. One implementation for `POST /api/scenario/preflight` and
// `npm run render -- --preflight`.
import { fontPreflight } from '../fonts/font-preflight.js';
import type { FontResolver } from '../fonts/font-resolver.js';
import { PluginCatalog } from '../plugins/plugin-catalog.service.js';
import { limitPluginRefs, prepareCollectingPlugins, unknownIssues } from '../plugins/scenario-plugins.js';
import { scenarioIssueField } from '../scenario/prepare-scenario.js';
import { estimateRenderSeconds } from '../scenario/render-time-estimate.js';

export interface PreflightReport {
  ok: boolean;
  issues: Array<{ field: string; reason: string }>;
  sourceVersion: '2.0' | '1.3' | null;
  cues: number;
  visibleCues: number;
  durationSec: number | null;
  estimatedRenderSeconds: number;
  plugins: Array<{
    ref: string;
    source: 'origin' | 'bundled' | 'unknown' | 'unavailable';
    name?: string;
    version?: string;
    reason?: string;
    uses: number;
  }>;
  fonts: Record<string, unknown>[];
  warnings: string[];
}

export interface PreflightDeps {
  readonly fontResolver: FontResolver;
  /** The plugin catalog (PLUGIN_ORIGIN); without one, the bundled catalogue only. */
  readonly catalog?: PluginCatalog;
}

export async function preflightScenario(
  scenario: Record<string, unknown>,
  options: Record<string, unknown> | undefined,
  deps: PreflightDeps,
): Promise<PreflightReport> {
  const { prepared, error, uses } = prepareCollectingPlugins(scenario);
  const catalog = deps.catalog ?? new PluginCatalog();
  const limited = limitPluginRefs(uses);
  const classification = await catalog.classify(limited.refs);
  const issues = [...(error?.issues ?? []), ...unknownIssues(uses, classification), ...(limited.issue ? [limited.issue] : [])];
  const warnings: string[] = [];

  const counts = new Map<string, number>();
  for (const u of uses) if (classification.byRef[u.ref]) counts.set(u.ref, (counts.get(u.ref) ?? 0) + 1);
  const plugins: PreflightReport['plugins'] = [...counts].map(([ref, n]) => {
    const src = classification.byRef[ref];
    return 'reason' in src
      ? { ref, source: src.from, reason: src.reason, uses: n }
      : { ref, source: src.from, name: src.name, version: src.version, uses: n };
  });
  if (classification.unavailable.length) {
    warnings.push(
      `the plugin origin is unavailable: ${classification.unavailable.join(', ')} cannot be checked now (create answers 503 until it is back)`,
    );
  }
  if (prepared && !Number.isFinite(prepared.lastCueEnd)) warnings.push('a cue never ends: it shows until the end of the video');
  if (prepared && prepared.cueWindows.length === 0) warnings.push('no cue can paint anything');

  // Fonts and assets (src/fonts): families and where they come from; refused ones as issues.
  const fonts = prepared ? await fontPreflight(deps.fontResolver, prepared.scenario) : { fonts: [], issues: [], warnings: [] };
  warnings.push(...fonts.warnings);

  const rawCues = scenario.cues;
  return {
    ok: issues.length === 0 && fonts.issues.length === 0 && classification.unavailable.length === 0,
    issues: [...issues.map(scenarioIssueField), ...fonts.issues],
    sourceVersion: prepared?.sourceVersion ?? null,
    cues: Array.isArray(prepared?.scenario.cues)
      ? (prepared.scenario.cues as unknown[]).length
      : Array.isArray(rawCues)
        ? rawCues.length
        : 0,
    visibleCues: prepared?.cueWindows.length ?? 0,
    durationSec: prepared && Number.isFinite(prepared.lastCueEnd) ? prepared.lastCueEnd : null,
    estimatedRenderSeconds: estimateRenderSeconds({ scenario: prepared?.scenario ?? scenario, options: { ...options } }),
    plugins,
    fonts: fonts.fonts as unknown as Record<string, unknown>[],
    warnings,
  };
}

/** The report as lines for a terminal. */
export function formatPreflight(r: PreflightReport): string {
  const lines = [
    `preflight: ${r.ok ? 'OK — create would accept this scenario' : 'NOT OK — create would refuse it'}`,
    `  scenario  v${r.sourceVersion ?? '?'}, ${r.cues} cues (${r.visibleCues} can paint), ends at ${r.durationSec === null ? '—' : `${r.durationSec.toFixed(2)} s`}`,
    `  estimate  about ${Math.round(r.estimatedRenderSeconds)} s to render`,
    `  plugins   ${r.plugins.length ? '' : '(none)'}`,
    ...r.plugins.map(
      (p) =>
        `    ${p.ref.padEnd(22)} ${p.source}${p.name ? ` (${p.name}@${p.version})` : ''}${p.reason ? ` — ${p.reason}` : ''} ×${p.uses}`,
    ),
    `  fonts     ${r.fonts.length ? '' : '(none)'}`,
    ...r.fonts.map(
      (f) =>
        `    ${String(f.family).padEnd(22)} ${String(f.source)}${typeof f.face === 'string' ? ` (${f.face})` : ''}${typeof f.reason === 'string' ? ` — ${f.reason}` : ''}`,
    ),
    ...r.issues.map((i) => `  issue     ${i.field}: ${i.reason}`),
    ...r.warnings.map((w) => `  warning   ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
