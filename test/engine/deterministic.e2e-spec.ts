// The same render twice gives the same video, frame for frame: no wall clock, no randomness and
// no Chromium setting that makes rasterisation vary may leak into the caption layer.
// animated_subtitle: channel plugins (fade, pop, bob, shake); cwi_sentence_wave: the DOM plugin
// cwi-bouncing@2.0.0 and cwi-loud's 2× swell, which once came out differently on a loaded
// machine (the compositor's raster history; the page now rebuilds the caption DOM per seek).
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/deterministic
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

describe('deterministic output', () => {
  let dir: string;
  let app: INestApplicationContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-determinism-'));
    app = await createEngineContext();
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['animated_subtitle.json', 'cwi_sentence_wave.json'])('renders %s twice to identical frames', async (fixture) => {
    const src = await makeTestVideo({ path: join(dir, `src-${fixture}.mp4`), seconds: 8, width: 320, height: 180, fps: 10, audio: false });
    const source = await app.get(MediaProbe).probe(src);
    const prepared = prepareScenario(readFixture(fixture));
    const render = async (name: string) => {
      const outputPath = join(dir, `${fixture}-${name}`);
      const result = await app.get(StreamingPipeline).run({
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
    const first = await render('first.mp4');
    const second = await render('second.mp4');
    expect(first.result.framesCaptured).toBeGreaterThan(10);
    expect(second.hashes).toHaveLength(80);
    expect(second.hashes).toEqual(first.hashes);
  });
});
