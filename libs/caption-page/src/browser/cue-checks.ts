// What load() reports about a parsed scenario: each cue's time window, the plugin names it uses,
// nodes the engine would mount empty, and which cues put anything visible on the stage.
import type { CueWindow } from '../protocol.js';
import type { ParsedCue, ParsedNode, RendererV2Internals } from './engine-internals.js';

/** The times a node of the cue can be on screen: its nodes' display times, cut by the cue's DOM lifetime. */
export function cueWindow(cue: ParsedCue): CueWindow {
  let start = -Infinity;
  let end = Infinity;
  let nodeStart = Infinity;
  let nodeEnd = -Infinity;
  let unbounded = false;
  const walk = (n: ParsedNode) => {
    const dt = n.displayTime;
    if (dt && Number.isFinite(dt[0]) && Number.isFinite(dt[1])) {
      nodeStart = Math.min(nodeStart, dt[0]);
      nodeEnd = Math.max(nodeEnd, dt[1]);
    } else if (!dt) unbounded = true;
    if (n.eType === 'group' && Array.isArray(n.children)) n.children.forEach(walk);
  };
  if (cue.root) walk(cue.root);
  if (!unbounded && Number.isFinite(nodeStart)) {
    start = nodeStart;
    end = nodeEnd;
  }
  if (cue.domLifetime) {
    start = Math.max(start, cue.domLifetime[0]);
    end = Math.min(end, cue.domLifetime[1]);
  }
  return { id: cue.id, start: Number.isFinite(start) ? start : null, end: Number.isFinite(end) ? end : null, mounted: false };
}

export function collectPluginNames(node: ParsedNode, out: Set<string>): void {
  for (const p of Array.isArray(node.pluginChain) ? node.pluginChain : []) {
    const name = p && typeof p === 'object' ? (p as { name?: unknown }).name : p;
    out.add(typeof name === 'string' ? name : JSON.stringify(name));
  }
  if (Array.isArray(node.children)) node.children.forEach((c) => collectPluginNames(c, out));
}

export function checkNodes(node: ParsedNode, warnings: string[]): void {
  const known = ['text', 'image', 'video', 'group'];
  if (!known.includes(String(node.eType))) {
    warnings.push(`node "${node.id}" has eType ${JSON.stringify(node.eType)}: mounts as an empty element (e_type spelling?)`);
  }
  if (Array.isArray(node.children)) node.children.forEach((c) => checkNodes(c, warnings));
}

/**
 * Probes every cue at the start and middle of its nodes' windows (seeking there) and marks the
 * cues that put visible content (non-empty text, image, video) on the stage at least once.
 * Answers how many did.
 */
export function probeMountedCues(
  cues: readonly ParsedCue[],
  windows: CueWindow[],
  rv2: RendererV2Internals,
  seek: (t: number) => void,
): number {
  let mountedCues = 0;
  cues.forEach((cue, i) => {
    const w = windows[i];
    const times = new Set<number>();
    const s = w.start ?? 0;
    const e = w.end ?? s + 1;
    times.add(s);
    times.add((s + e) / 2);
    const walk = (n: ParsedNode) => {
      const dt = n.displayTime;
      if (dt && Number.isFinite(dt[0]) && Number.isFinite(dt[1]) && dt[0] >= s && dt[0] <= e) times.add((dt[0] + dt[1]) / 2);
      if (Array.isArray(n.children)) n.children.slice(0, 8).forEach(walk);
    };
    if (cue.root) walk(cue.root);
    for (const t of times) {
      seek(t);
      let hit = false;
      for (const m of rv2.mountedElements.values()) {
        if (m.cueId !== cue.id) continue;
        const el = m.element;
        if (
          el.classList.contains('mtx-image') ||
          el.classList.contains('mtx-video') ||
          (el.classList.contains('mtx-text') && (el.textContent ?? '').trim() !== '')
        ) {
          hit = true;
          break;
        }
      }
      if (hit) {
        mountedCues++;
        w.mounted = true;
        break;
      }
    }
  });
  return mountedCues;
}
