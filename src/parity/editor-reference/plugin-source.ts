// Where the editor reference page's plugin requests are answered from, on the server side: the
// page asks its fake plugin origin for `/plugins/{name}@{version}/…`; request interception hands
// the path to a PluginFileSource, so Chromium itself never touches the network.
//  - directoryPluginSource: a plugin-server folder on disk (the editor's layout), e.g.
//    ../shared/editor-reference/plugin-server/plugins;
//  - originPluginSource: a real plugin origin (PLUGIN_ORIGIN), fetched through the guarded fetcher
//    (redirects to object storage followed under the same rules).
import { readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { GuardedFetcher } from '../../net/guarded-fetcher.js';
import { contentTypeByExtension } from '../../plugins/plugin-files.js';

export interface PluginFileResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface PluginFileSource {
  /** A short description for messages ("dir /x/plugins", "origin https://…"). */
  readonly description: string;
  /** `path` is the URL path the page asked for, e.g. `/plugins/flames@2.0.0/assets/flame.gif`. */
  get(path: string): Promise<PluginFileResponse>;
}

// The type each file is served with: the plugin catalog's own table.
const contentTypeOf = contentTypeByExtension;

const PLUGIN_PATH = /^\/plugins\/([A-Za-z0-9._-]+@[0-9][A-Za-z0-9.+-]*)\/(.+)$/;

function notFound(): PluginFileResponse {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: Buffer.from('not found') };
}

/** Serves `{dir}/{name}@{version}/{path}`; 404 for anything outside a plugin folder. */
export function directoryPluginSource(dir: string): PluginFileSource {
  const root = resolve(dir);
  return {
    description: `dir ${root}`,
    async get(path: string): Promise<PluginFileResponse> {
      const m = PLUGIN_PATH.exec(path);
      if (!m) return notFound();
      const pluginDir = join(root, m[1]);
      const file = resolve(pluginDir, m[2]);
      if (!file.startsWith(pluginDir + sep)) return notFound();
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return notFound();
      return { status: 200, contentType: contentTypeOf(file), body: await readFile(file) };
    },
  };
}

/** Fetches `{origin}{path}` through the guarded fetcher (the origin must be allowed by its options). */
export function originPluginSource(origin: string, fetcher: GuardedFetcher, maxBytes = 32 * 1024 * 1024): PluginFileSource {
  const base = origin.replace(/\/+$/, '');
  return {
    description: `origin ${base}`,
    async get(path: string): Promise<PluginFileResponse> {
      if (!PLUGIN_PATH.test(path)) return notFound();
      const res = await fetcher.fetch(`${base}${path}`, { maxBytes, timeoutMs: 30_000 });
      const body = await res.buffer();
      const ct = res.headers['content-type'];
      return { status: res.status, contentType: (Array.isArray(ct) ? ct[0] : ct) ?? contentTypeOf(path), body };
    },
  };
}
