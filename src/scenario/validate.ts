// Shape validation of a normalised v2.0 scenario against what motiontext-renderer 1.5.0 needs
// (its ValidationV2 rules, plus the fields it reads at render time), with JSON paths.

import { resolveBundledPlugin } from '../../libs/caption-page/src/plugin-manifest.js';
import { IssueCollector, describe, indexPath, isPlainObject, keyPath } from './issues.js';
import { NODE_TYPES } from './normalize.js';
import type { PluginResolver, ResolvedPlugin } from './types.js';

type Obj = Record<string, unknown>;

const ASPECTS = new Set(['16:9', '9:16', 'auto']);
const TRACK_TYPES = new Set(['subtitle', 'free']);
const COMPOSE = new Set(['replace', 'add', 'multiply']);
const PLUGIN_TYPES = new Set(['channel', 'dom', 'hybrid']);
// The engine's own check for an offset bound (ValidationV2): seconds, or a percentage.
const OFFSET_STRING = /^\s*-?\d+(?:\.\d+)?%?\s*$/;

export const TIME_RANGE_REASON = 'must be [start, end] with 0 <= start <= end';

export function isTimeRange(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Number.isFinite(v[0]) &&
    Number.isFinite(v[1]) &&
    0 <= v[0] &&
    v[0] <= v[1]
  );
}

export interface ValidateContext {
  readonly issues: IssueCollector;
  readonly maxTextLength: number;
  readonly plugins: Map<string, ResolvedPlugin>;
  /** Which plugin names are known (default: the bundled catalogue). */
  readonly resolvePlugin?: PluginResolver;
}

function checkRange(obj: Obj, key: string, path: string, ctx: ValidateContext): void {
  if (obj[key] === undefined) return;
  if (!isTimeRange(obj[key])) ctx.issues.add(keyPath(path, key), `${TIME_RANGE_REASON} (seconds), got ${describe(obj[key])}`);
}

function checkObject(obj: Obj, key: string, path: string, ctx: ValidateContext): void {
  if (obj[key] !== undefined && !isPlainObject(obj[key]))
    ctx.issues.add(keyPath(path, key), `must be an object, got ${describe(obj[key])}`);
}

function checkId(obj: Obj, path: string, ids: Map<string, string>, what: string, ctx: ValidateContext): void {
  const id = obj.id;
  if (typeof id !== 'string' || id.length === 0) {
    ctx.issues.add(keyPath(path, 'id'), `${what} id must be a non-empty string, got ${describe(id)}`);
    return;
  }
  const prev = ids.get(id);
  if (prev !== undefined) {
    ctx.issues.add(keyPath(path, 'id'), `duplicate id "${id}" (already used at ${prev}; cue and node ids share one namespace)`);
    return;
  }
  ids.set(id, path);
}

function validatePlugin(p: unknown, path: string, ctx: ValidateContext): void {
  if (!isPlainObject(p)) {
    ctx.issues.add(path, `plugin must be an object {name, timeOffset?, params?, …}, got ${describe(p)}`);
    return;
  }
  if (typeof p.name !== 'string' || p.name.length === 0) {
    ctx.issues.add(keyPath(path, 'name'), `plugin name must be a non-empty string, got ${describe(p.name)}`);
  } else {
    const namePath = keyPath(path, 'name');
    const resolved = ctx.resolvePlugin ? ctx.resolvePlugin(p.name, namePath) : resolveBundledPlugin(p.name);
    if (!resolved) {
      ctx.issues.add(namePath, `unknown plugin ${JSON.stringify(p.name)}: this service cannot load it`);
    } else {
      ctx.plugins.set(`${resolved.name}@${resolved.version}`, { name: resolved.name, version: resolved.version });
    }
  }
  const off = p.timeOffset;
  if (off !== undefined) {
    const offPath = keyPath(path, 'timeOffset');
    if (!Array.isArray(off) || off.length !== 2) {
      ctx.issues.add(offPath, `must be [start, end] offsets, got ${describe(off)}`);
    } else {
      off.forEach((b, k) => {
        const ok = (typeof b === 'number' && Number.isFinite(b)) || (typeof b === 'string' && OFFSET_STRING.test(b));
        if (!ok) ctx.issues.add(indexPath(offPath, k), `must be a number of seconds or a percentage string like "50%", got ${describe(b)}`);
      });
    }
  }
  checkRange(p, 'baseTime', path, ctx);
  checkObject(p, 'params', path, ctx);
  if (p.compose !== undefined && !(typeof p.compose === 'string' && COMPOSE.has(p.compose))) {
    ctx.issues.add(keyPath(path, 'compose'), `must be one of replace, add, multiply, got ${describe(p.compose)}`);
  }
  if (p.type !== undefined && !(typeof p.type === 'string' && PLUGIN_TYPES.has(p.type))) {
    ctx.issues.add(keyPath(path, 'type'), `must be one of channel, dom, hybrid, got ${describe(p.type)}`);
  }
}

