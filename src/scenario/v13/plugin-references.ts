// v1.3 plugin parameters that point into the scenario instead of holding a value:
//   "palette": "definitions.speakerPalette"  → the object at $.definitions.speakerPalette
// The editor's older exports put the palette once in `definitions` and refer to it by name (or
// leave it out on most words). Plugins read params.palette as an object (cwi-*: pal[speaker]); a
// string or nothing falls back to one colour for every speaker. So references are resolved here,
// and a plugin given a speaker but no palette gets the speaker colours the scenario defines.
// ("define.X" strings are resolved earlier, like the engine, by resolveDefinesAndCopy.)

import { IssueCollector, indexPath, isPlainObject, keyPath } from '../issues.js';

type Obj = Record<string, unknown>;

const DEFINITIONS_PREFIX = 'definitions.';
/** Where a scenario keeps its speaker colours, in order of preference. */
const SPEAKER_PALETTE_KEY = 'speakerPalette';

export interface PluginReferenceContext {
  readonly issues: IssueCollector;
  /** $.definitions of the scenario (v1.3). */
  readonly definitions: Obj;
  /** $.define of the scenario (already resolved). */
  readonly define: Obj;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Looks "definitions.a.b" up in $.definitions; undefined when any step is missing. */
function lookup(ref: string, definitions: Obj): unknown {
  let cur: unknown = definitions;
  for (const part of ref.slice(DEFINITIONS_PREFIX.length).split('.')) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The speaker colours the scenario defines, if any. */
export function scenarioSpeakerPalette(ctx: Pick<PluginReferenceContext, 'definitions' | 'define'>): Obj | undefined {
  for (const source of [ctx.definitions, ctx.define]) {
    const p = source[SPEAKER_PALETTE_KEY];
    if (isPlainObject(p)) return p;
  }
  return undefined;
}

function resolveParams(params: Obj, path: string, ctx: PluginReferenceContext): void {
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string' || !value.startsWith(DEFINITIONS_PREFIX)) continue;
    const resolved = lookup(value, ctx.definitions);
    if (resolved === undefined) {
      ctx.issues.add(keyPath(path, key), `reference ${JSON.stringify(value)} names nothing in $.definitions`);
      continue;
    }
    params[key] = clone(resolved);
  }
  if (params.speaker !== undefined && params.palette === undefined) {
    const palette = scenarioSpeakerPalette(ctx);
    if (palette) params.palette = clone(palette);
  }
}

/** Resolves the plugin parameter references of one node tree, in place. */
export function resolvePluginReferences(node: unknown, path: string, ctx: PluginReferenceContext, depth = 0, maxDepth = 64): void {
  if (!isPlainObject(node) || depth > maxDepth) return;
  if (Array.isArray(node.pluginChain)) {
    const chainPath = keyPath(path, 'pluginChain');
    node.pluginChain.forEach((p, i) => {
      if (isPlainObject(p) && isPlainObject(p.params)) resolveParams(p.params, keyPath(indexPath(chainPath, i), 'params'), ctx);
    });
  }
  if (Array.isArray(node.children)) {
    const childrenPath = keyPath(path, 'children');
    node.children.forEach((c, i) => resolvePluginReferences(c, indexPath(childrenPath, i), ctx, depth + 1, maxDepth));
  }
}
