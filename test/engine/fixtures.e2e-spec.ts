// Every MotionText sample (v2.0 at the top and under v2/, editor v1.3 under legacy/) renders
// end to end — real Chromium, real ffmpeg — over one shared test video with audio:
// complete MP4, exact frame count, duration within one frame, audio kept, captions captured.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/fixtures
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedFrameCount } from '../../src/encoder/ffmpeg-args.js';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { createEngineContext, ensureCaptionPageBundle, listFixtures, readFixture } from '../helpers/engine.js';
import { countFrames, makeTestVideo, probeDuration, probeStreams } from '../helpers/media.js';

jest.setTimeout(120_000);

// The samples' cues run from 0 s to 26 s (plugin_showcase), except cwi_demo_full (4.4 s – 143 s):
// a 26 s source covers all of them but that one's tail. 320×180 at 4 fps keeps it cheap.
const SECONDS = 26;
const W = 320;
const H = 180;
const FPS = 4;
/** One AAC frame at 48 kHz, plus rounding of the container's timestamps. */
const AAC_FRAME = 1024 / 48000;

const FIXTURES = listFixtures();

describe('every MotionText fixture renders end to end', () => {
  let dir: string;
  let source: string;
  let sourceDuration: number;
  let sourceAudioDuration: number;
  let app: INestApplicationContext;
  let engine: RenderEngine;

  beforeAll(async () => {
    ensureCaptionPageBundle();
    dir = mkdtempSync(join(tmpdir(), 'ecg-e2e-fixtures-'));
    source = await makeTestVideo({ path: join(dir, 'source.mp4'), seconds: SECONDS, width: W, height: H, fps: FPS, audio: true });
    sourceDuration = await probeDuration(source);
    const audio = (await probeStreams(source)).find((s) => s.type === 'audio');
    sourceAudioDuration = audio!.duration;
    app = await createEngineContext();
    engine = app.get(RenderEngine);
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has the samples: top level, v2/ and legacy/ (editor v1.3)', () => {
    expect(FIXTURES.filter((f) => !f.includes('/')).length).toBeGreaterThanOrEqual(10);
    expect(FIXTURES.filter((f) => f.startsWith('v2/')).length).toBeGreaterThanOrEqual(2);
    expect(FIXTURES.filter((f) => f.startsWith('legacy/')).length).toBeGreaterThanOrEqual(10);
    expect(FIXTURES.map((f) => readFixture(f).version)).toContain('1.3');
  });

  it.each(FIXTURES)('%s', async (fixture) => {
    const out = join(dir, `${fixture.replace(/[/.]/g, '_')}.mp4`);
    const summary = await engine.render({
      videoPath: source,
      scenario: readFixture(fixture),
      outputPath: out,
      options: { fps: FPS, quality: 60 }, // W×H: the source's size
    });

    const expected = expectedFrameCount(sourceDuration, FPS);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.partial.'))).toEqual([]);
    expect(summary).toMatchObject({ outputPath: out, width: W, height: H, fps: FPS, framesTotal: expected });
    expect(summary.framesCaptured).toBeGreaterThan(0);
    expect(summary.framesCaptured).toBeLessThanOrEqual(expected);

    expect(await countFrames(out)).toBe(expected);
    expect(Math.abs((await probeDuration(out)) - sourceDuration)).toBeLessThanOrEqual(1 / FPS + 1e-3);

    const streams = await probeStreams(out);
    expect(streams.filter((s) => s.type === 'video').map((s) => s.codec)).toEqual(['h264']);
    const audio = streams.filter((s) => s.type === 'audio');
    expect(audio).toHaveLength(1);
    expect(Math.abs(audio[0].duration - sourceAudioDuration)).toBeLessThanOrEqual(AAC_FRAME + 1e-3);
  });
});
