// Where a scenario's OWN coordinates put each caption, read from the file as written (v1.3 or
// v2.0), independently of our conversion: for test/engine/editor-layout.e2e-spec.ts.
//
// Rules (the README's "v1.3 layout" section):
// - a text node with a position is placed by its anchor point at that position, in the
//   coordinates of its containing block: the box of a positioned group with a numeric size, else
//   the stage (a group without a size has no coordinates of its own). A v2.0 group with no
//   displayTime anywhere (which the engine would never mount) is read like a v1.3 group.
// - text nodes without a position in a group flow inside the group's box (unless the group's own
//   size lets them overflow), whose anchor point is at the group's position.
// - safeAreaClamp keeps the point (a node with a numeric size: its box) inside
//   max(stage.safeArea, track.safeArea) per side.
import { readFileSync } from 'node:fs';

type Obj = Record<string, any>;

export interface Point {
  x: number;
  y: number;
}

/** What a caption node should look like, in stage fractions. */
export type Expectation =
  | { kind: 'point'; nodeId: string; text: string; anchor: string; at: Point; nowrap: boolean; centreOnly: boolean }
  | { kind: 'inside'; nodeId: string; text: string }
  | { kind: 'flow'; nodeId: string; text: string; groupId: string; anchor: string; at: Point | null; box: boolean; sized: boolean };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Resolves "define.a.b" strings against $.define, as the engine does (tests only: no limits). */
export function resolveDefines(v: unknown, define: Obj, depth = 0): unknown {
  if (depth > 50) return v;
  if (typeof v === 'string' && v.startsWith('define.')) {
    let cur: unknown = define;
    for (const p of v.slice(7).split('.')) cur = isObj(cur) ? cur[p] : undefined;
    return resolveDefines(cur, define, depth + 1);
  }
  if (Array.isArray(v)) return v.map((x) => resolveDefines(x, define, depth + 1));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveDefines(x, define, depth + 1)]));
  return v;
}

export function readScenarioFile(path: string): Obj {
  return JSON.parse(readFileSync(path, 'utf8')) as Obj;
}

/** A copy without plugins: this test is about layout, not animation. */
export function withoutPlugins(s: Obj): Obj {
  return JSON.parse(JSON.stringify(s), (k, v) => (k === 'pluginChain' || k === 'plugin' ? undefined : v)) as Obj;
}

function pointOf(layout: unknown): Point | null {
  if (!isObj(layout)) return null;
  const p = layout.position;
  if (Array.isArray(p) && num(p[0]) && num(p[1])) return { x: p[0], y: p[1] };
  if (isObj(p) && num(p.x) && num(p.y)) return { x: p.x, y: p.y };
  return null;
}

function sizeOf(layout: unknown): { w: number; h: number } | null {
  if (!isObj(layout)) return null;
  const s = layout.size;
  const w = Array.isArray(s) ? s[0] : isObj(s) ? s.width : undefined;
  const h = Array.isArray(s) ? s[1] : isObj(s) ? s.height : undefined;
  return num(w) && num(h) && w > 0 && h > 0 ? { w, h } : null;
}

export function anchorFractions(anchor: unknown): { ax: number; ay: number } {
  const a = typeof anchor === 'string' && /^[tcb][lcr]$/.test(anchor) ? anchor : 'cc';
  return { ax: a[1] === 'l' ? 0 : a[1] === 'r' ? 1 : 0.5, ay: a[0] === 't' ? 0 : a[0] === 'b' ? 1 : 0.5 };
}

interface Frame {
  x0: number;
  y0: number;
  w: number;
  h: number;
}
const STAGE: Frame = { x0: 0, y0: 0, w: 1, h: 1 };
const inFrame = (f: Frame, p: Point): Point => ({ x: f.x0 + p.x * f.w, y: f.y0 + p.y * f.h });

interface Ctx {
  v13: boolean;
  safe: { left: number; right: number; top: number; bottom: number };
  out: Expectation[];
  ids: Map<object, string>;
}

function typeOf(n: Obj): string | undefined {
  return n.eType ?? n.e_type ?? n.type;
}

/** Anchor point in the stage (kept inside the safe area when the node says safeAreaClamp). */
function placed(n: Obj, frame: Frame, ctx: Ctx): Point | null {
  const p = pointOf(n.layout);
  if (!p) return null;
  let at = inFrame(frame, p);
  if (isObj(n.layout) && n.layout.safeAreaClamp === true) {
    const s = ctx.safe;
    const size = sizeOf(n.layout);
    const { ax, ay } = anchorFractions(n.layout.anchor);
    const w = (size?.w ?? 0) * frame.w;
    const h = (size?.h ?? 0) * frame.h;
    const axis = (v: number, lo: number, hi: number, len: number, a: number) => {
      const min = lo + a * len;
      const max = hi - (1 - a) * len;
      return min > max ? (min + max) / 2 : Math.min(max, Math.max(min, v));
    };
    at = { x: axis(at.x, s.left, 1 - s.right, w, ax), y: axis(at.y, s.top, 1 - s.bottom, h, ay) };
  }
  return at;
}

