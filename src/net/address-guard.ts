import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { FetchFailedError, FetchRefusedError } from './errors.js';
import type { GuardedFetcherOptions, HostResolver, ResolvedAddress } from './fetch-types.js';
import { checkAddress, isLocalhostName } from './ip-policy.js';

const defaultResolver: HostResolver = async (hostname) => {
  const all = await dnsLookup(hostname, { all: true, order: 'verbatim' });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The guarded fetcher's scheme and address policy (the address verdicts are ip-policy.ts's),
 * applied twice: to every URL before it is requested (scheme and literal addresses, no network)
 * and at connect time, where host names are resolved by us, every resolved address is checked
 * and the socket connects to exactly the addresses checked.
 */
export class AddressGuard {
  private readonly resolver: HostResolver;
  private readonly allowHosts: Set<string>;

  constructor(private readonly opts: Pick<GuardedFetcherOptions, 'allowHttp' | 'allowHosts' | 'allowPrivateNetworks' | 'resolver'>) {
    this.resolver = opts.resolver ?? defaultResolver;
    this.allowHosts = new Set((opts.allowHosts ?? []).map((h) => h.toLowerCase()));
  }

  /**
   * Validate a URL against the scheme policy and literal-address policy without any network
   * activity. Throws FetchRefusedError. Host names are checked later, at connect time.
   */
  assertUrlAllowed(input: string | URL): URL {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : new URL(input.href);
    } catch {
      throw new FetchRefusedError('invalid URL', String(input));
    }
    if (url.protocol === 'http:') {
      if (!this.opts.allowHttp) throw new FetchRefusedError('scheme http: is not allowed (https only)', url.href);
    } else if (url.protocol !== 'https:') {
      throw new FetchRefusedError(`scheme ${url.protocol} is not allowed`, url.href);
    }
    if (!url.hostname) throw new FetchRefusedError('URL has no host', url.href);
    const host = stripBrackets(url.hostname);
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    if (!this.isExempt(host, port)) {
      if (isIP(host)) {
        const verdict = checkAddress(host);
        if (!verdict.allowed) throw new FetchRefusedError(verdict.reason!, url.href);
      } else if (isLocalhostName(host)) {
        throw new FetchRefusedError(`host ${host} is loopback`, url.href);
      }
    }
    return url;
  }

  /**
   * undici's connect hook: resolves and checks the host, then connects to the checked addresses
   * only, in resolver order, falling back to the next on failure. A rebinding DNS server
   * therefore cannot swap the address between check and connect.
   */
  connector(connectTimeoutMs: number): buildConnector.connector {
    const baseConnect = buildConnector({ timeout: connectTimeoutMs });
    return (connectOpts, callback) => {
      const host = stripBrackets(connectOpts.hostname);
      const port = Number(connectOpts.port) || (connectOpts.protocol === 'https:' ? 443 : 80);
      this.resolveChecked(host, port).then(
        (addresses) => {
          const attempt = (i: number, lastErr?: Error): void => {
            if (i >= addresses.length) {
              callback(lastErr ?? new FetchFailedError(`no address for ${host}`), null);
              return;
            }
            baseConnect(
              {
                ...connectOpts,
                hostname: addresses[i].address,
                // Keep SNI + certificate check on the real host name.
                servername: isIP(host) ? undefined : host,
              },
              (err, socket) => {
                if (err) attempt(i + 1, err);
                else callback(null, socket);
              },
            );
          };
          attempt(0);
        },
        (err: Error) => callback(err, null),
      );
    };
  }

  private isExempt(host: string, port: number): boolean {
    if (this.opts.allowPrivateNetworks) return true;
    if (this.allowHosts.size === 0) return false;
    const h = host.toLowerCase();
    const shown = isIP(h) === 6 ? `[${h}]` : h;
    return this.allowHosts.has(h) || this.allowHosts.has(shown) || this.allowHosts.has(`${shown}:${port}`);
  }

  /** Resolve a host and check every address (one bad address refuses the host). */
  private async resolveChecked(host: string, port: number): Promise<ResolvedAddress[]> {
    const exempt = this.isExempt(host, port);
    if (!exempt && isLocalhostName(host)) throw new FetchRefusedError(`host ${host} is loopback`);
    let addresses: ResolvedAddress[];
    const family = isIP(host);
    if (family) {
      addresses = [{ address: host, family: family as 4 | 6 }];
    } else {
      try {
        addresses = await this.resolver(host);
      } catch (err) {
        throw new FetchFailedError(`DNS resolution of ${host} failed: ${(err as Error).message}`, undefined, { cause: err });
      }
      if (!addresses.length) throw new FetchFailedError(`DNS resolution of ${host} returned no address`);
    }
    if (!exempt) {
      for (const a of addresses) {
        const verdict = checkAddress(a.address);
        if (!verdict.allowed) {
          throw new FetchRefusedError(family ? verdict.reason! : `${verdict.reason} (resolved from ${host})`);
        }
      }
    }
    return addresses;
  }
}
