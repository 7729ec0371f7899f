// GPU degrades per job: with an ffmpeg whose NVENC passes the probe encode but dies in the middle
// of a real encode (as with no free encoder session or a driver error), the render is encoded
// again at once on libx264 — the job completes, the summary names libx264 and why.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { countFrames } from '../helpers/media.js';
import { createEngineContext, ensureCaptionPageBundle, makeColorVideo, readFixture } from '../helpers/engine.js';

describe('NVENC failing mid-render', () => {
  let dir: string;
  let app: INestApplicationContext;
  let fakeLog: string;

  beforeAll(async () => {
    ensureCaptionPageBundle();
    dir = mkdtempSync(join(tmpdir(), 'ecg-e2e-nvenc-'));
    fakeLog = join(dir, 'ffmpeg-calls.log');
    const fake = join(dir, 'ffmpeg');
    // The probe encode (a 256x256 black frame to null) succeeds; a real h264_nvenc encode reads
    // some frames, then fails the way a GPU without a free session does.
    writeFileSync(
      fake,
      [
        '#!/usr/bin/env bash',
        `FAKE_FFMPEG_LOG=${JSON.stringify(fakeLog)}`,
        'args="$*"',
        'if [[ "$args" == *h264_nvenc* ]]; then',
        '  if [[ "$args" == *"color=c=black:s=256x256"* ]]; then echo probe >> "$FAKE_FFMPEG_LOG"; exit 0; fi',
        '  echo nvenc >> "$FAKE_FFMPEG_LOG"',
        '  head -c 2000000 > /dev/null',
        '  echo "[h264_nvenc @ 0x55d0] OpenEncodeSessionEx failed: out of memory (10): (no details)" >&2',
        '  exit 1',
        'fi',
        'if [[ "$args" == *libx264* ]]; then echo libx264 >> "$FAKE_FFMPEG_LOG"; fi',
        'exec ffmpeg "$@"',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    app = await createEngineContext({ FFMPEG_PATH: fake, ENCODER: 'auto' });
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('completes on libx264, names the encoder and why, and leaves a complete MP4', async () => {
    const source = await makeColorVideo({ path: join(dir, 'src.mp4'), seconds: 3, width: 320, height: 180, fps: 30, audio: true });
    const out = join(dir, 'out.mp4');
    const engine = app.get(RenderEngine);
    const summary = await engine.render({
      videoPath: source,
      scenario: readFixture('basic.json'),
      outputPath: out,
      options: { fps: 30 }, // 320×180: the source's size
    });
    expect(summary.encoder).toBe('libx264');
    expect(summary.encoderFallback).toMatch(/OpenEncodeSessionEx failed/);
    expect(readFileSync(fakeLog, 'utf8').trim().split('\n')).toEqual(['probe', 'nvenc', 'libx264']);
    expect(await countFrames(out)).toBe(90);
  });
});
