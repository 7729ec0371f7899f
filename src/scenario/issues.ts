import { MAX_REPORTED_ISSUES, ScenarioIssue } from './types.js';

/** Thrown internally once the issue list is full; prepareScenario turns it into the error. */
export class IssueCapReached extends Error {}

/** Collects issues up to a cap. `fatal` issues stop the run at once (limits, depth). */
export class IssueCollector {
  readonly issues: ScenarioIssue[] = [];
  truncated = false;

  constructor(private readonly cap = MAX_REPORTED_ISSUES) {}

  add(path: string, reason: string): void {
    if (this.issues.length >= this.cap) {
      this.truncated = true;
      throw new IssueCapReached();
    }
    this.issues.push({ path, reason });
  }

  get size(): number {
    return this.issues.length;
  }
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends an object key to a JSON path: `$.a`, or `$["a b"]` when the key is not an identifier. */
export function keyPath(base: string, key: string): string {
  return IDENT.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(s)}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
