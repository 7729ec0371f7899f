// Brings a scenario (1.3 or 2.0, already define-resolved and copied) to the v2.0 spelling that
// motiontext-renderer 1.5.0 really reads. Every rename here was checked against the engine's
// dist/index.js: it reads camelCase only (eType, displayTime, baseTime, domLifetime, timeOffset,
// pluginChain, style.align, layout.position.{x,y}, …) and silently ignores anything else.
//
// v1.3 → v2.0 (editor export; semantics of the engine repository's FieldMigration /
// V13ToV20Migrator and scenario spec v1.3, with their known defects fixed — see README notes in
// the report and the comments below):
//   node.e_type | node.type        → node.eType
//   node.content                    → node.text
//   node.absStart/absEnd            → node.displayTime [absStart ?? 0, absEnd ?? start + 1]
//   node.plugin (single spec)       → first entry of node.pluginChain
//   video node.mute                 → muted
//   cue.hintTime (n | {start,end})  → cue.domLifetime = hull(hint, every displayTime in the cue)
//                                     (the migrator's fixed [h, h+5] could cut captions short)
//   plugin relStart/relEnd (s), t0/t1 → timeOffset [s, e] in seconds, clamped to the element as
//                                     the 1.3 runtime did (start in [0, D], end in [-D, 0])
//   plugin relStartPct/relEndPct    → timeOffset ["p0%", "-(1-p1)%"]: fractions of the element
//                                     (0..1; values above 1 are read as percent) measured from its
//                                     start. The engine adds an end percentage to the END, so
//                                     "first 25 %" is ["0%", "-75%"].
//   missing cue / node ids          → generated (the engine requires unique ids)
//   group layout, palette references → v13/ (groups mounted and laid out as the editor meant;
//                                     also v2.0 groups the engine would never mount)

import { IssueCollector, describe, indexPath, isPlainObject, keyPath } from './issues.js';
import { FatalScenarioIssue } from './defines.js';
import { convertLayout } from './v13/convert-v13.js';

type Obj = Record<string, unknown>;

export const NODE_TYPES = new Set(['group', 'text', 'image', 'video']);

export interface NormalizeContext {
  readonly issues: IssueCollector;
  readonly fromV13: boolean;
  readonly maxNodes: number;
  readonly maxDepth: number;
  nodeCount: number;
}

/** Renames `from` to `to` on obj when present; both present with different values is an issue. */
function rename(obj: Obj, from: string, to: string, path: string, ctx: NormalizeContext): void {
  if (!Object.hasOwn(obj, from)) return;
  const v = obj[from];
  delete obj[from];
  if (Object.hasOwn(obj, to) && obj[to] !== undefined) {
    if (JSON.stringify(obj[to]) !== JSON.stringify(v)) {
      ctx.issues.add(keyPath(path, from), `conflicts with "${to}" given with a different value (they mean the same field)`);
    }
    return;
  }
  obj[to] = v;
}

const STYLE_KEYS = [
  'fontFamily',
  'fontWeight',
  'fontSize',
  'fontSizeRel',
  'lineHeight',
  'color',
  'textShadow',
  'whiteSpace',
  'boxBg',
  'backgroundColor',
  'borderRadius',
  'widthRel',
  'radiusRel',
  'boxPaddingRel',
];
const LAYOUT_KEYS = [
  'safeAreaClamp',
  'transformOrigin',
  'childrenLayout',
  'gapRel',
  'zIndex',
  'keepUpright',
  'maxWidth',
  'minWidth',
  'maxHeight',
  'minHeight',
  'xDeg',
  'yDeg',
];
const snake = (camel: string): string => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function normalizeStyle(style: unknown, path: string, ctx: NormalizeContext): void {
  if (!isPlainObject(style)) return;
  for (const k of STYLE_KEYS) rename(style, snake(k), k, path, ctx);
  // The engine applies style.align; CSS's textAlign spelling is ignored.
  rename(style, 'text_align', 'align', path, ctx);
  rename(style, 'textAlign', 'align', path, ctx);
  if (isPlainObject(style.stroke)) for (const k of STYLE_KEYS) rename(style.stroke, snake(k), k, keyPath(path, 'stroke'), ctx);
  if (isPlainObject(style.border)) for (const k of STYLE_KEYS) rename(style.border, snake(k), k, keyPath(path, 'border'), ctx);
}