/**
 * `timed`: a displayTime above this node (an ancestor's or the cue's) in the file as written.
 * Groups without any (every v1.3 group; v2.0 groups the engine would never mount) follow the
 * v1.3 rules; timed v2.0 groups are laid out by the engine as they are.
 */
function walk(n: unknown, frame: Frame, timed: boolean, parent: Obj | null, parentFrame: Frame, ctx: Ctx, nowrapIn: boolean): void {
  if (!isObj(n)) return;
  const t = typeOf(n);
  const style = isObj(n.style) ? n.style : {};
  const nowrap = style.whiteSpace !== undefined ? style.whiteSpace === 'nowrap' : nowrapIn;
  const id = ctx.ids.get(n);
  if (t === 'text' && id && typeof (n.text ?? n.content) === 'string' && String(n.text ?? n.content).trim() !== '') {
    const text = String(n.text ?? n.content);
    const at = placed(n, frame, ctx);
    const layout = isObj(n.layout) ? n.layout : {};
    if (at && layout.override === undefined) {
      const transformed = layout.transform !== undefined;
      const anchor = typeof layout.anchor === 'string' ? layout.anchor : 'cc';
      if (!transformed || anchor === 'cc') {
        ctx.out.push({ kind: 'point', nodeId: id, text, anchor, at, nowrap, centreOnly: transformed });
      } else ctx.out.push({ kind: 'inside', nodeId: id, text });
    } else if (at) {
      ctx.out.push({ kind: 'inside', nodeId: id, text });
    } else if (parent && typeOf(parent) === 'group' && pointOf(parent.layout)) {
      const gid = ctx.ids.get(parent)!;
      const box = ['boxBg', 'backgroundColor'].some((k) => isObj(parent.style) && parent.style[k]) || isObj(parent.boxStyle);
      const anchor = isObj(parent.layout) && typeof parent.layout.anchor === 'string' ? parent.layout.anchor : 'cc';
      const sized = sizeOf(parent.layout) !== null;
      ctx.out.push({ kind: 'flow', nodeId: id, text, groupId: gid, anchor, at: placed(parent, parentFrame, ctx), box, sized });
    }
  }
  if (t !== 'group' || !Array.isArray(n.children)) return;
  const ownTime = Array.isArray(n.displayTime);
  const legacy = ctx.v13 || !(timed || ownTime);
  let inner = frame;
  const p = pointOf(n.layout);
  const size = sizeOf(n.layout);
  if (p && size) {
    const at = placed(n, frame, ctx) ?? inFrame(frame, p);
    const { ax, ay } = anchorFractions(isObj(n.layout) ? n.layout.anchor : undefined);
    inner = { x0: at.x - ax * size.w * frame.w, y0: at.y - ay * size.h * frame.h, w: size.w * frame.w, h: size.h * frame.h };
  } else if (p) {
    // A positioned group without a size is the stage's frame only when nothing flows in it and it
    // follows the v1.3 rules; otherwise it is a box known only after layout: not checked.
    const flowing = n.children.some((c: unknown) => isObj(c) && typeOf(c) !== 'group' && !pointOf(c.layout));
    const ownFlow = isObj(n.layout) && (n.layout.mode === 'flow' || n.layout.mode === 'grid');
    if (!legacy || flowing || ownFlow) for (const c of n.children) if (isObj(c) && pointOf(c.layout)) ctx.ids.delete(c);
  }
  for (const c of n.children) walk(c, inner, timed || ownTime, n, frame, ctx, nowrap);
}

/**
 * Expectations for every text node of the scenario, keyed by the ids the prepared scenario gives
 * the same nodes (the conversion keeps the tree's shape: child i stays child i).
 */
export function expectationsFor(raw: Obj, prepared: Obj): Expectation[] {
  const v13 = raw.version === '1.3' || raw.version === 1.3;
  const define = isObj(raw.define) ? raw.define : {};
  const scenario = resolveDefines(raw, define) as Obj;
  const tracks = new Map<string, Obj>((scenario.tracks ?? []).map((t: Obj) => [t.id, t]));
  const out: Expectation[] = [];
  (scenario.cues ?? []).forEach((cue: Obj, i: number) => {
    const ids = new Map<object, string>();
    const pair = (a: unknown, b: unknown) => {
      if (!isObj(a) || !isObj(b) || typeof b.id !== 'string') return;
      ids.set(a, b.id);
      (a.children ?? []).forEach((c: unknown, k: number) => pair(c, (b.children ?? [])[k]));
    };
    pair(cue.root, prepared.cues[i]?.root);
    const track = tracks.get(cue.track) ?? {};
    const side = (k: string) => Math.max(Number(scenario.stage?.safeArea?.[k] ?? 0), Number(track.safeArea?.[k] ?? 0));
    const safe = { left: side('left'), right: side('right'), top: side('top'), bottom: side('bottom') };
    const ctx: Ctx = { v13, safe, out, ids };
    walk(cue.root, STAGE, !v13 && Array.isArray(cue.displayTime), null, STAGE, ctx, false);
  });
  return out;
}
