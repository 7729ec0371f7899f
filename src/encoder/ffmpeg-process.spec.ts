import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  countFrames,
  extractFrameRgba,
  makeCaptionPng,
  makeTestVideo,
  pixelAt,
  probeDuration,
  probeStreams,
  processState,
} from '../../test/helpers/media.js';
import { FfmpegError } from './errors.js';
import { buildCompositeArgs, buildTranscodeArgs, expectedFrameCount } from './ffmpeg-args.js';
import { type FfmpegProgress, FfmpegProcess, liveFfmpegProcessCount, parseProgressBlock } from './ffmpeg-process.js';
import { MediaProbe } from './media-probe.js';

const W = 320;
const H = 240;
const FPS = 25;

describe('FfmpegProcess (real ffmpeg)', () => {
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecg-ffproc-'));
    source = await makeTestVideo({ path: path.join(dir, 'src.mp4'), seconds: 2, width: W, height: H, fps: FPS, audio: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('composites one PNG per output frame: 50 frames, same duration, audio kept, caption visible', async () => {
    const media = await new MediaProbe().probe(source);
    const frames = expectedFrameCount(media.durationSec, FPS);
    expect(frames).toBe(50);
    const output = path.join(dir, 'out.mp4');
    const args = buildCompositeArgs({
      sourcePath: media.path,
      output,
      width: W,
      height: H,
      fps: FPS,
      durationSec: media.durationSec,
      encoder: 'libx264',
      quality: 80,
      captionInput: { kind: 'png-pipe' },
      hasAudio: media.hasAudio,
      audioCodec: media.audioCodec,
    });
    const progress: FfmpegProgress[] = [];
    const ff = FfmpegProcess.start(args, { onProgress: (p) => progress.push(p) });
    // Transparent frames, except frames 10..19 which carry an opaque red box at (100,100) 40×30.
    const empty = makeCaptionPng(W, H);
    const red = makeCaptionPng(W, H, { x: 100, y: 100, w: 40, h: 30, color: [255, 0, 0, 255] });
    for (let i = 0; i < frames; i++) await ff.write(i >= 10 && i < 20 ? red : empty);
    await ff.finish();

    expect(await countFrames(output)).toBe(50);
    const duration = await probeDuration(output);
    expect(Math.abs(duration - media.durationSec)).toBeLessThanOrEqual(1 / FPS);
    const streams = await probeStreams(output);
    expect(streams.map((s) => [s.type, s.codec])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    const audio = streams.find((s) => s.type === 'audio')!;
    expect(Math.abs(audio.duration - media.durationSec)).toBeLessThanOrEqual(1 / FPS);

    // The caption shows exactly on frames 10..19, at its position.
    const [r9, r10, r19, r20] = await Promise.all([9, 10, 19, 20].map((i) => extractFrameRgba(output, i, W, H)));
    const isRed = (px: number[]) => px[0] > 200 && px[1] < 60 && px[2] < 60;
    expect(isRed(pixelAt(r10, W, 120, 115))).toBe(true);
    expect(isRed(pixelAt(r19, W, 120, 115))).toBe(true);
    expect(isRed(pixelAt(r9, W, 120, 115))).toBe(false);
    expect(isRed(pixelAt(r20, W, 120, 115))).toBe(false);
    // Source pixels outside the box are untouched (testsrc2 is never pure red there).
    expect(isRed(pixelAt(r10, W, 20, 20))).toBe(false);

    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ frame: 50, done: true });
    expect(liveFfmpegProcessCount()).toBe(0);
  });

  it('plain transcode baseline produces the same frame count and duration', async () => {
    const media = await new MediaProbe().probe(source);
    const output = path.join(dir, 'plain.mp4');
    const ff = FfmpegProcess.start(
      buildTranscodeArgs({
        sourcePath: media.path,
        output,
        width: W,
        height: H,
        fps: FPS,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 80,
        hasAudio: true,
        audioCodec: 'opus',
      }),
    );
    await ff.finish();
    expect(await countFrames(output)).toBe(50);
    expect((await probeStreams(output)).map((s) => s.codec)).toEqual(['h264', 'aac']);
  });

  it('changes the frame rate frame-exactly (25 → 30 fps, 2 s → 60 frames) and letterboxes to a new size', async () => {
    const media = await new MediaProbe().probe(source);
    const output = path.join(dir, 'fps30.mp4');
    const frames = expectedFrameCount(media.durationSec, 30);
    expect(frames).toBe(60);
    const ff = FfmpegProcess.start(
      buildCompositeArgs({
        sourcePath: media.path,
        output,
        width: 480,
        height: 270,
        fps: 30,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 60,
        captionInput: { kind: 'png-pipe', x: 0, y: 200 },
        hasAudio: false,
      }),
    );
    const strip = makeCaptionPng(480, 70, { x: 0, y: 0, w: 480, h: 70, color: [0, 0, 255, 255] });
    for (let i = 0; i < frames; i++) await ff.write(strip);
    await ff.finish();
    expect(await countFrames(output)).toBe(60);
    expect((await probeStreams(output)).map((s) => s.type)).toEqual(['video']);
    const f0 = await extractFrameRgba(output, 0, 480, 270);
    // 4:3 source in a 16:9 box → pillarbox: black at the left edge, blue strip at the bottom.
    expect(
      pixelAt(f0, 480, 5, 100)
        .slice(0, 3)
        .every((c) => c < 30),
    ).toBe(true);
    const blue = pixelAt(f0, 480, 240, 250);
    expect(blue[2] > 200 && blue[0] < 60).toBe(true);
  });

  it('a rotated source is autorotated to the size MediaProbe reports (no bars at that size)', async () => {
    const rotated = path.join(dir, 'rot.mp4');
    const { execFile } = await import('node:child_process');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', source, '-c', 'copy', '-metadata:s:v', 'rotate=90', rotated]);
    const media = await new MediaProbe().probe(rotated);
    expect([media.width, media.height]).toEqual([240, 320]);
    const output = path.join(dir, 'rot-out.mp4');
    await FfmpegProcess.start(
      buildTranscodeArgs({
        sourcePath: media.path,
        output,
        width: media.width,
        height: media.height,
        fps: media.fps,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 80,
        hasAudio: media.hasAudio,
        audioCodec: media.audioCodec,
      }),
    ).finish();
    const out = await new MediaProbe().probe(output);
    expect([out.width, out.height, out.rotation]).toEqual([240, 320, 0]);
    expect(await countFrames(output)).toBe(50);
  });

  it('kill() stops ffmpeg mid-stream, leaves no process (not even a zombie) and makes write/finish reject', async () => {
    const media = await new MediaProbe().probe(source);
    const ff = FfmpegProcess.start(
      buildCompositeArgs({
        sourcePath: media.path,
        output: path.join(dir, 'killed.mp4'),
        width: W,
        height: H,
        fps: FPS,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 80,
        captionInput: { kind: 'png-pipe' },
        hasAudio: true,
      }),
    );
    const pid = ff.pid!;
    expect(pid).toBeGreaterThan(0);
    await ff.write(makeCaptionPng(W, H));
    expect(await processState(pid)).toBeDefined();
    await Promise.all([ff.kill(), ff.kill()]); // idempotent
    await ff.kill();
    expect(await processState(pid)).toBeUndefined();
    await expect(ff.write(makeCaptionPng(W, H))).rejects.toBeInstanceOf(FfmpegError);
    await expect(ff.finish()).rejects.toThrow(/SIGKILL/);
    expect(liveFfmpegProcessCount()).toBe(0);
  });

  it('an AbortSignal kills ffmpeg and rejects a pending write with the abort reason', async () => {
    const media = await new MediaProbe().probe(source);
    const controller = new AbortController();
    const ff = FfmpegProcess.start(
      buildCompositeArgs({
        sourcePath: media.path,
        output: path.join(dir, 'aborted.mp4'),
        width: W,
        height: H,
        fps: FPS,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 80,
        captionInput: { kind: 'png-pipe' },
        hasAudio: true,
      }),
      { signal: controller.signal },
    );
    const pid = ff.pid!;
    // A chunk far bigger than the pipe buffer: write() is still waiting for 'drain' when we abort.
    const big = Buffer.concat(Array.from({ length: 20 }, () => makeCaptionPng(W, H)));
    const pending = ff.write(Buffer.concat([big, Buffer.alloc(8 * 1024 * 1024)]));
    controller.abort(new Error('job cancelled'));
    await expect(pending).rejects.toThrow('job cancelled');
    await ff.wait();
    expect(await processState(pid)).toBeUndefined();
    await expect(ff.finish()).rejects.toThrow('job cancelled');
  });

  it('finish() rejects with FfmpegError carrying stderr when ffmpeg fails', async () => {
    const ff = FfmpegProcess.start(['-hide_banner', '-nostdin', '-i', path.join(dir, 'missing.mp4'), '-f', 'null', '-']);
    const error = await ff.finish().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).exitCode).not.toBe(0);
    expect((error as FfmpegError).stderrTail.join('\n')).toMatch(/No such file or directory/);
  });

  it('a caption stream that ends early leaves the rest of the video untouched (eof_action=pass)', async () => {
    const media = await new MediaProbe().probe(source);
    const output = path.join(dir, 'short-captions.mp4');
    const ff = FfmpegProcess.start(
      buildCompositeArgs({
        sourcePath: media.path,
        output,
        width: W,
        height: H,
        fps: FPS,
        durationSec: media.durationSec,
        encoder: 'libx264',
        quality: 80,
        captionInput: { kind: 'rgba-pipe', width: W, height: H },
        hasAudio: true,
      }),
    );
    const opaqueGreen = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) opaqueGreen.set([0, 255, 0, 255], i * 4);
    for (let i = 0; i < 5; i++) await ff.write(opaqueGreen);
    await ff.finish();
    expect(await countFrames(output)).toBe(50);
    const green = (px: number[]) => px[1] > 200 && px[0] < 60 && px[2] < 60;
    expect(green(pixelAt(await extractFrameRgba(output, 4, W, H), W, 50, 50))).toBe(true);
    expect(green(pixelAt(await extractFrameRgba(output, 5, W, H), W, 50, 50))).toBe(false);
    await stat(output);
  });

  it("write() resolves once ffmpeg's pipe has the chunk: the caller may refill the same buffer at once", async () => {
    // The render decodes every frame into a pooled buffer and reuses it after write(): a write
    // that resolved while the chunk still sat in the stream's queue would send later pixels.
    // Small frames written fast, while ffmpeg is still starting, fill the pipe and queue up.
    const output = path.join(dir, 'reused.raw');
    const ff = FfmpegProcess.start([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-video_size',
      '64x64',
      '-framerate',
      '25',
      '-i',
      'pipe:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-y',
      output,
    ]);
    const frame = Buffer.alloc(64 * 64);
    for (let i = 0; i < 250; i++) {
      frame.fill(i);
      await ff.write(frame);
    }
    await ff.finish();
    const raw = await readFile(output);
    expect(raw.length).toBe(250 * 64 * 64);
    const wrong: number[] = [];
    for (let i = 0; i < 250; i++) if (raw[i * 64 * 64] !== i || raw[(i + 1) * 64 * 64 - 1] !== i) wrong.push(i);
    expect(wrong).toEqual([]);
  });

  it('write() rejects when ffmpeg exited, also while waiting for drain', async () => {
    // Exits at once (missing input): a later write is refused.
    const dead = FfmpegProcess.start(['-hide_banner', '-nostdin', '-i', path.join(dir, 'missing.mp4'), '-f', 'null', '-']);
    await dead.wait();
    await expect(dead.write(Buffer.from('x'))).rejects.toBeInstanceOf(FfmpegError);

    // Never reads stdin and exits after a short encode: a write bigger than the pipe waits for
    // 'drain', which never comes; it must reject when the process goes away.
    const busy = FfmpegProcess.start(['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=0.3', '-f', 'null', '-']);
    await expect(busy.write(Buffer.alloc(16 * 1024 * 1024))).rejects.toBeInstanceOf(FfmpegError);
    await busy.wait();
    expect(busy.hasExited).toBe(true);

    const bad = FfmpegProcess.start(['-hide_banner', '-nostdin', '-f', 'image2pipe', '-c:v', 'png', '-i', 'pipe:0', '-f', 'null', '-']);
    await bad.write(Buffer.from('definitely not a png'));
    await expect(bad.finish()).rejects.toBeInstanceOf(FfmpegError);
  });
});

describe('parseProgressBlock', () => {
  it('reads frame, out_time_us and speed', () => {
    const m = new Map([
      ['frame', '42'],
      ['out_time_us', '1680000'],
      ['speed', '1.25x'],
    ]);
    expect(parseProgressBlock(m, false)).toEqual({ frame: 42, outTimeSec: 1.68, speed: 1.25, done: false });
    expect(
      parseProgressBlock(
        new Map([
          ['frame', '50'],
          ['speed', 'N/A'],
        ]),
        true,
      ),
    ).toEqual({ frame: 50, done: true });
    expect(parseProgressBlock(new Map(), false)).toBeUndefined();
  });
});
