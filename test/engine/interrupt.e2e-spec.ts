// Ctrl-C (SIGINT) and SIGTERM in the middle of a CLI render: exit 130 within a few seconds, no
// output, no *.partial.mp4, no Chromium or ffmpeg left running, an empty RENDER_TMP_DIR.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/interrupt
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileCli,
  descendantsOf,
  ensureCaptionPageBundle,
  FIXTURES_DIR,
  killTagged,
  processesTagged,
  startCli,
  waitForNoTagged,
  waitForOutput,
} from '../helpers/engine.js';
import { makeTestVideo } from '../helpers/media.js';

jest.setTimeout(120_000);

/** Exit within this long after the signal: a hang detector ("a few seconds"), not a benchmark. */
const EXIT_WITHIN_MS = 5_000;

describe('interrupting a CLI render', () => {
  let work: string;
  let video: string;
  const tags: string[] = [];

  beforeAll(async () => {
    ensureCaptionPageBundle();
    await compileCli();
    work = mkdtempSync(join(tmpdir(), 'ecg-e2e-interrupt-'));
    // 40 s at 480×270, 10 fps: 400 frames with captions on 1–26 s — far longer than we let it run.
    video = await makeTestVideo({ path: join(work, 'long.mp4'), seconds: 40, width: 480, height: 270, fps: 10, audio: true });
  });

  afterAll(() => {
    for (const tag of tags) killTagged(tag);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s once progress shows: exit 130, nothing left behind', async (signal) => {
    const tag = randomUUID();
    tags.push(tag);
    const outDir = join(work, `out-${signal}`);
    const tmp = join(work, `tmp-${signal}`);
    mkdirSync(outDir);
    mkdirSync(tmp);
    const out = join(outDir, 'long-captioned.mp4');

    const cli = startCli(
      ['--video', video, '--scenario', join(FIXTURES_DIR, 'plugin_showcase.json'), '--out', out],
      { RENDER_TMP_DIR: tmp, TMPDIR: tmp },
      tag,
    );
    const killer = setTimeout(() => cli.child.kill('SIGKILL'), 60_000);
    try {
      // Progress lines ("N/400 frames") go to stderr once frames flow; fall back to a fixed delay.
      const sawProgress = await waitForOutput(cli, (o) => /\d+\/400 frames/.test(o), 20_000);
      expect({ sawProgress, output: sawProgress ? '' : cli.output() }).toEqual({ sawProgress: true, output: '' });

      // Mid-render: Chromium and ffmpeg are running, under the CLI and carrying its tag; the
      // partial file is being written beside the output.
      const running = descendantsOf(cli.pid).map((p) => p.comm);
      expect(running).toEqual(expect.arrayContaining(['ffmpeg']));
      expect(running.some((c) => /chrom/i.test(c))).toBe(true);
      const tagged = processesTagged(tag).map((p) => p.comm);
      expect(tagged).toEqual(expect.arrayContaining(['ffmpeg']));
      expect(tagged.some((c) => /chrom/i.test(c))).toBe(true);
      // ffmpeg creates it once it has probed its inputs, a moment after the first frames.
      const partials = async () => {
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
          const found = readdirSync(outDir).filter((f) => f.endsWith('.partial.mp4'));
          if (found.length) return found;
        }
        return readdirSync(outDir);
      };
      expect(await partials()).toEqual([expect.stringMatching(/^long-captioned\.mp4\.[0-9a-f]+\.partial\.mp4$/)]);

      const sentAt = Date.now();
      cli.child.kill(signal);
      const result = await cli.done;
      const exitMs = Date.now() - sentAt;

      expect({ code: result.code, signal: result.signal }).toEqual({ code: 130, signal: null });
      expect(result.stderr).toContain(`${signal}: stopping the render`);
      expect(result.stderr).toMatch(new RegExp(`RENDER_CANCELLED.*interrupted by ${signal}`));
      expect(result.stdout).not.toMatch(/rendered /);
      expect({ exitMs, inTime: exitMs < EXIT_WITHIN_MS }).toEqual({ exitMs, inTime: true });

      expect(readdirSync(outDir)).toEqual([]); // no output, no *.partial.mp4
      expect(readdirSync(tmp)).toEqual([]); // RENDER_TMP_DIR (and Chromium's profile in TMPDIR) cleaned
      expect((await waitForNoTagged(tag, 3000)).map((p) => `${p.pid} ${p.comm}`)).toEqual([]);
    } finally {
      clearTimeout(killer);
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    }
  });
});
