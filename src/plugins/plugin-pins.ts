// PLUGIN_PINS: a text file, one pin a line — `name@version sha256hex` — blank lines and lines
// starting with # ignored. A pin covers the plugin's ENTRY module (the bytes of the file the
// manifest's `entry` names, after redirects): `sha256sum plugins/NAME@VERSION/index.mjs` gives it.
import { readFileSync } from 'node:fs';
import { parsePluginRef, pluginKey } from './plugin-ref.js';

export type PluginPins = Readonly<Record<string, string>>;

/** Parses the pins file's text; every problem names its line. */
export function parsePins(text: string): { pins: Record<string, string>; problems: string[] } {
  const pins: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    const where = `line ${i + 1}`;
    if (parts.length !== 2)
      return void problems.push(`${where}: expected "name@version sha256hex", got ${JSON.stringify(line.slice(0, 80))}`);
    const [ref, hash] = parts;
    const key = ref.includes('@') ? parsePluginRef(ref) : null;
    if (!key) return void problems.push(`${where}: ${JSON.stringify(ref)} is not name@version`);
    if (!/^[0-9a-fA-F]{64}$/.test(hash))
      return void problems.push(`${where}: ${JSON.stringify(hash.slice(0, 80))} is not a SHA-256 in hex (64 characters)`);
    const k = pluginKey(key);
    if (pins[k] && pins[k] !== hash.toLowerCase()) return void problems.push(`${where}: ${k} is pinned twice with different hashes`);
    pins[k] = hash.toLowerCase();
  });
  return { pins, problems };
}

/** Reads and parses the pins file; problems name the file and the line. */
export function readPinsFile(path: string): { pins: Record<string, string>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { pins: {}, problems: [`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  const { pins, problems } = parsePins(text);
  return { pins, problems: problems.map((p) => `${path} ${p}`) };
}
