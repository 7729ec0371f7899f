// The `render` command line on bad input, as a user runs it (compiled CLI, child process): every
// case exits non-zero with a message naming the problem, and leaves nothing behind — no output,
// no *.partial.mp4, no directory, nothing in its temp dir, no Chromium or ffmpeg process.
// And one good render: exit 0 and the summary.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/bad-input
import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileCli,
  ensureCaptionPageBundle,
  FIXTURES_DIR,
  killTagged,
  runCli,
  startCli,
  waitForNoTagged,
  type CliResult,
} from '../helpers/engine.js';
import { countFrames, makeTestVideo } from '../helpers/media.js';

jest.setTimeout(120_000);

/** Every file below `dir`, relative, sorted (directories end with '/'). */
function tree(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory()) out.push(`${prefix}${e.name}/`, ...tree(join(dir, e.name), `${prefix}${e.name}/`));
    else out.push(`${prefix}${e.name}`);
  }
  return out;
}

describe('render CLI', () => {
  let work: string;
  /** Inputs, never written by the CLI. */
  let inputs: string;
  /** RENDER_TMP_DIR and TMPDIR of the CLI (Chromium's profile goes to TMPDIR). */
  let tmp: string;
  let video: string;
  let scenario: string;
  const tags: string[] = [];

  beforeAll(async () => {
    ensureCaptionPageBundle();
    await compileCli();
    work = mkdtempSync(join(tmpdir(), 'ecg-e2e-cli-'));
    inputs = join(work, 'in');
    tmp = join(work, 'tmp');
    mkdirSync(inputs);
    mkdirSync(tmp);
    video = await makeTestVideo({ path: join(inputs, 'clip.mp4'), seconds: 2, width: 320, height: 180, fps: 10, audio: true });
    scenario = join(inputs, 'tilted_box.json');
    copyFileSync(join(FIXTURES_DIR, 'tilted_box.json'), scenario);
    writeFileSync(join(inputs, 'notes.mp4'), 'these are my notes, not a video\n'.repeat(20));
    writeFileSync(join(inputs, 'empty.mp4'), '');
    writeFileSync(join(inputs, 'broken.json'), '{"version": "2.0", "cues": [ {"id": "c1",');
    writeFileSync(
      join(inputs, 'unknown-plugin.json'),
      JSON.stringify({
        version: '2.0',
        timebase: { unit: 'seconds' },
        stage: { baseAspect: '16:9' },
        tracks: [{ id: 'sub', type: 'subtitle', layer: 1 }],
        cues: [
          {
            id: 'c1',
            track: 'sub',
            root: {
              id: 'g1',
              eType: 'group',
              children: [{ id: 't1', eType: 'text', text: 'hello', displayTime: [0, 1], pluginChain: [{ name: 'sparkle@9.9.9' }] }],
            },
          },
        ],
      }),
    );
    // Spelled e_type (the engine reads eType only) and an empty text: nothing would ever show.
    writeFileSync(
      join(inputs, 'mounts-nothing.json'),
      JSON.stringify({
        version: '2.0',
        timebase: { unit: 'seconds' },
        stage: { baseAspect: '16:9' },
        tracks: [{ id: 'sub', type: 'subtitle', layer: 1 }],
        cues: [
          {
            id: 'c1',
            track: 'sub',
            root: { id: 'g1', e_type: 'group', children: [{ id: 't1', e_type: 'text', text: '  ', displayTime: [0, 1] }] },
          },
        ],
      }),
    );
  });

  afterAll(() => {
    for (const tag of tags) killTagged(tag);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the CLI with a fresh tag, RENDER_TMP_DIR/TMPDIR = tmp, and checks nothing is left behind. */
  async function run(args: string[]): Promise<{ result: CliResult; leftovers: { tmp: string[]; processes: string[] } }> {
    const tag = randomUUID();
    tags.push(tag);
    const before = tree(inputs);
    const result = await runCli(args, { RENDER_TMP_DIR: tmp, TMPDIR: tmp }, tag);
    const processes = (await waitForNoTagged(tag, 3000)).map((p) => `${p.pid} ${p.comm} (${p.state})`);
    expect(tree(inputs)).toEqual(before);
    return { result, leftovers: { tmp: tree(tmp), processes } };
  }

  const v = (name: string) => join(inputs, name);

  // [case, args (OUT is replaced by the case's output path), exit code, message on stderr]
  const BAD: Array<[string, (out: string) => string[], number, RegExp]> = [
    [
      'missing video file',
      (o) => ['--video', v('nope.mp4'), '--scenario', v('tilted_box.json'), '--out', o],
      1,
      /video rejected: file does not exist/,
    ],
    [
      'a text file named .mp4',
      (o) => ['--video', v('notes.mp4'), '--scenario', v('tilted_box.json'), '--out', o],
      1,
      /video rejected: not a readable video/,
    ],
    [
      'a zero-byte video',
      (o) => ['--video', v('empty.mp4'), '--scenario', v('tilted_box.json'), '--out', o],
      1,
      /video rejected: the file is empty \(0 bytes\)/,
    ],
    [
      'invalid JSON scenario',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('broken.json'), '--out', o],
      1,
      /scenario .*broken\.json is not valid JSON/,
    ],
    [
      'missing scenario file',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('nope.json'), '--out', o],
      2,
      /scenario .*nope\.json: no such file/,
    ],
    [
      'unknown plugin',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('unknown-plugin.json'), '--out', o],
      1,
      /pluginChain\[0\]\.name: unknown plugin "sparkle@9\.9\.9"/,
    ],
    [
      'a scenario that mounts nothing',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('mounts-nothing.json'), '--out', o],
      1,
      /the scenario mounts nothing/,
    ],
    [
      '--width -2 (parsed as an option)',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--width', '-2'],
      2,
      /--width/,
    ],
    [
      '--width=-2',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--width=-2'],
      1,
      /width must be from 480 to 3840, got -2/,
    ],
    [
      'odd --width 641',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--width', '641'],
      1,
      /width must be even .*got 641/,
    ],
    [
      'huge --width 100000',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--width', '100000'],
      1,
      /width must be from 480 to 3840, got 100000/,
    ],
    [
      '--width abc',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--width', 'abc'],
      2,
      /--width must be a number, got "abc"/,
    ],
    [
      '--fps 0',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--fps', '0'],
      1,
      /fps must be from 1 to 60, got 0/,
    ],
    [
      '--fps 1000',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--fps', '1000'],
      1,
      /fps must be from 1 to 60, got 1000/,
    ],
    [
      '--fps 2.5',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--fps', '2.5'],
      1,
      /fps must be an integer, got 2\.5/,
    ],
    [
      '--quality 5',
      (o) => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json'), '--out', o, '--quality', '5'],
      1,
      /quality must be from 10 to 100, got 5/,
    ],
    ['--out missing', () => ['--video', v('clip.mp4'), '--scenario', v('tilted_box.json')], 2, /--out is required/],
  ];

  it.each(BAD)('%s: exits non-zero, names the problem, leaves nothing behind', async (_name, argsFor, code, message) => {
    // The output's directory does not exist yet: a rejected render must not create it either.
    const outRoot = join(work, `out-${randomUUID().slice(0, 8)}`);
    const out = join(outRoot, 'nested', 'out.mp4');
    const { result, leftovers } = await run(argsFor(out));
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
    expect(result.stdout).not.toMatch(/rendered /);
    expect(existsSync(outRoot)).toBe(false);
    expect(leftovers).toEqual({ tmp: [], processes: [] });
  });

  /** Milliseconds from the summary's last line on stdout to the process' exit, in the good run. */
  let shutdownMs: number | undefined;

  it('a short clip renders: exit 0, the summary, a complete MP4 and nothing else', async () => {
    const outRoot = join(work, 'out-ok');
    const out = join(outRoot, 'nested', 'clip-captioned.mp4');
    const tag = randomUUID();
    tags.push(tag);
    const cli = startCli(
      ['--video', video, '--scenario', scenario, '--out', out, '--fps', '10'],
      { RENDER_TMP_DIR: tmp, TMPDIR: tmp },
      tag,
    );
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 90_000);
    let summaryAt: number | undefined;
    cli.child.stdout!.on('data', () => {
      if (summaryAt === undefined && /realtime\)/.test(cli.output())) summaryAt = Date.now();
    });
    const result = await cli.done;
    clearTimeout(timer);
    if (summaryAt !== undefined) shutdownMs = Date.now() - summaryAt;

    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(result.stdout).toContain(`rendered ${out}`);
    expect(result.stdout).toMatch(/frames\s+20 \((\d+) captured, 320x180 @ 10 fps\)/);
    expect(Number(/\((\d+) captured/.exec(result.stdout)![1])).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/duration\s+2\.00 s/);
    expect(result.stdout).toMatch(/encoder\s+(libx264|h264_nvenc)/);
    expect(result.stdout).toMatch(/wall time\s+\d+\.\d\d s\s+\(\d+\.\d\dx realtime\)/);
    // Progress went to stderr (a line per 10 % on a pipe), not into the summary.
    expect(result.stderr).toMatch(/100%\s+20\/20 frames/);

    expect(tree(outRoot)).toEqual(['nested/', 'nested/clip-captioned.mp4']);
    expect(await countFrames(out)).toBe(20);
    expect(tree(tmp)).toEqual([]);
    expect(await waitForNoTagged(tag, 3000)).toEqual([]);
  });

  it('exits promptly once the render is done (nothing keeps node alive after the summary)', () => {
    // Shutdown is closing one Chromium and the Nest context: well under a second here. A timer
    // left running (e.g. an uncleared timeout raced against browser.close()) shows up as seconds.
    expect(shutdownMs).toBeDefined();
    expect({ shutdownMs, prompt: shutdownMs! < 2000 }).toEqual({ shutdownMs, prompt: true });
  });
});
