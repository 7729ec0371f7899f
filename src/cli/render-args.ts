// The command line of `npm run render`, parsed and checked before anything starts: a missing file
// argument is a usage error (exit 2); an output option outside src/render/render-limits.ts is
// RENDER_INVALID_OPTIONS with the API's words (exit 1).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RENDER_OPTION_LIMITS, type RenderOptionField } from '../render/render-limits.js';
import { validateRenderOptions, type RenderOptions } from '../render/render-options.js';

const range = (f: RenderOptionField) => `${RENDER_OPTION_LIMITS[f].min}–${RENDER_OPTION_LIMITS[f].max}`;

export const RENDER_USAGE = [
  'usage: npm run render -- --video IN --scenario S.json --out OUT.mp4 [--width W] [--height H] [--fps F] [--quality Q]',
  '       npm run render -- --preflight --scenario S.json [--json]   (plugins, fonts, issues, estimate; renders nothing)',
  `       W ${range('width')} and H ${range('height')} (even; default: the source's size), F ${range('fps')} (default: the source's), Q ${range('quality')} (default 80)`,
].join('\n');

/** A command line that cannot be run as written: exit 2 with the usage; an empty message is --help (exit 0). */
export class UsageError extends Error {}

export interface RenderCommandLine {
  preflight: boolean;
  json: boolean;
  video: string;
  scenario: string;
  out: string;
  options: RenderOptions;
}

/** Throws UsageError, or RenderError RENDER_INVALID_OPTIONS for an option outside the limits. */
export function parseRenderCommandLine(argv: string[]): RenderCommandLine {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      fps: { type: 'string' },
      quality: { type: 'string' },
      preflight: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  for (const k of values.preflight ? (['scenario'] as const) : (['video', 'scenario', 'out'] as const)) {
    if (!values[k]) throw new UsageError(`--${k} is required`);
  }
  const num = (name: RenderOptionField) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const options: RenderOptions = { width: num('width'), height: num('height'), fps: num('fps'), quality: num('quality') };
  validateRenderOptions(options);
  return {
    preflight: values.preflight === true,
    json: values.json === true,
    video: resolve(values.video ?? '.'),
    scenario: resolve(values.scenario!),
    out: resolve(values.out ?? '.'),
    options,
  };
}
