// The window of a plugin in seconds, read from the scenario the engine hands DOM plugins
// (ctx.scenario.scenario): the engine normalises DOM plugins' duration to 1, but the editor's
// wall-clock effects (flames' GIF, typewriter's flash) run in seconds.

type Ctx = { scenario?: { scenario?: unknown } } | undefined;

// The engine normalises DOM plugins to duration 1; the seconds come from the scenario the
// engine hands plugins (ctx.scenario.scenario): the node's flames entry, its baseTime/timeOffset.
interface NodeLike {
  id?: unknown;
  baseTime?: unknown;
  displayTime?: unknown;
  pluginChain?: unknown;
  children?: unknown;
}

/** The window [start, end] in seconds of the node's first `name` plugin, or null. */
export function pluginWindowSeconds(el: HTMLElement, ctx: unknown, name: string): [number, number] | null {
  try {
    // The engine's mount sets data-node-id (its data-node-key assignment never lands).
    const nodeId = el.closest<HTMLElement>('[data-node-id]')?.dataset.nodeId;
    const scenario = (ctx as Ctx)?.scenario?.scenario as { cues?: Array<{ id?: unknown; root?: NodeLike }> } | undefined;
    if (!nodeId || !Array.isArray(scenario?.cues)) return null;
    let node: NodeLike | null = null;
    for (const cue of scenario.cues) {
      node = cue?.root ? findNode(cue.root, nodeId, 0) : null;
      if (node) break;
    }
    if (!node || !Array.isArray(node.pluginChain)) return null;
    const spec = (node.pluginChain as Array<Record<string, unknown>>).find((s) => {
      const n = typeof s?.name === 'string' ? s.name : '';
      return n === name || n.startsWith(`${name}@`);
    });
    if (!spec) return null;
    const base = spec.baseTime ?? node.baseTime ?? node.displayTime;
    if (!Array.isArray(base) || !base.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
    const [b0, b1] = base as number[];
    const off = Array.isArray(spec.timeOffset) ? spec.timeOffset : ['0%', '100%'];
    const s = bound(off[0], b0, b1, b0);
    const e = bound(off[1], b0, b1, b1);
    return Number.isFinite(s) && Number.isFinite(e) && e > s ? [s, e] : null;
  } catch {
    return null;
  }
}

function findNode(n: NodeLike, id: string, depth: number): NodeLike | null {
  if (n.id === id) return n;
  if (depth > 64 || !Array.isArray(n.children)) return null;
  for (const c of n.children as NodeLike[]) {
    const hit = c && typeof c === 'object' ? findNode(c, id, depth + 1) : null;
    if (hit) return hit;
  }
  return null;
}

/** As the engine resolves a timeOffset bound: "x%" of the base duration, or seconds. */
function bound(v: unknown, b0: number, b1: number, anchor: number): number {
  if (typeof v === 'number') return anchor + v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s.endsWith('%')) {
      const pct = parseFloat(s.slice(0, -1));
      return anchor + (b1 - b0) * (Number.isFinite(pct) ? pct / 100 : 0);
    }
    const n = parseFloat(s);
    if (Number.isFinite(n)) return anchor + n;
  }
  return anchor;
}
