// Joining segments (README "Delivery guarantees": long renders split across workers): segments of one render join by
// stream copy; segments whose encoder parameters differ — a GPU worker's NVENC segment next to a
// CPU worker's libx264 one — cannot share one MP4 track and are joined by encoding once more.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/join
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { countFrames, makeTestVideo, probeStreams } from '../helpers/media.js';
import { createEngineContext, readFixture } from '../helpers/engine.js';

jest.setTimeout(180_000);
const exec = promisify(execFile);

const W = 320;
const H = 180;
const FPS = 10;
const OPTIONS = { width: W, height: H, fps: FPS, quality: 80 };

/** ffmpeg's complaints while decoding every frame of `path` (empty = clean). */
async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await exec('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']);
  return stderr.trim();
}

describe('joining segments', () => {
  let dir: string;
  let app: INestApplicationContext;
  let engine: RenderEngine;
  let source: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-join-'));
    app = await createEngineContext();
    engine = app.get(RenderEngine);
    source = await makeTestVideo({ path: join(dir, 'source.mp4'), seconds: 6, width: W, height: H, fps: FPS, audio: true });
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const segment = async (idx: number, first: number, count: number) => {
    const outputPath = join(dir, `seg-${idx}.mp4`);
    await engine.renderSegment({
      videoPath: source,
      scenario: readFixture('animated_subtitle.json'),
      outputPath,
      options: OPTIONS,
      range: { first, count },
    });
    return outputPath;
  };

  it('segments of one render: by stream copy, every frame, the audio once', async () => {
    const segs = [await segment(0, 0, 30), await segment(1, 30, 30)];
    const out = join(dir, 'copy.mp4');
    const result = await engine.join({ segmentPaths: segs, sourcePath: source, outputPath: out, quality: 80 });
    expect(result.method).toBe('copy');
    expect(await countFrames(out)).toBe(60);
    expect((await probeStreams(out)).map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(await decodeErrors(out)).toBe('');
  });

  it('a segment from another encoder (other profile and SPS): encoded once more, every frame, decodes cleanly', async () => {
    const ours = await segment(0, 0, 30);
    // Frames 30–59 as another encoder would have made them: same size and rate, Baseline profile.
    const foreign = join(dir, 'seg-foreign.mp4');
    await exec('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      '3',
      '-i',
      source,
      '-an',
      '-frames:v',
      '30',
      '-r',
      String(FPS),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-profile:v',
      'baseline',
      '-pix_fmt',
      'yuv420p',
      foreign,
    ]);
    const out = join(dir, 'reencoded.mp4');
    const result = await engine.join({ segmentPaths: [ours, foreign], sourcePath: source, outputPath: out, quality: 80 });
    expect(result.method).toBe('reencode');
    expect(result.durationSec).toBeCloseTo(6, 1);
    expect(await countFrames(out)).toBe(60);
    expect((await probeStreams(out)).map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(await decodeErrors(out)).toBe('');
  });
});