function pairToXY(v: unknown, a: string, b: string): unknown {
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number')) return { [a]: v[0], [b]: v[1] };
  return v;
}

function normalizeLayout(layout: unknown, path: string, ctx: NormalizeContext): void {
  if (!isPlainObject(layout)) return;
  for (const k of LAYOUT_KEYS) rename(layout, snake(k), k, path, ctx);
  // The engine destructures {x, y} / {width, height}: a [x, y] pair would be ignored silently.
  if ('position' in layout) layout.position = pairToXY(layout.position, 'x', 'y');
  if ('size' in layout) layout.size = pairToXY(layout.size, 'width', 'height');
  if (isPlainObject(layout.override)) normalizeLayout(layout.override, keyPath(path, 'override'), ctx);
}

const pct = (fraction: number): string => {
  const v = Math.round(fraction * 1e6) / 1e4;
  return `${Object.is(v, -0) ? 0 : v}%`;
};
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** v1.3 plugin window fields → timeOffset (only when the plugin has no timeOffset of its own). */
function convertLegacyPluginWindow(plugin: Obj, node: Obj): void {
  const hasSec = ['relStart', 'relEnd', 't0', 't1'].some((k) => Object.hasOwn(plugin, k));
  const hasPct = ['relStartPct', 'relEndPct'].some((k) => Object.hasOwn(plugin, k));
  const take = (...keys: string[]): unknown => {
    let found: unknown;
    for (const k of keys) {
      if (Object.hasOwn(plugin, k)) {
        if (found === undefined) found = plugin[k];
        delete plugin[k];
      }
    }
    return found;
  };
  const s = take('relStart', 't0');
  const e = take('relEnd', 't1');
  const ps = take('relStartPct');
  const pe = take('relEndPct');
  if (plugin.timeOffset !== undefined || (!hasSec && !hasPct)) return;
  const dt = node.displayTime;
  const dur = Array.isArray(dt) && finite(dt[0]) && finite(dt[1]) ? Math.max(0, dt[1] - dt[0]) : undefined;
  if (hasSec && (s !== undefined || e !== undefined)) {
    const s0 = finite(s) ? s : 0;
    const e0 = finite(e) ? e : 0;
    if (dur === undefined) {
      plugin.timeOffset = [s0, e0];
    } else {
      const start = clamp(s0, 0, dur);
      const end = Math.max(clamp(e0, -dur, 0), start - dur); // keeps start <= end after clamping
      plugin.timeOffset = [start, end];
    }
    return;
  }
  const frac = (v: unknown, dflt: number): number => {
    if (!finite(v)) return dflt;
    return clamp(v > 1 ? v / 100 : v, 0, 1);
  };
  const p0 = frac(ps, 0);
  const p1 = Math.max(p0, frac(pe, 1));
  plugin.timeOffset = [pct(p0), pct(p1 - 1)];
}

function normalizePlugin(p: unknown, node: Obj, path: string, ctx: NormalizeContext): unknown {
  if (typeof p === 'string') return { name: p }; // the engine reads plugin.name only
  if (!isPlainObject(p)) return p;
  rename(p, 'time_offset', 'timeOffset', path, ctx);
  rename(p, 'base_time', 'baseTime', path, ctx);
  rename(p, 'dom_scope', 'domScope', path, ctx);
  convertLegacyPluginWindow(p, node);
  return p;
}

