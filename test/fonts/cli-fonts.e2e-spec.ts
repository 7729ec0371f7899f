// The command line and fonts (issue 11.2): a scenario naming a family nobody has exits 1 naming it
// (FONT_FALLBACK=refuse, the default) and leaves no file; with FONT_FALLBACK=warn the MP4 is made
// and each warning is printed. The CLI builds its own guarded fetcher (no NetModule).
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCli, ensureCaptionPageBundle, makeColorVideo, runCli } from '../helpers/engine.js';
import { simpleScenario } from '../helpers/service-harness.js';

jest.setTimeout(240_000);

let dir: string;
let video: string;
let scenario: string;

beforeAll(async () => {
  ensureCaptionPageBundle();
  await compileCli();
  dir = mkdtempSync(join(tmpdir(), 'ecg-cli-fonts-'));
  video = await makeColorVideo({ path: join(dir, 'clip.mp4'), seconds: 1, width: 320, height: 180, fps: 5 });
  const s = simpleScenario({ text: 'Malgun 맑은 고딕', start: 0.1, end: 0.9 }) as Record<string, any>;
  s.tracks[0].defaultStyle.fontFamily = "'Malgun Gothic', sans-serif";
  scenario = join(dir, 'malgun.json');
  writeFileSync(scenario, JSON.stringify(s));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// No web origin: the family is neither shipped, installed nor fetchable.
const env = (extra: Record<string, string> = {}) => ({
  FONT_ORIGINS: 'none',
  FONT_CACHE_DIR: join(dir, 'cache'),
  RENDER_TMP_DIR: dir,
  ...extra,
});

it('FONT_FALLBACK=refuse: exit 1 naming the family, no output', async () => {
  const out = join(dir, 'refused.mp4');
  const r = await runCli(['--video', video, '--scenario', scenario, '--out', out], env(), randomUUID());
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /render failed \[RENDER_FONT_UNAVAILABLE\]: .*font family "Malgun Gothic" cannot be loaded \(not shipped, not installed, and FONT_ORIGINS is none\)/,
  );
  expect(existsSync(out)).toBe(false);
});

it('FONT_FALLBACK=warn: the MP4 is made and the warning printed', async () => {
  const out = join(dir, 'warned.mp4');
  const r = await runCli(['--video', video, '--scenario', scenario, '--out', out], env({ FONT_FALLBACK: 'warn' }), randomUUID());
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/^warning: font family "Malgun Gothic" cannot be loaded .*the fallback face is drawn instead$/m);
  expect(existsSync(out)).toBe(true);
});
