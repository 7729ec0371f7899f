// Structural pre-scan of untrusted input, and the engine's "define." reference resolution
// (a port of motiontext-renderer 1.5.0's DefineResolver, with hard bounds), which also
// produces the service's private deep copy of the scenario.

import { IssueCollector, describe, indexPath, isPlainObject, keyPath } from './issues.js';

/** Thrown after a fatal issue (size, depth): nothing further is checked. */
export class FatalScenarioIssue extends Error {}

export interface ScanBounds {
  /** Deepest JSON nesting accepted anywhere ($ is depth 0). */
  readonly maxJsonDepth: number;
  /** Most JSON values (objects, arrays, scalars) accepted in total, also after define expansion. */
  readonly maxValues: number;
}

/**
 * Iterative walk of the raw input: rejects non-JSON values, excessive depth and size before any
 * recursive code touches it. Never recurses, so a depth of 10^6 costs no stack.
 */
/** Returns the number of JSON values in the input. */
export function prescan(input: unknown, bounds: ScanBounds, issues: IssueCollector): number {
  type Frame = { v: unknown; depth: number; parent: Frame | null; key: string | number };
  const pathOf = (f: Frame): string => {
    const keys: (string | number)[] = [];
    for (let cur: Frame | null = f; cur && cur.parent; cur = cur.parent) keys.push(cur.key);
    let p = '$';
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      p = typeof k === 'number' ? indexPath(p, k) : keyPath(p, k);
    }
    return p;
  };
  const stack: Frame[] = [{ v: input, depth: 0, parent: null, key: '' }];
  let count = 0;
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (++count > bounds.maxValues) {
      issues.add('$', `scenario is too large: more than ${bounds.maxValues} JSON values`);
      throw new FatalScenarioIssue();
    }
    const v = f.v;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') continue; // non-finite numbers are judged where they matter
    if (typeof v !== 'object') {
      issues.add(pathOf(f), `${describe(v)} is not a JSON value`);
      continue;
    }
    if (f.depth >= bounds.maxJsonDepth) {
      issues.add(pathOf(f), `nested too deeply (more than ${bounds.maxJsonDepth} levels)`);
      throw new FatalScenarioIssue();
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: f.depth + 1, parent: f, key: i });
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        issues.add(pathOf(f), 'is not a plain JSON object');
        continue;
      }
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ v: (v as Record<string, unknown>)[keys[i]], depth: f.depth + 1, parent: f, key: keys[i] });
      }
    }
  }
  return count;
}

const DEFINE_PREFIX = 'define.';
/** Longest chain of references resolved through one another. */
const MAX_REFERENCE_CHAIN = 64;

/**
 * Resolves every string that starts with "define." the way the engine's DefineResolver does
 * (the engine runs it over the whole scenario, texts included, at loadConfig), and returns a
 * deep copy. Differences from the engine, all stricter: own properties only (the engine's `in`
 * would reach Object.prototype), "__proto__" keys are dropped, expansion is bounded.
 */
export function resolveDefinesAndCopy(
  root: Record<string, unknown>,
  defines: Record<string, unknown>,
  bounds: ScanBounds,
  issues: IssueCollector,
): Record<string, unknown> {
  let produced = 0;
  const chain: string[] = [];
  // Paths are built only when an issue needs one: a linked list of keys is cheap per value.
  type Loc = { parent: Loc | null; key: string | number };
  const pathOf = (loc: Loc | null): string => {
    const keys: (string | number)[] = [];
    for (let cur = loc; cur; cur = cur.parent) keys.push(cur.key);
    let p = '$';
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      p = typeof k === 'number' ? indexPath(p, k) : keyPath(p, k);
    }
    return p;
  };

  const resolveValue = (v: unknown, depth: number, loc: Loc | null): unknown => {
    if (++produced > bounds.maxValues) {
      issues.add(pathOf(loc), `define references expand the scenario beyond ${bounds.maxValues} JSON values`);
      throw new FatalScenarioIssue();
    }
    if (typeof v === 'string') return v.startsWith(DEFINE_PREFIX) ? resolveReference(v, depth, loc) : v;
    if (v === null || typeof v !== 'object') return v;
    if (depth >= bounds.maxJsonDepth) {
      issues.add(pathOf(loc), `nested too deeply after define expansion (more than ${bounds.maxJsonDepth} levels)`);
      throw new FatalScenarioIssue();
    }
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = resolveValue(v[i], depth + 1, { parent: loc, key: i });
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      if (k === '__proto__') continue;
      out[k] = resolveValue((v as Record<string, unknown>)[k], depth + 1, { parent: loc, key: k });
    }
    return out;
  };

  const resolveReference = (ref: string, depth: number, loc: Loc | null): unknown => {
    const path = (): string => pathOf(loc);
    const parts = ref.slice(DEFINE_PREFIX.length).split('.');
    const rootKey = parts[0];
    if (!rootKey) {
      issues.add(
        path(),
        `invalid define reference ${JSON.stringify(ref)} (the renderer reads any string starting with "define." as a reference)`,
      );
      return undefined;
    }
    if (!Object.hasOwn(defines, rootKey)) {
      issues.add(
        path(),
        `undefined define key "${rootKey}" in ${JSON.stringify(ref)} (the renderer reads any string starting with "define." as a reference, and fails on this one)`,
      );
      return undefined;
    }
    if (chain.includes(ref)) {
      issues.add(path(), `circular define reference: ${[...chain, ref].join(' -> ')}`);
      return undefined;
    }
    if (chain.length >= MAX_REFERENCE_CHAIN) {
      issues.add(path(), `define references nested more than ${MAX_REFERENCE_CHAIN} deep`);
      throw new FatalScenarioIssue();
    }
    chain.push(ref);
    try {
      let resolved = resolveValue(defines[rootKey], depth, loc);
      for (let i = 1; i < parts.length; i++) {
        if (resolved === null || resolved === undefined) {
          issues.add(path(), `define reference ${JSON.stringify(ref)}: cannot read "${parts[i]}" of ${describe(resolved)}`);
          return undefined;
        }
        resolved =
          isPlainObject(resolved) || Array.isArray(resolved)
            ? Object.hasOwn(resolved, parts[i])
              ? (resolved as Record<string, unknown>)[parts[i]]
              : undefined
            : undefined;
      }
      return resolved;
    } finally {
      chain.pop();
    }
  };

  return resolveValue(root, 0, null) as Record<string, unknown>;
}