function normalizeNode(node: unknown, path: string, depth: number, ctx: NormalizeContext): void {
  if (!isPlainObject(node)) return;
  if (depth > ctx.maxDepth) {
    ctx.issues.add(path, `nodes nested too deeply (more than ${ctx.maxDepth} levels)`);
    throw new FatalScenarioIssue();
  }
  if (++ctx.nodeCount > ctx.maxNodes) {
    ctx.issues.add(path, `too many nodes (more than ${ctx.maxNodes})`);
    throw new FatalScenarioIssue();
  }
  rename(node, 'e_type', 'eType', path, ctx);
  // `type` is the 1.3 editor's node type (and appears in some 2.0 samples); v2.0 nodes have no
  // other field of that name.
  if (node.eType === undefined && typeof node.type === 'string' && NODE_TYPES.has(node.type)) {
    node.eType = node.type;
    delete node.type;
  } else if (node.type !== undefined && node.type === node.eType) {
    delete node.type;
  }
  rename(node, 'content', 'text', path, ctx);
  rename(node, 'display_time', 'displayTime', path, ctx);
  rename(node, 'base_time', 'baseTime', path, ctx);
  rename(node, 'plugin_chain', 'pluginChain', path, ctx);
  rename(node, 'effect_scope', 'effectScope', path, ctx);
  rename(node, 'box_style', 'boxStyle', path, ctx);
  rename(node, 'abs_start', 'absStart', path, ctx);
  rename(node, 'abs_end', 'absEnd', path, ctx);
  if (Object.hasOwn(node, 'absStart') || Object.hasOwn(node, 'absEnd')) {
    const a = node.absStart;
    const b = node.absEnd;
    delete node.absStart;
    delete node.absEnd;
    if (node.displayTime === undefined) {
      const start = a ?? 0;
      node.displayTime = [start, b ?? (typeof start === 'number' ? start + 1 : start)];
    }
  }
  if (node.eType === 'video' && Object.hasOwn(node, 'mute')) {
    if (node.muted === undefined) node.muted = node.mute;
    delete node.mute;
  }
  // Image/video src given as a define asset ({type, src|url}) — the engine would assign the
  // object to img.src. Use the asset's own URL.
  if ((node.eType === 'image' || node.eType === 'video') && isPlainObject(node.src)) {
    const asset = node.src;
    const url = typeof asset.src === 'string' ? asset.src : typeof asset.url === 'string' ? asset.url : undefined;
    if (url !== undefined) node.src = url;
  }
  if (Object.hasOwn(node, 'plugin')) {
    const single = node.plugin;
    delete node.plugin;
    if (single !== undefined && single !== null) {
      node.pluginChain = Array.isArray(node.pluginChain)
        ? [single, ...(node.pluginChain as unknown[])]
        : node.pluginChain === undefined
          ? [single]
          : node.pluginChain;
    }
  }
  if (Array.isArray(node.pluginChain)) {
    const chainPath = keyPath(path, 'pluginChain');
    node.pluginChain = node.pluginChain.map((p, i) => normalizePlugin(p, node, indexPath(chainPath, i), ctx));
  }
  normalizeStyle(node.style, keyPath(path, 'style'), ctx);
  normalizeStyle(node.boxStyle, keyPath(path, 'boxStyle'), ctx);
  normalizeLayout(node.layout, keyPath(path, 'layout'), ctx);
  if (Array.isArray(node.children)) {
    const childrenPath = keyPath(path, 'children');
    for (let i = 0; i < node.children.length; i++) normalizeNode(node.children[i], indexPath(childrenPath, i), depth + 1, ctx);
  }
}

/** Every finite displayTime in a node tree (explicit ones only, as the engine's default domLifetime uses). */
export function collectDisplayTimes(root: unknown, maxDepth: number): [number, number][] {
  const out: [number, number][] = [];
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    if (!isPlainObject(n) || d > maxDepth) continue;
    const dt = n.displayTime;
    if (Array.isArray(dt) && finite(dt[0]) && finite(dt[1])) out.push([dt[0], dt[1]]);
    if (Array.isArray(n.children)) for (const c of n.children) stack.push([c, d + 1]);
  }
  return out;
}

function hintWindow(hint: unknown): { start?: number; end?: number } | undefined {
  if (finite(hint)) return { start: hint };
  if (isPlainObject(hint)) {
    return { start: finite(hint.start) ? hint.start : undefined, end: finite(hint.end) ? hint.end : undefined };
  }
  return undefined;
}

function normalizeCue(cue: unknown, path: string, ctx: NormalizeContext): void {
  if (!isPlainObject(cue)) return;
  rename(cue, 'dom_lifetime', 'domLifetime', path, ctx);
  rename(cue, 'display_time', 'displayTime', path, ctx);
  rename(cue, 'hint_time', 'hintTime', path, ctx);
  normalizeNode(cue.root, keyPath(path, 'root'), 1, ctx);
  if (Object.hasOwn(cue, 'hintTime')) {
    const hint = hintWindow(cue.hintTime);
    delete cue.hintTime;
    if (cue.domLifetime === undefined && hint) {
      // hintTime was a preroll/editing hint in 1.3; the nodes' own times win. Never let it cut a
      // node short: the DOM lifetime covers both.
      const times = collectDisplayTimes(cue.root, ctx.maxDepth);
      const starts = times.map((t) => t[0]);
      const ends = times.map((t) => t[1]);
      if (hint.start !== undefined) starts.push(hint.start);
      if (hint.end !== undefined) ends.push(hint.end);
      if (hint.start !== undefined && hint.end === undefined && times.length === 0) ends.push(hint.start);
      if (starts.length > 0 && ends.length > 0) {
        const lo = Math.min(...starts);
        const hi = Math.max(...ends);
        if (lo <= hi) cue.domLifetime = [lo, hi];
      }
    }
  }
}

