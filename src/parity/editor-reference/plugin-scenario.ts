// A one-plugin scenario as the ECG editor writes it, for comparing one plugin's renders
// (npm run plugin-parity). Layout, tracks and defines are those of the editor's v2.0 preview
// (scenarios/editor-generated/*.preview-v20.json): one caption cue, a flow group of word nodes
// with `baseTime`. The plugin is put on every word the way the editor's word-animation actions
// do (*.cwi.preview-v20.json): `params` = the manifest's schema defaults, `timeOffset` = the
// manifest's, written in seconds ("-10%" of a 0.6 s word → -0.06); a bare name for @2.0.0 and
// "name@version" otherwise (as the editor's exports name @1.0.0 plugins).

export interface PluginManifestLike {
  version?: unknown;
  timeOffset?: unknown;
  schema?: Record<string, { default?: unknown } | undefined>;
}

export interface PluginScenario {
  scenario: Record<string, unknown>;
  /** The plugin reference written in the pluginChain. */
  ref: string;
  /** Earliest start and latest end of the plugin windows (seconds). */
  window: [number, number];
  /** The cue's lifetime (seconds). */
  cue: [number, number];
}

/** Words of the line: Korean and Latin, [text, start, end] in seconds. */
export const PLUGIN_SCENARIO_WORDS: ReadonlyArray<readonly [string, number, number]> = [
  ['안녕하세요', 0.6, 1.4],
  ['Hello', 1.4, 2.0],
  ['자막', 2.0, 2.6],
  ['world!', 2.6, 3.4],
];
const CUE: [number, number] = [0.2, 4.4];
const PALETTE = { SPEAKER_00: '#e62e2e', SPEAKER_01: '#e68a2e' };

/** Parameters the editor's actions add on top of the defaults (the cwi family needs a speaker). */
function presetParams(name: string): Record<string, unknown> {
  if (name === 'cwi') return { kind: 'color', speaker: 'SPEAKER_00', palette: PALETTE };
  if (name.startsWith('cwi-')) return { speaker: 'SPEAKER_00', palette: PALETTE };
  return {};
}

/** `name[@version]` → {name, version}; a bare name is @2.0.0 (the editor's rule). */
export function parsePluginRef(ref: string): { name: string; version: string } {
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : { name: ref, version: '2.0.0' };
}

function offsetSeconds(v: unknown, duration: number): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    const n = parseFloat(s);
    if (!Number.isFinite(n)) return undefined;
    return s.endsWith('%') ? (n / 100) * duration : n;
  }
  return undefined;
}

export function buildPluginScenario(
  ref: string,
  manifest: PluginManifestLike,
  o: { params?: Record<string, unknown>; versionedName?: boolean } = {},
): PluginScenario {
  const { name, version } = parsePluginRef(ref);
  const written = version === '2.0.0' && !o.versionedName ? name : `${name}@${version}`;
  const defaults: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(manifest.schema ?? {})) {
    if (spec && 'default' in spec && spec.default !== undefined) defaults[k] = spec.default;
  }
  const params = { ...defaults, ...presetParams(name), ...(o.params ?? {}) };
  const to = Array.isArray(manifest.timeOffset) && manifest.timeOffset.length === 2 ? manifest.timeOffset : null;
  let w0 = Infinity;
  let w1 = -Infinity;
  const children = PLUGIN_SCENARIO_WORDS.map(([text, s, e], i) => {
    const d = e - s;
    const off = to ? [offsetSeconds(to[0], d) ?? 0, offsetSeconds(to[1], d) ?? 0] : null;
    w0 = Math.min(w0, s + (off ? off[0] : 0));
    w1 = Math.max(w1, e + (off ? off[1] : 0));
    const spec: Record<string, unknown> = { name: written, params: JSON.parse(JSON.stringify(params)) as Record<string, unknown> };
    if (off) spec.timeOffset = off;
    return { id: `word-0-${i}`, eType: 'text', text, baseTime: [s, e], pluginChain: [spec], style: { opacity: 1 } };
  });
  const scenario = {
    version: '2.0',
    pluginApiVersion: '3.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    define: {
      caption: {
        position: { x: 0.5, y: 0.925 },
        layout: { anchor: 'bc', safeAreaClamp: true },
        childrenLayout: {
          mode: 'flow',
          direction: 'horizontal',
          wrap: true,
          maxWidth: '90%',
          gap: 0.005,
          align: 'center',
          justify: 'center',
        },
      },
      speakerPalette: { 화자1: '#e62e2e' },
    },
    tracks: [
      {
        id: 'caption',
        type: 'subtitle',
        layer: 1,
        defaultStyle: { fontSizeRel: 0.05, fontFamily: 'Arial, sans-serif', color: '#ffffff', align: 'center' },
        defaultBoxStyle: { backgroundColor: 'rgba(0, 0, 0, 0.6)', padding: '4px 8px', borderRadius: '4px', opacity: 1 },
        defaultConstraints: { safeArea: { top: 0.025, bottom: 0.075, left: 0.05, right: 0.05 } },
      },
      { id: 'overlay', type: 'free', layer: 2, defaultStyle: { fontSizeRel: 0.06, fontFamily: 'Arial, sans-serif', color: '#ffffff' } },
    ],
    cues: [
      {
        id: 'cue-clip-0',
        track: 'caption',
        domLifetime: [...CUE],
        root: {
          id: 'clip-clip-0',
          eType: 'group',
          displayTime: [...CUE],
          layout: {
            anchor: 'define.caption.layout.anchor',
            position: 'define.caption.position',
            safeAreaClamp: 'define.caption.layout.safeAreaClamp',
            childrenLayout: 'define.caption.childrenLayout',
          },
          children,
        },
      },
    ],
  };
  return { scenario, ref: written, window: [Math.max(CUE[0], w0), Math.min(CUE[1], w1)], cue: [...CUE] };
}

/**
 * Frame indices to compare: `n` spread evenly over the plugin's window, then `after` frames
 * between its end and the cue's end (end states kept). Unique, ascending.
 */
export function pluginFrames(ps: PluginScenario, fps: number, n: number, after = 3): number[] {
  const [w0, w1] = ps.window;
  const first = Math.ceil(w0 * fps + 1e-9);
  const last = Math.floor(w1 * fps - 1e-9);
  const out = new Set<number>();
  for (let k = 0; k < n; k++) out.add(n === 1 ? first : Math.round(first + ((last - first) * k) / (n - 1)));
  const endLast = Math.floor(ps.cue[1] * fps - 1e-9);
  for (let k = 1; k <= after; k++) {
    const i = Math.round(last + ((endLast - last) * k) / (after + 1));
    if (i > last && i <= endLast) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}
