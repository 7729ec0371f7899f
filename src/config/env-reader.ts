// Reading environment variables at boot: every problem is collected (named by its variable) and
// reported at once by ConfigError. Setting readers of other modules take an EnvReader.

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly problems: string[] = [];
  constructor(readonly env: Env) {}

  str(name: string, fallback: string): string;
  str(name: string): string | undefined;
  str(name: string, fallback?: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes)$/i.test(raw)) return true;
    if (/^(0|false|no)$/i.test(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)}: must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be one of ${allowed.join(' | ')}`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, fallback: string | undefined, protocols: string[]): string | undefined {
    const raw = this.str(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) throw new Error();
    } catch {
      this.problems.push(`${name}=${JSON.stringify(raw)}: must be a ${protocols.join(' or ')} URL`);
    }
    return raw;
  }

  list(name: string): string[] {
    return (this.str(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

/** ALLOW_PRIVATE_NETWORKS: test-only, refused when NODE_ENV=production. */
export function readAllowPrivateNetworks(r: EnvReader): boolean {
  const allow = r.bool('ALLOW_PRIVATE_NETWORKS', false);
  if (allow && r.env.NODE_ENV === 'production') r.problems.push('ALLOW_PRIVATE_NETWORKS: refused when NODE_ENV=production');
  return allow;
}
