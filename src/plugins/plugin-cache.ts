// The plugin origin's files on disk, by name@version:
//   {PLUGIN_CACHE_DIR}/{name}@{version}/index.json   what was fetched: manifest, entry, files + SHA-256
//   {PLUGIN_CACHE_DIR}/{name}@{version}/files/{path} the bytes, as the origin served them
// A plugin is written whole into a temporary folder beside it and renamed into place, so a reader
// (another worker process on the same disk too) sees all of it or nothing. Every read re-hashes
// the files against the index: a damaged entry is dropped and fetched again, never served.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OriginPlugin, PluginFile } from '../../libs/caption-page/src/load-options.js';
import { isSafePluginPath } from './plugin-files.js';
import { pluginKey, type PluginKey } from './plugin-ref.js';

export interface CachedFileRecord {
  readonly path: string;
  readonly contentType: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface CacheIndex {
  readonly key: string;
  /** The origin it came from (a cache shared by two origins would otherwise mix them). */
  readonly origin: string;
  readonly fetchedAt: string;
  readonly manifest: Record<string, unknown>;
  readonly entry: string;
  readonly files: readonly CachedFileRecord[];
}

export interface CachedPlugin {
  readonly plugin: OriginPlugin;
  readonly index: CacheIndex;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export class PluginDiskCache {
  constructor(
    readonly dir: string,
    private readonly origin: string,
  ) {}

  private folder(key: string): string {
    return join(this.dir, key);
  }

  /** The cached plugin, verified file by file; null when absent, from another origin, or damaged (then removed). */
  async read(p: PluginKey): Promise<CachedPlugin | null> {
    const key = pluginKey(p);
    const folder = this.folder(key);
    let index: CacheIndex;
    try {
      index = JSON.parse(await readFile(join(folder, 'index.json'), 'utf8')) as CacheIndex;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      await this.drop(key);
      return null;
    }
    const records: unknown = index.files; // checked as data read from disk, without narrowing index.files to any[]
    if (index.key !== key || index.origin !== this.origin || !Array.isArray(records)) return null;
    const files: PluginFile[] = [];
    for (const f of index.files) {
      if (!isSafePluginPath(f.path)) return this.drop(key);
      const body = await readFile(join(folder, 'files', f.path)).catch(() => null);
      if (!body || sha256Hex(body) !== f.sha256) return this.drop(key);
      files.push({ path: f.path, contentType: f.contentType, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) });
    }
    if (!files.some((f) => f.path === index.entry)) return this.drop(key);
    return { plugin: { name: p.name, version: p.version, manifest: index.manifest, entry: index.entry, files }, index };
  }

  /** Only the index (no file reads): enough to know the origin served this plugin. */
  async has(p: PluginKey): Promise<boolean> {
    try {
      const index = JSON.parse(await readFile(join(this.folder(pluginKey(p)), 'index.json'), 'utf8')) as CacheIndex;
      return index.key === pluginKey(p) && index.origin === this.origin;
    } catch {
      return false;
    }
  }

  /** Writes a whole plugin atomically (temp folder + rename); `replace` overwrites a sound older copy. */
  async write(plugin: OriginPlugin, opts: { replace?: boolean } = {}): Promise<CacheIndex> {
    const key = pluginKey(plugin);
    const index: CacheIndex = {
      key,
      origin: this.origin,
      fetchedAt: new Date().toISOString(),
      manifest: { ...plugin.manifest },
      entry: plugin.entry,
      files: plugin.files.map((f) => ({ path: f.path, contentType: f.contentType, sha256: sha256Hex(f.body), bytes: f.body.byteLength })),
    };
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${key}-${randomUUID()}`);
    try {
      for (const f of plugin.files) {
        const target = join(tmp, 'files', f.path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, f.body);
      }
      await writeFile(join(tmp, 'index.json'), JSON.stringify(index, null, 1));
      try {
        await rename(tmp, this.folder(key));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        // Another process cached it first: keep theirs if it is sound, else replace it.
        if (opts.replace || !(await this.read(plugin))) {
          await rm(this.folder(key), { recursive: true, force: true });
          await rename(tmp, this.folder(key));
        }
      }
    } finally {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    }
    return index;
  }

  private async drop(key: string): Promise<null> {
    await rm(this.folder(key), { recursive: true, force: true }).catch(() => undefined);
    return null;
  }
}
