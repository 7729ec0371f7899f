// v1.3 group layout → the v2.0 constructs motiontext-renderer 1.5.0 lays out the way the editor
// meant (checked against the engine's dist/index.js):
//
// 1. A group is mounted only with a finite displayTime: the engine's isWithinTimeRange() is false
//    for the inherited [-Infinity, Infinity], so a v1.3 group (no absStart) never mounted and its
//    children were appended to the stage itself — the editor's text at (0.5, 0.5) OF ITS GROUP
//    landed at y = 0.5 of the frame. A group without displayTime gets the hull of its children's.
// 2. Mounted and positioned (layout.position), a group is an absolutely positioned box of
//    layout.size × stage, so positioned children are placed in the group's coordinates natively.
//    A positioned group without a numeric size has no coordinates of its own (its box would be
//    0 × 0): its positioned children keep stage coordinates — it becomes a transparent full-stage
//    frame, as unpositioned groups already are.
// 3. Children without a position flow in reading order: the group gets the editor's caption
//    `childrenLayout` (flow, horizontal, wrapping, centred; define.caption.childrenLayout of its
//    v2.0 preview) unless its own mode is flow or grid (then the engine's own flow applies).
//    A lone `anchor` on such a child is dropped: without a position it places nothing, and on a
//    subtitle track it made every word a full-width flex column (the "column of words").
// 4. safeAreaClamp is applied here (safe-area.ts), not left to the engine's mis-measuring clamp.
// 5. Group box: style.boxBg / border / layout.padding are read natively (the engine moves a
//    group's box keys from style to boxStyle); style.radiusRel becomes borderRadius (a number is
//    a fraction of the stage height, like radiusRel).

import { isPlainObject } from '../issues.js';
import { applySafeAreaClamp, boxOf, type Frame, type SafeArea } from './safe-area.js';

type Obj = Record<string, unknown>;

/** The gap between flowing words, a fraction of the stage width (the editor's define.caption). */
export const FLOW_GAP = 0.005;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function hasPoint(layout: unknown): boolean {
  return isPlainObject(layout) && isPlainObject(layout.position) && finite(layout.position.x) && finite(layout.position.y);
}

function hasNumericSize(layout: Obj): boolean {
  const size = layout.size;
  return isPlainObject(size) && finite(size.width) && finite(size.height) && size.width > 0 && size.height > 0;
}

function paintsBox(group: Obj): boolean {
  const boxKeys = ['boxBg', 'backgroundColor', 'border', 'borderRadius'];
  const has = (o: unknown) => isPlainObject(o) && boxKeys.some((k) => o[k] !== undefined && o[k] !== null && o[k] !== '');
  return has(group.style) || has(group.boxStyle);
}

/** Text alignment → the flow's main-axis justification. */
function justifyOf(align: unknown): 'start' | 'end' | 'center' {
  if (align === 'left' || align === 'start') return 'start';
  if (align === 'right' || align === 'end') return 'end';
  return 'center';
}

