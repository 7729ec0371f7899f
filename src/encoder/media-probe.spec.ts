import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTestVideo } from '../../test/helpers/media.js';
import { MediaRejectedError } from './errors.js';
import { buildProbeArgs, DEFAULT_MEDIA_LIMITS, evaluateProbe, MediaProbe, parseRate, reasonFromStderr } from './media-probe.js';
import type { ProcessRunner } from './process-runner.js';

async function rejection(p: Promise<unknown>): Promise<string> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaRejectedError);
  return (error as MediaRejectedError).reason;
}

describe('MediaProbe (real ffprobe)', () => {
  let dir: string;
  let mp4: string;
  const probe = new MediaProbe();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ecg-probe-'));
    mp4 = await makeTestVideo({ path: path.join(dir, 'ok.mp4'), seconds: 2, width: 320, height: 240, fps: 25, audio: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a real MP4 and reports its fields', async () => {
    const media = await probe.probe(mp4);
    expect(media).toEqual({
      path: mp4,
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec: 2,
      width: 320,
      height: 240,
      codedWidth: 320,
      codedHeight: 240,
      fps: 25,
      fpsFraction: '25/1',
      rotation: 0,
      hasAudio: true,
      audioDurationSec: expect.any(Number),
      audioCodec: 'aac',
      videoCodec: 'h264',
      sizeBytes: expect.any(Number),
    });
    expect(Math.abs(media.audioDurationSec! - 2)).toBeLessThan(0.05);
    expect(media.sizeBytes).toBeGreaterThan(1000);
  });

  it('accepts MKV and NTSC rates, video without audio', async () => {
    const mkv = await makeTestVideo({
      path: path.join(dir, 'ntsc.mkv'),
      seconds: 1,
      width: 64,
      height: 48,
      fps: 30000 / 1001,
      audio: false,
    });
    const media = await probe.probe(mkv);
    expect(media.formatName).toBe('matroska,webm');
    expect(media.fpsFraction).toBe('30000/1001');
    expect(media.fps).toBeCloseTo(29.97, 2);
    expect(media.hasAudio).toBe(false);
    expect(media.audioDurationSec).toBeUndefined();
  });

  it('reports rotation and the displayed (rotated) size', async () => {
    const rotated = path.join(dir, 'rot.mp4');
    // The rotate tag is honoured on stream copy (as phones write it: a display matrix).
    const { execFile } = await import('node:child_process');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', mp4, '-c', 'copy', '-metadata:s:v', 'rotate=90', rotated]);
    const media = await probe.probe(rotated);
    // ffprobe shows display-matrix rotation 90 (counter-clockwise); ffmpeg's autorotate turns it
    // with transpose=cclock, i.e. 270° clockwise.
    expect(media.rotation).toBe(270);
    expect([media.width, media.height, media.codedWidth, media.codedHeight]).toEqual([240, 320, 320, 240]);
  });

  it('applies overridable limits', async () => {
    expect(await rejection(probe.probe(mp4, { maxDurationSec: 1 }))).toBe('video too long: 2 s (limit 1 s)');
    expect(await rejection(probe.probe(mp4, { maxSizeBytes: 1000 }))).toMatch(/^file too large: .* \(limit 1000 bytes\)$/);
    expect(await rejection(probe.probe(mp4, { maxLongSide: 300 }))).toBe('video too large: 320×240 (limit 300×4320)');
    expect(await rejection(probe.probe(mp4, { minSide: 256 }))).toBe('video too small: 320×240 (minimum 256 px a side)');
    expect(await rejection(probe.probe(mp4, { maxStreams: 1 }))).toBe('too many streams: 2 (limit 1)');
    expect(await rejection(probe.probe(mp4, { maxFps: 24 }))).toBe('frame rate too high: 25 fps (limit 24)');
  });

  describe('hostile inputs', () => {
    it('zero bytes', async () => {
      const p = path.join(dir, 'zero.mp4');
      await writeFile(p, '');
      expect(await rejection(probe.probe(p))).toBe('the file is empty (0 bytes)');
    });

    it('random bytes', async () => {
      const p = path.join(dir, 'random.mp4');
      await writeFile(p, randomBytes(100_000));
      // Now and then ffprobe reads random bytes as raw h263, which the format whitelist refuses.
      expect(await rejection(probe.probe(p))).toMatch(/^not a readable video: |^not a video: format '\w+' is not accepted$/);
    });

    it('random bytes without a video extension', async () => {
      const p = path.join(dir, 'random.bin');
      await writeFile(p, randomBytes(100_000));
      expect(await rejection(probe.probe(p))).toMatch(/^not a (readable )?video/);
    });

    it('truncated MP4 (first 2 KB)', async () => {
      const p = path.join(dir, 'truncated.mp4');
      await writeFile(p, (await readFile(mp4)).subarray(0, 2048));
      expect(await rejection(probe.probe(p))).toBe(
        'not a readable video: the MP4/MOV index (moov atom) is missing — the file is truncated or not a video',
      );
    });

    it('an HLS playlist saved as .mp4 (pointing at a local file)', async () => {
      const p = path.join(dir, 'playlist.mp4');
      await writeFile(p, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n${mp4}\n#EXT-X-ENDLIST\n`);
      expect(await rejection(probe.probe(p))).toBe("not a video: format 'hls' is not accepted");
    });

    it('an HLS playlist pointing at a URL', async () => {
      const p = path.join(dir, 'remote.m3u8');
      await writeFile(p, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://169.254.169.254/latest/meta-data/x.ts\n#EXT-X-ENDLIST\n');
      expect(await rejection(probe.probe(p))).toBe("not a video: format 'hls' is not accepted");
    });

    it('an ffconcat file', async () => {
      const p = path.join(dir, 'list.mp4');
      await writeFile(p, `ffconcat version 1.0\nfile '${mp4}'\nfile '/etc/passwd'\n`);
      expect(await rejection(probe.probe(p))).toBe("not a video: format 'concat' is not accepted");
    });

    it('an image disguised as a video', async () => {
      const p = path.join(dir, 'image.mp4');
      // 1×1 PNG
      await writeFile(
        p,
        Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
      );
      expect(await rejection(probe.probe(p))).toBe("not a video: format 'png_pipe' is not accepted");
    });

    it('a text file (tty demuxer)', async () => {
      const p = path.join(dir, 'notes.txt');
      await writeFile(p, 'hello\nworld\n');
      expect(await rejection(probe.probe(p))).toMatch(/^not a (readable )?video/);
    });

    it('a symlink, even to a good video', async () => {
      const p = path.join(dir, 'link.mp4');
      await symlink(mp4, p);
      expect(await rejection(probe.probe(p))).toBe('symbolic links are not accepted');
    });

    it('URLs and protocol specifiers', async () => {
      for (const url of [
        'http://example.com/a.mp4',
        'https://10.0.0.1/v.mp4',
        'file:///etc/passwd',
        'concat:/a.mp4|/b.mp4',
        'pipe:0',
        'x/../http://a',
      ]) {
        expect(await rejection(probe.probe(url))).toBe('only local files are accepted, not URLs or protocol specifiers');
      }
    });

    it('devices, directories, missing files', async () => {
      expect(await rejection(probe.probe('/dev/zero'))).toBe('not a regular file (device, pipe, socket or directory)');
      expect(await rejection(probe.probe(dir))).toBe('not a regular file (device, pipe, socket or directory)');
      expect(await rejection(probe.probe(path.join(dir, 'nope.mp4')))).toBe('file does not exist');
    });

    it('an audio-only file', async () => {
      const p = path.join(dir, 'audio.mp4');
      await copyFile(mp4, path.join(dir, 'tmp-src.mp4'));
      const { execFile } = await import('node:child_process');
      await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', path.join(dir, 'tmp-src.mp4'), '-vn', '-c', 'copy', p]);
      expect(await rejection(probe.probe(p))).toBe('not a video: the file has no decodable video stream');
    });

    it('a name with a colon is not taken for a protocol', async () => {
      await mkdir(path.join(dir, 'sub'), { recursive: true });
      const p = path.join(dir, 'sub', 'a:b.mp4');
      await copyFile(mp4, p);
      expect((await probe.probe(p)).durationSec).toBe(2);
    });
  });

  it('a hung ffprobe is killed at the timeout', async () => {
    const slow: ProcessRunner = (_cmd, _args, opts) =>
      import('./process-runner.js').then(({ runProcess }) => runProcess('sleep', ['30'], opts));
    const started = Date.now();
    const reason = await rejection(new MediaProbe({ runner: slow }).probe(mp4, { probeTimeoutMs: 300 }));
    expect(reason).toBe('probing took longer than 0.3 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('ffprobe gate: pure parts', () => {
  it('builds the exact ffprobe arguments', () => {
    expect(buildProbeArgs('/data/in.mp4')).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,matroska,avi,mpegts',
      '-show_format',
      '-show_streams',
      '-of',
      'json',
      'file:/data/in.mp4',
    ]);
  });

  const file = { path: '/x.mp4', sizeBytes: 123 };
  const video = {
    codec_type: 'video',
    codec_name: 'h264',
    width: 1920,
    height: 1080,
    avg_frame_rate: '30000/1001',
    r_frame_rate: '30000/1001',
  };

  it('rejects a format outside the allowlist even if ffprobe read it', () => {
    for (const f of ['hls', 'concat', 'image2', 'lavfi', 'tty', 'sdp', 'flv', 'mp3']) {
      expect(() => evaluateProbe({ format: { format_name: f, duration: '1' }, streams: [video] }, file)).toThrow(
        new MediaRejectedError(`not a video: format '${f}' is not accepted`),
      );
    }
  });

  it('ignores cover art and codec-less video streams', () => {
    const json = {
      format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10' },
      streams: [
        { codec_type: 'audio', codec_name: 'aac', duration: '10' },
        { ...video, codec_name: 'mjpeg', disposition: { attached_pic: 1 } },
        { codec_type: 'video', width: 100, height: 100 },
      ],
    };
    expect(() => evaluateProbe(json, file)).toThrow('no decodable video stream');
  });

  it('reads avg_frame_rate, then r_frame_rate; rotation from the display matrix or the tag', () => {
    const base = { format: { format_name: 'mpegts', duration: '5.5' } };
    const a = evaluateProbe({ ...base, streams: [{ ...video, avg_frame_rate: '0/0', r_frame_rate: '25/1' }] }, file);
    expect([a.fps, a.fpsFraction, a.rotation]).toEqual([25, '25/1', 0]);
    const b = evaluateProbe({ ...base, streams: [{ ...video, side_data_list: [{ rotation: -90 }] }] }, file);
    expect([b.rotation, b.width, b.height]).toEqual([90, 1080, 1920]);
    const c = evaluateProbe({ ...base, streams: [{ ...video, tags: { rotate: '180' } }] }, file);
    expect([c.rotation, c.width, c.height]).toEqual([180, 1920, 1080]);
    expect(() => evaluateProbe({ ...base, streams: [{ ...video, avg_frame_rate: '0/0', r_frame_rate: '0/0' }] }, file)).toThrow(
      'no known frame rate',
    );
  });

  it('accepts 8K portrait, refuses beyond', () => {
    const fmt = { format_name: 'matroska,webm', duration: '1' };
    expect(evaluateProbe({ format: fmt, streams: [{ ...video, width: 4320, height: 7680 }] }, file).height).toBe(7680);
    expect(() => evaluateProbe({ format: fmt, streams: [{ ...video, width: 7682, height: 4320 }] }, file)).toThrow('video too large');
    expect(() => evaluateProbe({ format: fmt, streams: [{ ...video, width: 15, height: 4320 }] }, file)).toThrow('video too small');
  });

  it('refuses unknown or absurd durations', () => {
    const s = [video];
    expect(() => evaluateProbe({ format: { format_name: 'avi' }, streams: s }, file)).toThrow('no known duration');
    expect(() => evaluateProbe({ format: { format_name: 'avi', duration: 'N/A' }, streams: s }, file)).toThrow('no known duration');
    expect(() => evaluateProbe({ format: { format_name: 'avi', duration: String(4 * 3600 + 1) }, streams: s }, file)).toThrow(
      'video too long: 4 h 0 min (limit 4 h 0 min)',
    );
    expect(DEFAULT_MEDIA_LIMITS.maxDurationSec).toBe(14400);
  });

  it('parseRate', () => {
    expect(parseRate('30000/1001')).toEqual({ value: 30000 / 1001, fraction: '30000/1001' });
    expect(parseRate('25')).toEqual({ value: 25, fraction: '25/1' });
    expect(parseRate('0/0')).toBeUndefined();
    expect(parseRate('1/0')).toBeUndefined();
    expect(parseRate('abc')).toBeUndefined();
  });

  it('reasonFromStderr never echoes the server path', () => {
    const reason = reasonFromStderr('/srv/jobs/42/in.mp4: Permission denied\n', '/srv/jobs/42/in.mp4');
    expect(reason).toBe('not a readable video: in.mp4: Permission denied');
  });
});
