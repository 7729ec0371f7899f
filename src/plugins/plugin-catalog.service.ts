// PluginCatalog: which plugins a scenario names come from where. With a plugin origin configured,
// the origin wins for every name@version it serves; the rest come from our bundle; a plugin
// neither has is unknown. Origin plugins are fetched once (guarded fetcher), verified against
// PLUGIN_PINS, cached on disk by name@version and read back from there without network.
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { OriginPlugin } from '../../libs/caption-page/src/load-options.js';
import { resolveBundledPlugin, type PluginRef } from '../../libs/caption-page/src/plugin-manifest.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { PluginDiskCache, sha256Hex } from './plugin-cache.js';
import { PluginOriginError, PluginOriginUnavailableError, PluginPinMismatchError, PluginRefusedError } from './plugin-errors.js';
import { DEFAULT_PLUGIN_LIMITS, type PluginLimits } from './plugin-files.js';
import { PluginOriginClient, type ManifestProbe } from './plugin-origin-client.js';
import type { PluginPins } from './plugin-pins.js';
import { parsePluginRef, pluginKey, type PluginKey } from './plugin-ref.js';

export const PLUGIN_CATALOG_OPTIONS = Symbol('PLUGIN_CATALOG_OPTIONS');

export interface PluginCatalogOptions {
  /** The plugin origin (no trailing slash); unset: bundled plugins only. */
  readonly origin?: string;
  readonly cacheDir: string;
  /** "name@version" → SHA-256 (hex) of the plugin's entry module. */
  readonly pins?: PluginPins;
  /** Test only: the whole address policy off (the origin itself is always allowed). */
  readonly allowPrivateNetworks?: boolean;
  /** How long a manifest answer (served or not) is trusted in memory (default 60 s). */
  readonly manifestTtlMs?: number;
  /** Deadline of each file fetch (default 20 s). */
  readonly timeoutMs?: number;
  readonly limits?: Partial<PluginLimits>;
}

/** Where each named plugin comes from, without fetching entries (manifests only): for the API. */
export interface PluginClassification {
  readonly origin: PluginRef[];
  readonly bundled: PluginRef[];
  readonly unknown: string[];
  /** Not decidable now: the origin is down and the bundle lacks it. */
  readonly unavailable: string[];
  /** Why each unknown or unavailable reference is so. */
  readonly reasons: Readonly<Record<string, string>>;
  /** Each reference as written → where it comes from. */
  readonly byRef: Readonly<Record<string, PluginSource>>;
}

export type PluginSource =
  | { readonly from: 'origin' | 'bundled'; readonly name: string; readonly version: string }
  | { readonly from: 'unknown' | 'unavailable'; readonly reason: string };

/** What a render needs: origin plugins loaded (files in memory), bundled ones named. */
export interface PluginResolution {
  readonly origin: OriginPlugin[];
  readonly bundled: PluginRef[];
  readonly unknown: string[];
}

type Verdict =
  | { from: 'origin'; key: PluginKey }
  | { from: 'bundled'; ref: PluginRef }
  | { from: 'unknown'; reason: string }
  | { from: 'unavailable'; error: PluginOriginError };

@Injectable()
export class PluginCatalog implements OnApplicationShutdown {
  private readonly logger = new Logger(PluginCatalog.name);
  private readonly client?: PluginOriginClient;
  private readonly fetcher?: GuardedFetcher;
  private readonly cache?: PluginDiskCache;
  private readonly pins: PluginPins;
  private readonly ttlMs: number;
  private readonly manifests = new Map<string, { until: number; probe: ManifestProbe }>();
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(@Optional() @Inject(PLUGIN_CATALOG_OPTIONS) options: PluginCatalogOptions = { cacheDir: '' }) {
    this.pins = options.pins ?? {};
    this.ttlMs = options.manifestTtlMs ?? 60_000;
    if (options.origin) {
      const url = new URL(options.origin);
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      // The configured origin is allowed explicitly (an operator's choice, like S3_ENDPOINT);
      // every redirect away from it is judged by the ordinary address policy.
      this.fetcher = new GuardedFetcher({
        allowHttp: url.protocol === 'http:',
        allowHosts: [`${url.hostname}:${port}`],
        allowPrivateNetworks: options.allowPrivateNetworks ?? false,
        userAgent: 'ecg-render-plugin-fetcher',
      });
      const origin = options.origin.replace(/\/+$/, '');
      this.client = new PluginOriginClient(
        this.fetcher,
        origin,
        { ...DEFAULT_PLUGIN_LIMITS, ...options.limits },
        options.timeoutMs ?? 20_000,
      );
      this.cache = new PluginDiskCache(options.cacheDir, origin);
    }
  }