function displayHull(children: unknown[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of children) {
    const dt = isPlainObject(c) ? c.displayTime : undefined;
    if (Array.isArray(dt) && finite(dt[0]) && finite(dt[1])) {
      lo = Math.min(lo, dt[0]);
      hi = Math.max(hi, dt[1]);
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

export interface GroupLayoutContext {
  /** Track text defaults of the cue's track (for the flow's justification). */
  readonly trackStyle: Obj | undefined;
  /** The cue's track type: on 'free' tracks the engine positions every node absolutely. */
  readonly trackType: unknown;
}

/**
 * Converts one node tree in place (children first, so nested groups get their windows first).
 * `skipTimed`: leave alone every group that has a displayTime of its own or from an ancestor (the
 * engine mounts those and lays them out natively: v2.0 files); only groups the engine would never
 * mount are converted.
 */
export function convertGroupLayout(node: unknown, ctx: GroupLayoutContext, skipTimed: boolean, depth = 0, maxDepth = 64): void {
  if (!isPlainObject(node) || depth > maxDepth) return;
  if (node.eType !== 'group' || !Array.isArray(node.children)) return;
  if (skipTimed && node.displayTime !== undefined) return;
  for (const c of node.children) convertGroupLayout(c, ctx, skipTimed, depth + 1, maxDepth);
  const children = node.children.filter(isPlainObject);

  if (node.displayTime === undefined) {
    const hull = displayHull(children);
    if (hull) node.displayTime = hull;
  }

  const layout: Obj = isPlainObject(node.layout) ? node.layout : {};
  const mode = layout.mode;
  const ownFlow = mode === 'flow' || mode === 'grid';
  const isContent = (c: Obj) => c.eType === 'text' || c.eType === 'image' || c.eType === 'video';
  const flowing = children.filter((c) => isContent(c) && !hasPoint(c.layout));
  const positioned = children.filter((c) => hasPoint(c.layout));

  if (flowing.length > 0 && !ownFlow && layout.childrenLayout === undefined) {
    const style = isPlainObject(node.style) ? node.style : undefined;
    const widthRel = hasNumericSize(layout) ? (layout.size as { width: number }).width : 1;
    layout.childrenLayout = {
      mode: 'flow',
      direction: 'horizontal',
      wrap: true,
      maxWidth: `${Math.round(Math.min(1, widthRel) * 1e4) / 100}%`,
      gap: FLOW_GAP,
      align: 'center',
      justify: justifyOf(style?.align ?? ctx.trackStyle?.align),
    };
    for (const c of flowing) {
      const cl: Obj = isPlainObject(c.layout) ? c.layout : {};
      delete cl.anchor;
      // On a subtitle track a node without a mode is a flow container with the track's default
      // constraints (min-width 10 %, max-height 40 %, padding): every word a padded column.
      // 'absolute' without a position leaves it a plain flex item, as in the editor's preview.
      if (ctx.trackType !== 'free' && cl.mode === undefined) cl.mode = 'absolute';
      if (Object.keys(cl).length > 0) c.layout = cl;
      else delete c.layout;
    }
    if (ctx.trackType !== 'free' && mode === undefined) layout.mode = 'absolute';
    node.layout = layout;
  } else if (
    flowing.length === 0 &&
    positioned.length > 0 &&
    hasPoint(layout) &&
    !hasNumericSize(layout) &&
    !ownFlow &&
    layout.childrenLayout === undefined &&
    layout.transform === undefined &&
    !paintsBox(node)
  ) {
    // No size, no coordinates of its own: a transparent frame the size of the stage.
    layout.mode = 'absolute';
    layout.position = { x: 0.5, y: 0.5 };
    layout.anchor = 'cc';
    layout.size = { width: 1, height: 1 };
    delete layout.safeAreaClamp;
    node.layout = layout;
  }

  if (hasPoint(layout) && hasNumericSize(layout) && mode === undefined && ctx.trackType !== 'free') {
    // A box of its own size: on a subtitle track the engine's default flow constraints would cap
    // it at 80 % of the stage and pad it.
    layout.mode = 'absolute';
  }

  if (isPlainObject(node.style) && finite(node.style.radiusRel) && node.style.borderRadius === undefined) {
    node.style.borderRadius = node.style.radiusRel;
    delete node.style.radiusRel;
  }
}

/**
 * Second pass, top down: applies safeAreaClamp in each node's containing block. A group that is
 * positioned with a numeric size is the containing block of its children; an unpositioned group
 * leaves them in its parent's; inside a positioned group without a size (a flowing caption) the
 * box is known only after layout, so positions there are left to the engine.
 */
export function clampToSafeArea(node: unknown, frame: Frame | null, safe: SafeArea, depth = 0, maxDepth = 64, timed = false): void {
  if (!isPlainObject(node) || depth > maxDepth) return;
  const layout = isPlainObject(node.layout) ? node.layout : undefined;
  if (layout && frame) applySafeAreaClamp(layout, frame, safe);
  if (node.eType !== 'group' || !Array.isArray(node.children)) return;
  const mounted = timed || node.displayTime !== undefined;
  // An unmounted group (no displayTime anywhere above) leaves its children on the stage.
  const inner = !hasPoint(layout) || !mounted ? frame : frame && boxOf(layout, frame);
  for (const c of node.children) clampToSafeArea(c, inner, safe, depth + 1, maxDepth, mounted);
}
