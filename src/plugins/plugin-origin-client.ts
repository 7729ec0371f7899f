// Fetches one plugin from the plugin origin through the guarded fetcher, in the editor's layout:
//   {origin}/plugins/{name}@{version}/manifest.json
//   {origin}/plugins/{name}@{version}/{manifest.entry}        (may redirect, e.g. to object storage)
//   {origin}/plugins/{name}@{version}/{preload[i] | assets/…}  relative to the plugin folder
// Every file has a size limit and a content-type check; network failures and 5xx answers are
// "unavailable" (retryable), everything else the origin gets wrong is a refusal.
import type { OriginPlugin, PluginFile } from '../../libs/caption-page/src/load-options.js';
import { FetchAbortedError, FetchError } from '../net/errors.js';
import type { GuardedFetcher } from '../net/guarded-fetcher.js';
import { PluginOriginUnavailableError, PluginRefusedError } from './plugin-errors.js';
import {
  contentTypeProblem,
  isSafePluginPath,
  scanEntryForAssets,
  servedContentType,
  type PluginFileRole,
  type PluginLimits,
} from './plugin-files.js';
import { pluginKey, type PluginKey } from './plugin-ref.js';

/** A manifest probe: the origin serves the plugin, or it does not (404 / 410 / 403). */
export type ManifestProbe = { served: true; manifest: Record<string, unknown> } | { served: false; status: number };

/** Statuses that mean "no such plugin here" (403: what S3-style storage answers for a missing key). */
const ABSENT = new Set([403, 404, 410]);

export class PluginOriginClient {
  constructor(
    private readonly fetcher: GuardedFetcher,
    /** No trailing slash. */
    readonly origin: string,
    private readonly limits: PluginLimits,
    private readonly timeoutMs: number,
  ) {}

  folderUrl(p: PluginKey): string {
    return `${this.origin}/plugins/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}/`;
  }

  async probeManifest(p: PluginKey, signal?: AbortSignal): Promise<ManifestProbe> {
    const got = await this.get(p, 'manifest.json', 'manifest', this.limits.manifestBytes, signal, true);
    if (!got.ok) return { served: false, status: got.status };
    let manifest: unknown;
    try {
      manifest = JSON.parse(Buffer.from(got.body).toString('utf8'));
    } catch (err) {
      throw new PluginRefusedError(pluginKey(p), `plugin ${pluginKey(p)}: manifest.json is not JSON (${(err as Error).message})`);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new PluginRefusedError(pluginKey(p), `plugin ${pluginKey(p)}: manifest.json is not a JSON object`);
    }
    return { served: true, manifest: manifest as Record<string, unknown> };
  }

  /** The whole plugin: manifest (probed already), entry, preload files and the assets its entry names. */
  async fetchPlugin(p: PluginKey, manifest: Record<string, unknown>, signal?: AbortSignal): Promise<OriginPlugin> {
    const key = pluginKey(p);
    const refuse = (why: string) => new PluginRefusedError(key, `plugin ${key}: ${why}`);
    const entry = manifestEntry(key, manifest);
    const preload = manifest.preload === undefined ? [] : manifest.preload;
    if (!Array.isArray(preload) || preload.some((x) => typeof x !== 'string' || !isSafePluginPath(x))) {
      throw refuse(
        `manifest.preload must be a list of relative paths inside the plugin folder, got ${JSON.stringify(preload).slice(0, 200)}`,
      );
    }
    const files: PluginFile[] = [];
    let total = 0;
    const add = (path: string, role: PluginFileRole, contentType: string | undefined, body: Uint8Array) => {
      total += body.byteLength;
      if (total > this.limits.totalBytes) throw refuse(`its files exceed ${this.limits.totalBytes} bytes together`);
      if (files.length >= this.limits.files) throw refuse(`more than ${this.limits.files} files`);
      files.push({ path, contentType: servedContentType(role, path, contentType), body });
    };
    add('manifest.json', 'manifest', 'application/json', Buffer.from(JSON.stringify(manifest)));

    const entryFile = await this.get(p, entry, 'entry', this.limits.entryBytes, signal, false);
    if (!entryFile.ok) throw refuse(`entry ${entry}: HTTP ${entryFile.status}`);
    add(entry, 'entry', entryFile.contentType, entryFile.body);

    // Preloaded files are the manifest's promise (missing = refused); scanned ones are our guess (missing = skipped).
    const scanned = scanEntryForAssets(Buffer.from(entryFile.body).toString('utf8'));
    const wanted = new Map<string, boolean>();
    for (const path of preload as string[]) wanted.set(path, true);
    for (const path of scanned) if (!wanted.has(path)) wanted.set(path, false);
    for (const [path, required] of wanted) {
      if (path === entry || path === 'manifest.json') continue;
      const got = await this.get(p, path, 'asset', this.limits.assetBytes, signal, true);
      if (!got.ok) {
        if (required) throw refuse(`preload file ${path}: HTTP ${got.status}`);
        continue;
      }
      add(path, 'asset', got.contentType, got.body);
    }
    return { name: p.name, version: p.version, manifest, entry, files };
  }

