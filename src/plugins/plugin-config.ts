// PLUGIN_ORIGIN, PLUGIN_PINS, PLUGIN_CACHE_DIR, read with the rest of the configuration at boot
// (src/config/app-config.ts) and by the command line; every problem names its variable.
import { resolve } from 'node:path';
import type { EnvReader } from '../config/env-reader.js';
import { readPinsFile } from './plugin-pins.js';

/** The editor's plugin server (issue 10): where origin plugins come from, how they are pinned and cached. */
export interface PluginOriginConfig {
  /** PLUGIN_ORIGIN without a trailing slash; unset: bundled plugins only. */
  origin?: string;
  /** PLUGIN_PINS: the file the pins were read from. */
  pinsFile?: string;
  /** "name@version" → SHA-256 (hex) of the plugin's entry module. */
  pins: Record<string, string>;
  /** PLUGIN_CACHE_DIR (default ./data/plugin-cache). */
  cacheDir: string;
  /** ALLOW_PRIVATE_NETWORKS (tests): redirects from the origin may reach loopback too. */
  allowPrivateNetworks: boolean;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function readPluginConfig(r: EnvReader, allowPrivateNetworks: boolean): PluginOriginConfig {
  const raw = r.str('PLUGIN_ORIGIN');
  let origin: string | undefined;
  if (raw !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(raw);
    } catch {
      r.problems.push(`PLUGIN_ORIGIN=${JSON.stringify(raw)}: must be an https URL`);
    }
    if (!u) {
      /* reported */
    } else if (u.username || u.password || u.search || u.hash) {
      r.problems.push(`PLUGIN_ORIGIN=${JSON.stringify(raw)}: must have no credentials, query or fragment`);
    } else if (u.protocol === 'https:' || (u.protocol === 'http:' && allowPrivateNetworks && LOOPBACK_HOST.test(u.hostname))) {
      origin = u.href.replace(/\/+$/, '');
    } else {
      r.problems.push(
        `PLUGIN_ORIGIN=${JSON.stringify(raw)}: must be an https URL (http only to a loopback address, with ALLOW_PRIVATE_NETWORKS=true)`,
      );
    }
  }
  const pinsPath = r.str('PLUGIN_PINS');
  let pins: Record<string, string> = {};
  if (pinsPath !== undefined) {
    const read = readPinsFile(resolve(pinsPath));
    pins = read.pins;
    for (const problem of read.problems) r.problems.push(`PLUGIN_PINS: ${problem}`);
    if (!origin && !read.problems.length) r.problems.push('PLUGIN_PINS: set without PLUGIN_ORIGIN (pins apply to origin plugins only)');
  }
  return {
    origin,
    pinsFile: pinsPath === undefined ? undefined : resolve(pinsPath),
    pins,
    cacheDir: resolve(r.str('PLUGIN_CACHE_DIR', './data/plugin-cache')),
    allowPrivateNetworks,
  };
}