function validateNode(node: unknown, path: string, ids: Map<string, string>, ctx: ValidateContext): void {
  if (!isPlainObject(node)) {
    ctx.issues.add(path, `node must be an object, got ${describe(node)}`);
    return;
  }
  checkId(node, path, ids, 'node', ctx);
  const t = node.eType;
  if (typeof t !== 'string' || !NODE_TYPES.has(t)) {
    ctx.issues.add(
      keyPath(path, 'eType'),
      t === undefined
        ? 'node type is missing: eType must be one of group, text, image, video'
        : `eType must be one of group, text, image, video, got ${describe(t)}`,
    );
  }
  checkRange(node, 'displayTime', path, ctx);
  checkRange(node, 'baseTime', path, ctx);
  for (const k of ['style', 'layout', 'boxStyle', 'effectScope']) checkObject(node, k, path, ctx);
  if (t === 'text') {
    // Cue text is text: it reaches the page as textContent, never as HTML. Only its type is checked.
    if (typeof node.text !== 'string') {
      ctx.issues.add(keyPath(path, 'text'), `text must be a string, got ${describe(node.text)}`);
    } else if (node.text.length > ctx.maxTextLength) {
      ctx.issues.add(keyPath(path, 'text'), `text is ${node.text.length} characters long; at most ${ctx.maxTextLength} are allowed`);
    }
  }
  if (t === 'image' || t === 'video') {
    if (typeof node.src !== 'string' || node.src.length === 0) {
      ctx.issues.add(keyPath(path, 'src'), `${t} src must be a non-empty string, got ${describe(node.src)}`);
    }
    if (node.alt !== undefined && typeof node.alt !== 'string') {
      ctx.issues.add(keyPath(path, 'alt'), `alt must be a string, got ${describe(node.alt)}`);
    }
  }
  if (node.pluginChain !== undefined) {
    const chainPath = keyPath(path, 'pluginChain');
    if (!Array.isArray(node.pluginChain)) {
      ctx.issues.add(chainPath, `must be an array of plugins, got ${describe(node.pluginChain)}`);
    } else {
      node.pluginChain.forEach((p, i) => validatePlugin(p, indexPath(chainPath, i), ctx));
    }
  }
  if (node.children !== undefined) {
    const childrenPath = keyPath(path, 'children');
    if (!Array.isArray(node.children)) {
      ctx.issues.add(childrenPath, `must be an array of nodes, got ${describe(node.children)}`);
    } else if (t !== 'group' && node.children.length > 0) {
      ctx.issues.add(childrenPath, `only group nodes have children (the renderer ignores children of a ${String(t)} node)`);
    } else {
      node.children.forEach((c, i) => validateNode(c, indexPath(childrenPath, i), ids, ctx));
    }
  }
}

export function validateScenario(s: Obj, ctx: ValidateContext): void {
  const { issues } = ctx;
  const tb = s.timebase;
  if (!isPlainObject(tb)) {
    issues.add('$.timebase', `must be an object {unit: "seconds"}, got ${describe(tb)}`);
  } else {
    if (tb.unit !== 'seconds') issues.add('$.timebase.unit', `must be "seconds", got ${describe(tb.unit)}`);
    if (tb.fps !== undefined && !(typeof tb.fps === 'number' && Number.isFinite(tb.fps) && tb.fps > 0)) {
      issues.add('$.timebase.fps', `must be a positive number, got ${describe(tb.fps)}`);
    }
  }
  const stage = s.stage;
  if (!isPlainObject(stage)) {
    issues.add('$.stage', `must be an object {baseAspect}, got ${describe(stage)}`);
  } else {
    if (!(typeof stage.baseAspect === 'string' && ASPECTS.has(stage.baseAspect))) {
      issues.add('$.stage.baseAspect', `must be one of 16:9, 9:16, auto, got ${describe(stage.baseAspect)}`);
    }
    checkObject(stage, 'safeArea', '$.stage', ctx);
  }
  checkObject(s, 'define', '$', ctx);

  const trackIds = new Set<string>();
  if (!Array.isArray(s.tracks)) {
    issues.add('$.tracks', `must be an array, got ${describe(s.tracks)}`);
  } else {
    s.tracks.forEach((tr, i) => {
      const p = indexPath('$.tracks', i);
      if (!isPlainObject(tr)) {
        issues.add(p, `track must be an object, got ${describe(tr)}`);
        return;
      }
      if (typeof tr.id !== 'string' || tr.id.length === 0) {
        issues.add(keyPath(p, 'id'), `track id must be a non-empty string, got ${describe(tr.id)}`);
      } else if (trackIds.has(tr.id)) {
        issues.add(keyPath(p, 'id'), `duplicate track id "${tr.id}"`);
      } else {
        trackIds.add(tr.id);
      }
      if (tr.type !== undefined && !(typeof tr.type === 'string' && TRACK_TYPES.has(tr.type))) {
        issues.add(keyPath(p, 'type'), `must be "subtitle" or "free", got ${describe(tr.type)}`);
      }
      if (tr.layer !== undefined && !(typeof tr.layer === 'number' && Number.isFinite(tr.layer))) {
        issues.add(keyPath(p, 'layer'), `must be a number, got ${describe(tr.layer)}`);
      }
      for (const k of ['defaultStyle', 'defaultBoxStyle', 'defaultConstraints', 'safeArea']) checkObject(tr, k, p, ctx);
    });
  }

  if (!Array.isArray(s.cues)) {
    issues.add('$.cues', `must be an array, got ${describe(s.cues)}`);
    return;
  }
  const ids = new Map<string, string>();
  s.cues.forEach((cue, i) => {
    const p = indexPath('$.cues', i);
    if (!isPlainObject(cue)) {
      issues.add(p, `cue must be an object, got ${describe(cue)}`);
      return;
    }
    checkId(cue, p, ids, 'cue', ctx);
    if (typeof cue.track !== 'string' || cue.track.length === 0) {
      issues.add(keyPath(p, 'track'), `must name a track, got ${describe(cue.track)}`);
    } else if (Array.isArray(s.tracks) && !trackIds.has(cue.track)) {
      issues.add(keyPath(p, 'track'), `unknown track "${cue.track}"`);
    }
    checkRange(cue, 'domLifetime', p, ctx);
    checkRange(cue, 'displayTime', p, ctx);
    if (cue.root === undefined) issues.add(keyPath(p, 'root'), 'cue has no root node');
    else validateNode(cue.root, keyPath(p, 'root'), ids, ctx);
  });
}