  /** The plugin origin, when one is configured. */
  get origin(): string | undefined {
    return this.client?.origin;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.fetcher?.close();
  }

  /** Manifests only (memory and disk caches first): fast enough to answer at create. */
  async classify(refs: Iterable<string>, signal?: AbortSignal): Promise<PluginClassification> {
    const out = {
      origin: [] as PluginRef[],
      bundled: [] as PluginRef[],
      unknown: [] as string[],
      unavailable: [] as string[],
      reasons: {} as Record<string, string>,
      byRef: {} as Record<string, PluginSource>,
    };
    const unique = [...new Set(refs)];
    const verdicts = await mapLimited(unique, PROBE_CONCURRENCY, (ref) => this.verdict(ref, true, signal));
    unique.forEach((ref, i) => {
      const v = verdicts[i];
      if (v.from === 'origin') {
        out.origin.push(v.key);
        out.byRef[ref] = { from: 'origin', name: v.key.name, version: v.key.version };
      } else if (v.from === 'bundled') {
        out.bundled.push(v.ref);
        out.byRef[ref] = { from: 'bundled', name: v.ref.name, version: v.ref.version };
      } else if (v.from === 'unknown') {
        out.unknown.push(ref);
        out.reasons[ref] = v.reason;
        out.byRef[ref] = { from: 'unknown', reason: v.reason };
      } else {
        out.unavailable.push(ref);
        out.reasons[ref] = v.error.message;
        out.byRef[ref] = { from: 'unavailable', reason: v.error.message };
      }
    });
    return out;
  }

  /**
   * Loads what a render needs. Throws PluginOriginUnavailableError (retryable) when the origin
   * cannot be asked, PluginRefusedError when it serves something we refuse (e.g. a pin mismatch).
   */
  async resolve(refs: Iterable<string>, signal?: AbortSignal): Promise<PluginResolution> {
    const unique = [...new Set(refs)];
    const verdicts = await mapLimited(unique, PROBE_CONCURRENCY, (ref) => this.verdict(ref, false, signal));
    const failed = verdicts.find((v) => v.from === 'unavailable');
    if (failed) throw failed.error;
    const originKeys = new Map<string, PluginKey>();
    for (const v of verdicts) if (v.from === 'origin') originKeys.set(pluginKey(v.key), v.key);
    const origin = await mapLimited([...originKeys.values()], PROBE_CONCURRENCY, (k) => this.load(k, signal));
    return {
      origin,
      bundled: dedupe(verdicts.flatMap((v) => (v.from === 'bundled' ? [v.ref] : []))),
      unknown: unique.filter((_, i) => verdicts[i].from === 'unknown'),
    };
  }

  private bundledOr(key: PluginKey | null, ref: string, why: string): Verdict {
    const bundled = key ? resolveBundledPlugin(pluginKey(key)) : null;
    return bundled ? { from: 'bundled', ref: bundled } : { from: 'unknown', reason: why };
  }