function normalizeTrack(track: unknown, path: string, ctx: NormalizeContext): void {
  if (!isPlainObject(track)) return;
  rename(track, 'default_style', 'defaultStyle', path, ctx);
  rename(track, 'default_box_style', 'defaultBoxStyle', path, ctx);
  rename(track, 'default_constraints', 'defaultConstraints', path, ctx);
  rename(track, 'overlap_policy', 'overlapPolicy', path, ctx);
  rename(track, 'safe_area', 'safeArea', path, ctx);
  normalizeStyle(track.defaultStyle, keyPath(path, 'defaultStyle'), ctx);
  normalizeStyle(track.defaultBoxStyle, keyPath(path, 'defaultBoxStyle'), ctx);
  normalizeLayout(track.defaultConstraints, keyPath(path, 'defaultConstraints'), ctx);
}

/** Normalises in place. Returns the node count. */
export function normalizeScenario(s: Obj, ctx: NormalizeContext): void {
  s.version = '2.0';
  rename(s, 'plugin_api_version', 'pluginApiVersion', '$', ctx);
  if (s.timebase === undefined) s.timebase = { unit: 'seconds' };
  if (s.stage === undefined) s.stage = { baseAspect: '16:9' };
  if (isPlainObject(s.stage)) {
    rename(s.stage, 'base_aspect', 'baseAspect', '$.stage', ctx);
    rename(s.stage, 'safe_area', 'safeArea', '$.stage', ctx);
  }
  if (ctx.fromV13 && Array.isArray(s.bindings) && s.bindings.length > 0) {
    ctx.issues.add('$.bindings', 'v1.3 wordStream bindings are not supported: export the scenario with the words expanded into nodes');
  }
  if (Array.isArray(s.tracks)) s.tracks.forEach((t, i) => normalizeTrack(t, indexPath('$.tracks', i), ctx));
  if (Array.isArray(s.cues)) s.cues.forEach((c, i) => normalizeCue(c, indexPath('$.cues', i), ctx));
  convertLayout(s, ctx.issues, ctx.maxDepth, ctx.fromV13);
  generateMissingIds(s);
}

/** Gives every cue and node an id when it has none (the engine throws on a missing id). */
function generateMissingIds(s: Obj): void {
  if (!Array.isArray(s.cues)) return;
  const used = new Set<string>();
  const visit = (n: unknown, fn: (o: Obj) => void): void => {
    const stack: unknown[] = [n];
    while (stack.length) {
      const cur = stack.pop();
      if (!isPlainObject(cur)) continue;
      fn(cur);
      if (Array.isArray(cur.children)) stack.push(...(cur.children as unknown[]));
    }
  };
  for (const cue of s.cues) {
    if (!isPlainObject(cue)) continue;
    if (typeof cue.id === 'string') used.add(cue.id);
    visit(cue.root, (o) => typeof o.id === 'string' && used.add(o.id));
  }
  const fresh = (base: string): string => {
    let i = 1;
    while (used.has(`${base}-${i}`)) i++;
    const id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  s.cues.forEach((cue, ci) => {
    if (!isPlainObject(cue)) return;
    if (cue.id === undefined) cue.id = fresh(`cue-${ci}`);
    const stack: [unknown, string][] = [[cue.root, `${String(cue.id)}-node`]];
    while (stack.length) {
      const [cur, prefix] = stack.pop()!;
      if (!isPlainObject(cur)) continue;
      if (cur.id === undefined) cur.id = fresh(prefix);
      if (Array.isArray(cur.children)) cur.children.forEach((c, i) => stack.push([c, `${String(cur.id)}-${i}`]));
    }
  });
}

export { describe };
