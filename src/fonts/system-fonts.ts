// The machine's installed faces as fontconfig sees them (Chromium on Linux asks fontconfig for
// fallback): family names and code-point coverage, read once per process with fc-list.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { normalizeRanges, rangesHave, type CodePointRanges } from './font-face-css.js';
import { familyKey } from './scenario-fonts.js';

const exec = promisify(execFile);

export interface SystemFonts {
  /** Family keys (familyKey) of every installed face, all names fontconfig lists. */
  families: ReadonlySet<string>;
  /** Union of the coverage of every installed face. */
  coverage: CodePointRanges;
}

/** Parses `fc-list --format '%{family}\t%{charset}\n'` output. */
export function parseFcList(out: string): SystemFonts {
  const families = new Set<string>();
  const ranges: Array<[number, number]> = [];
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    for (const name of line.slice(0, tab).split(',')) if (name.trim()) families.add(familyKey(name));
    for (const tok of line
      .slice(tab + 1)
      .trim()
      .split(/\s+/)) {
      const m = /^([0-9a-f]+)(?:-([0-9a-f]+))?$/i.exec(tok);
      if (m) ranges.push([parseInt(m[1], 16), parseInt(m[2] ?? m[1], 16)]);
    }
  }
  return { families, coverage: normalizeRanges(ranges) };
}

let cached: Promise<SystemFonts> | undefined;

/** The installed faces (no fontconfig: none — then only our bundled faces count). */
export function systemFonts(): Promise<SystemFonts> {
  cached ??= exec('fc-list', ['--format', '%{family}\t%{charset}\n'], { maxBuffer: 64 * 1024 * 1024 })
    .then(({ stdout }) => parseFcList(stdout))
    .catch(() => ({ families: new Set<string>(), coverage: [] }));
  return cached;
}

export function systemCovers(fonts: SystemFonts, cp: number): boolean {
  return rangesHave(fonts.coverage, cp);
}