  /**
   * `bundledWhenDown`: with the origin unreachable, a plugin we bundle counts as bundled (create
   * may accept it: the render asks the origin again); a render itself never guesses.
   */
  private async verdict(ref: string, bundledWhenDown: boolean, signal?: AbortSignal): Promise<Verdict> {
    const key = parsePluginRef(ref);
    if (!key) return { from: 'unknown', reason: 'not a plugin name ("name" or "name@version")' };
    if (!this.client) return this.bundledOr(key, ref, 'this service does not bundle it (and has no plugin origin)');
    if (await this.cache!.has(key)) return { from: 'origin', key };
    try {
      const probe = await this.probe(key, signal);
      if (probe.served) return { from: 'origin', key };
      return this.bundledOr(key, ref, `neither the plugin origin (HTTP ${probe.status}) nor this service's bundle has ${pluginKey(key)}`);
    } catch (err) {
      if (err instanceof PluginOriginUnavailableError) {
        const bundled = bundledWhenDown ? resolveBundledPlugin(pluginKey(key)) : null;
        return bundled ? { from: 'bundled', ref: bundled } : { from: 'unavailable', error: err };
      }
      if (err instanceof PluginRefusedError) return { from: 'unknown', reason: err.message };
      throw err;
    }
  }

  private async probe(key: PluginKey, signal?: AbortSignal): Promise<ManifestProbe> {
    const k = pluginKey(key);
    const cached = this.manifests.get(k);
    if (cached && cached.until > Date.now()) return cached.probe;
    return this.once(`probe:${k}`, async () => {
      const probe = await this.client!.probeManifest(key, signal);
      this.remember(k, probe);
      return probe;
    });
  }

  private load(key: PluginKey, signal?: AbortSignal): Promise<OriginPlugin> {
    const k = pluginKey(key);
    return this.once(`load:${k}`, async () => {
      const pin = this.pins[k];
      const cached = await this.cache!.read(key);
      if (cached) {
        const entry = cached.index.files.find((f) => f.path === cached.index.entry)!;
        if (!pin || entry.sha256 === pin) return cached.plugin;
        this.logger.warn(`plugin ${k}: cached entry ${entry.sha256} does not match its pin ${pin}; fetching it again`);
      }
      const probe = await this.probe(key, signal);
      if (!probe.served) throw new PluginRefusedError(k, `plugin ${k}: the plugin origin no longer serves it (HTTP ${probe.status})`);
      const plugin = await this.client!.fetchPlugin(key, probe.manifest, signal);
      const entryFile = plugin.files.find((f) => f.path === plugin.entry)!;
      const actual = sha256Hex(entryFile.body);
      if (pin && actual !== pin) throw new PluginPinMismatchError(k, pin, actual, `${this.client!.folderUrl(key)}${plugin.entry}`);
      await this.cache!.write(plugin, { replace: !!cached });
      this.logger.log(`plugin ${k} fetched from the plugin origin (${plugin.files.length} files, entry sha256 ${actual})`);
      return plugin;
    });
  }

  /** Manifest answers for a short while; the map stays bounded whatever names scenarios invent. */
  private remember(key: string, probe: ManifestProbe): void {
    const now = Date.now();
    if (this.manifests.size >= MAX_REMEMBERED_MANIFESTS) {
      for (const [k, v] of this.manifests) if (v.until <= now) this.manifests.delete(k);
      // Still full: forget the oldest (a Map iterates in insertion order).
      for (const k of this.manifests.keys()) {
        if (this.manifests.size < MAX_REMEMBERED_MANIFESTS) break;
        this.manifests.delete(k);
      }
    }
    this.manifests.delete(key);
    this.manifests.set(key, { until: now + this.ttlMs, probe });
  }

  /** One flight per key: concurrent renders asking for the same plugin share one fetch. */
  private once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key);
    if (running) return running as Promise<T>;
    const p = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

/** Requests to the origin in flight at once for one classify/resolve. */
const PROBE_CONCURRENCY = 8;
const MAX_REMEMBERED_MANIFESTS = 5000;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function dedupe(refs: PluginRef[]): PluginRef[] {
  const seen = new Map<string, PluginRef>();
  for (const r of refs) seen.set(`${r.name}@${r.version}`, r);
  return [...seen.values()];
}
