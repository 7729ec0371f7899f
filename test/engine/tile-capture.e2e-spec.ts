// Capture less (issue 15, src/render/tile-capture.ts): re-capturing only the changed words and
// pasting them into the page's previous frame must give exactly the frames of capturing the whole
// region every time. Every RGBA frame handed to ffmpeg is hashed in both renders and compared, on
// the editor's real workload (a cwi preview made by the editor's code, 1080p30, its first 20 s
// with captions) and on cwi / channel-plugin fixtures; the tile path must really have been taken.
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/engine/tile-capture
import { jest } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptionPage, type BBox } from '../../libs/caption-page/src/index.js';
import type { OriginPlugin, PageFont } from '../../libs/caption-page/src/load-options.js';
import { FfmpegProcess } from '../../src/encoder/ffmpeg-process.js';
import { MediaProbe } from '../../src/encoder/media-probe.js';
import { RenderEngine } from '../../src/render/render-engine.service.js';
import { StreamingPipeline } from '../../src/render/streaming-pipeline.js';
import type { PreparedScenario } from '../../src/scenario/prepare-scenario.js';
import { createEngineContext, ensureCaptionPageBundle, readFixture } from '../helpers/engine.js';
import { EDITOR_SCENARIOS_DIR } from '../helpers/editor-reference-dir.js';
import { makeTestVideo } from '../helpers/media.js';

jest.setTimeout(600_000);

const EDITOR_SCENARIO = join(EDITOR_SCENARIOS_DIR, 'editor-generated/fe-friends_result.cwi.preview-v20.json');

describe('tile capture gives the same frames as whole-region capture', () => {
  let dir: string;
  let app: INestApplicationContext;
  /** sha256 of every buffer written to an ffmpeg's stdin, while recording. */
  let written: string[] = [];
  /** The clips captured, while recording. */
  let clips: Array<BBox | undefined> = [];

  beforeAll(async () => {
    ensureCaptionPageBundle();
    dir = mkdtempSync(join(tmpdir(), 'ecg-tiles-'));
    app = await createEngineContext();
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called on its own instance below
    const write = FfmpegProcess.prototype.write;
    jest.spyOn(FfmpegProcess.prototype, 'write').mockImplementation(function (this: FfmpegProcess, chunk: Buffer | Uint8Array) {
      written.push(createHash('sha256').update(chunk).digest('hex'));
      return write.call(this, chunk);
    });
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called on its own instance below
    const capture = CaptionPage.prototype.capture;
    jest.spyOn(CaptionPage.prototype, 'capture').mockImplementation(function (this: CaptionPage, clip?: BBox) {
      clips.push(clip);
      return capture.call(this, clip);
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function both(
    name: string,
    prepared: PreparedScenario,
    o: { width: number; height: number; fps: number; seconds: number; first?: number; originPlugins?: OriginPlugin[]; fonts?: PageFont[] },
  ) {
    const src = await makeTestVideo({
      path: join(dir, `src-${name}.mp4`),
      seconds: o.seconds,
      width: o.width,
      height: o.height,
      fps: o.fps,
      audio: false,
    });
    const source = await app.get(MediaProbe).probe(src);
    const pipeline = app.get(StreamingPipeline);
    const render = async (tiles: boolean) => {
      written = [];
      clips = [];
      pipeline.tiles = tiles;
      try {
        const result = await pipeline.run({
          source,
          prepared,
          originPlugins: o.originPlugins,
          fonts: o.fonts,
          seed: 'tiles',
          outputPath: join(dir, `${name}-${tiles}.mp4`),
          width: o.width,
          height: o.height,
          fps: o.fps,
          quality: 80,
          encoder: 'libx264',
          x264Preset: 'ultrafast',
          range: o.first === undefined ? undefined : { first: o.first, count: Math.round(o.seconds * o.fps) - o.first },
        });
        return { result, frames: written, clips };
      } finally {
        pipeline.tiles = false;
      }
    };
    const whole = await render(false);
    const tiled = await render(true);
    expect(whole.result.region).not.toBeNull();
    const region = whole.result.region!;
    expect(whole.clips.every((c) => c && c.width === region.width && c.height === region.height)).toBe(true);
    expect(tiled.result).toEqual(whole.result);
    expect(tiled.frames).toHaveLength(whole.frames.length);
    const differing = whole.frames.flatMap((h, i) => (tiled.frames[i] === h ? [] : [i]));
    expect(differing).toEqual([]);
    const partial = tiled.clips.filter((c) => c && (c.width !== region.width || c.height !== region.height));
    return { captured: whole.result.framesCaptured, tiledClips: tiled.clips.length, partial: partial.length };
  }

  it.each([
    ['cwi_sentence_wave.json', 8],
    ['plugin_showcase.json', 8],
    ['animated_subtitle.json', 8],
  ])('%s, 640x360 @ 15 fps', async (fixture, seconds) => {
    const { prepared, originPlugins } = await app.get(RenderEngine).preparePlugins(readFixture(fixture));
    const r = await both(fixture, prepared, { width: 640, height: 360, fps: 15, seconds, originPlugins });
    expect(r.captured).toBeGreaterThan(10);
    if (fixture.startsWith('cwi')) expect(r.partial).toBeGreaterThan(0);
  });

  it("the editor's cwi preview (fe-friends), 1080p30, 20 s", async () => {
    const engine = app.get(RenderEngine);
    const plugged = await engine.preparePlugins(JSON.parse(readFileSync(EDITOR_SCENARIO, 'utf8')));
    const { prepared, fonts } = await engine.planFonts(plugged.prepared);
    const r = await both('editor', prepared, {
      width: 1920,
      height: 1080,
      fps: 30,
      seconds: 20,
      originPlugins: plugged.originPlugins,
      fonts,
    });
    expect(r.captured).toBeGreaterThan(100);
    // Most captures re-take a part of the region only.
    expect(r.partial).toBeGreaterThan(r.tiledClips / 2);
  });
});
