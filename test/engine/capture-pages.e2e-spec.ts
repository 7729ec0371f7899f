// Surveying and capturing on two pages (issue 15) gives the same frames as on one: every seek
// builds the caption DOM from scratch, so which page draws a frame must not show. Fixtures with
// channel plugins (animated_subtitle) and DOM plugins (cwi_sentence_wave: cwi-bouncing, cwi-loud).
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/capture-pages
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MediaProbe } from '../../src/encoder/media-probe.js';
import { StreamingPipeline } from '../../src/render/streaming-pipeline.js';
import { prepareScenario } from '../../src/scenario/prepare-scenario.js';
import { makeTestVideo } from '../helpers/media.js';
import { createEngineContext, readFixture } from '../helpers/engine.js';

jest.setTimeout(180_000);
const exec = promisify(execFile);

async function frameHashes(path: string): Promise<string[]> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-f', 'framemd5', '-']);
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

describe('capture on several pages', () => {
  let dir: string;
  let app: INestApplicationContext;
  let pipeline: StreamingPipeline;
  let saved: { pages: number; min: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-capture-pages-'));
    app = await createEngineContext();
    pipeline = app.get(StreamingPipeline);
    saved = { pages: pipeline.capturePages, min: pipeline.minFramesForMorePages };
  });

  afterAll(async () => {
    if (pipeline) Object.assign(pipeline, { capturePages: saved.pages, minFramesForMorePages: saved.min });
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['animated_subtitle.json', 'cwi_sentence_wave.json'])('renders %s on two pages to the frames of one page', async (fixture) => {
    const src = await makeTestVideo({ path: join(dir, `src-${fixture}.mp4`), seconds: 8, width: 320, height: 180, fps: 10, audio: false });
    const source = await app.get(MediaProbe).probe(src);
    const prepared = prepareScenario(readFixture(fixture));
    const render = async (pages: number) => {
      pipeline.capturePages = pages;
      pipeline.minFramesForMorePages = 0;
      const outputPath = join(dir, `${fixture}-${pages}.mp4`);
      const result = await pipeline.run({
        source,
        prepared,
        outputPath,
        width: 320,
        height: 180,
        fps: 10,
        quality: 80,
        encoder: 'libx264',
        x264Preset: 'ultrafast',
      });
      return { result, hashes: await frameHashes(outputPath) };
    };
    const one = await render(1);
    const two = await render(2);
    expect(one.result.framesCaptured).toBeGreaterThan(10);
    expect(two.result.framesCaptured).toBe(one.result.framesCaptured);
    expect(two.result.region).toEqual(one.result.region);
    expect(two.hashes).toHaveLength(80);
    expect(two.hashes).toEqual(one.hashes);
  });
});