  /**
   * GET one file of the plugin folder. `absentOk`: a 403/404/410 answers {ok: false} instead of
   * refusing. Network errors and 5xx: unavailable (retryable); size and type: refused.
   */
  private async get(
    p: PluginKey,
    path: string,
    role: PluginFileRole,
    maxBytes: number,
    signal: AbortSignal | undefined,
    absentOk: boolean,
  ): Promise<{ ok: true; body: Uint8Array; contentType?: string } | { ok: false; status: number }> {
    const key = pluginKey(p);
    const url = this.folderUrl(p) + path;
    try {
      const res = await this.fetcher.fetch(url, {
        maxBytes,
        timeoutMs: this.timeoutMs,
        signal,
        headers: { accept: role === 'manifest' ? 'application/json' : '*/*' },
      });
      if (res.status < 200 || res.status >= 300) {
        await res.dump();
        if (res.status >= 500 || res.status === 408 || res.status === 429) {
          throw new PluginOriginUnavailableError(key, `plugin origin unavailable: ${url} answered HTTP ${res.status}`);
        }
        if (absentOk && ABSENT.has(res.status)) return { ok: false, status: res.status };
        throw new PluginRefusedError(key, `plugin ${key}: ${path} answered HTTP ${res.status}`);
      }
      const header = res.headers['content-type'];
      const contentType = Array.isArray(header) ? header[0] : header;
      const problem = contentTypeProblem(role, path, contentType);
      if (problem) {
        await res.dump();
        throw new PluginRefusedError(key, `plugin ${key}: ${problem}${res.redirects.length ? ` (at ${res.url})` : ''}`);
      }
      const body = await res.buffer();
      return { ok: true, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType };
    } catch (err) {
      if (err instanceof PluginOriginUnavailableError || err instanceof PluginRefusedError) throw err;
      if (err instanceof FetchError) {
        // A fetch shared by two renders may be aborted by the one that was cancelled: the other tries again.
        if (err instanceof FetchAbortedError) throw new PluginOriginUnavailableError(key, `plugin fetch aborted: ${url}`, { cause: err });
        if (err.retryable) throw new PluginOriginUnavailableError(key, `plugin origin unavailable: ${url}: ${err.message}`, { cause: err });
        throw new PluginRefusedError(key, `plugin ${key}: ${path}: ${err.message}${err.url && err.url !== url ? ` (at ${err.url})` : ''}`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}

/** The manifest's entry path; motiontext-renderer's own default (index.mjs) when it names none. */
export function manifestEntry(key: string, manifest: Record<string, unknown>): string {
  const entry = manifest.entry ?? 'index.mjs';
  if (typeof entry !== 'string' || !isSafePluginPath(entry)) {
    throw new PluginRefusedError(
      key,
      `plugin ${key}: manifest.entry must be a relative path inside the plugin folder, got ${JSON.stringify(entry)}`,
    );
  }
  return entry;
}
