// Row 9: hostile videos at the probe gate (src/encoder/media-probe.ts) — each rejected with a clear
// reason, with no network access (a loopback sentinel counts connections) and no read of any
// other local file (the playlists point at a FIFO: opening it for reading would be seen).
// End to end through the service: render-input.e2e-spec.ts ('row 9 e2e').
//   node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js test/faults/hostile-media
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaRejectedError } from '../../src/encoder/errors.js';
import { MediaProbe } from '../../src/encoder/media-probe.js';
import { ffmpeg, makeTinyVideo, startCountingServer, type CountingServer } from '../helpers/fault-harness.js';

jest.setTimeout(120_000);

describe('row 9: hostile videos at the probe gate', () => {
  let dir: string;
  let fifo: string;
  let sentinel: CountingServer;
  const probe = new MediaProbe({ ffprobePath: 'ffprobe' });
  let fifoOpenedForRead = 0;
  let watcher: NodeJS.Timeout;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-faults-media-'));
    sentinel = await startCountingServer();
    fifo = join(dir, 'secret.fifo');
    execFileSync('mkfifo', [fifo]);
    // A non-blocking open for writing succeeds only while someone has the FIFO open for reading.
    watcher = setInterval(() => {
      try {
        const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        fifoOpenedForRead++;
        closeSync(fd);
      } catch {
        /* ENXIO: no reader */
      }
    }, 5);

    writeFileSync(join(dir, 'zero.mp4'), '');
    // Truncated moov: a faststart MP4 (moov first) cut in the middle of its moov.
    await makeTinyVideo(join(dir, 'whole.mp4'), { seconds: 2, w: 64, h: 64, fps: 10 });
    await ffmpeg(['-i', join(dir, 'whole.mp4'), '-c', 'copy', '-movflags', '+faststart', join(dir, 'fast.mp4')]);
    writeFileSync(join(dir, 'truncated-moov.mp4'), readFileSync(join(dir, 'fast.mp4')).subarray(0, 400));
    writeFileSync(
      join(dir, 'hls.mp4'),
      `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${sentinel.url}/seg0.ts\n#EXTINF:1.0,\nfile://${fifo}\n#EXTINF:1.0,\n${fifo}\n#EXT-X-ENDLIST\n`,
    );
    writeFileSync(join(dir, 'concat.mp4'), `ffconcat version 1.0\nfile '${fifo}'\nfile '${sentinel.url}/c.mp4'\n`);
    // Absurd dimensions in the header: raw video in a QuickTime file, sample entry patched to 16000×16000 (ffmpeg itself refuses 65535).
    await ffmpeg(['-f', 'lavfi', '-i', 'color=s=16x16:r=1:d=1', '-c:v', 'rawvideo', '-pix_fmt', 'rgb24', join(dir, 'raw.mov')]);
    const raw = readFileSync(join(dir, 'raw.mov'));
    const at = raw.indexOf(Buffer.from('stsd'));
    const entry = raw.indexOf(Buffer.from('raw '), at);
    expect(entry).toBeGreaterThan(at);
    raw.writeUInt16BE(16000, entry + 28);
    raw.writeUInt16BE(16000, entry + 30);
    writeFileSync(join(dir, 'huge-dims.mp4'), raw);
    // 10 hours: one 16×16 frame every 100 s (360 frames), cheap to make.
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=s=16x16:r=1/100:d=36000',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      join(dir, 'ten-hours.mp4'),
    ]);
    // 100 streams: one video and 99 audio streams.
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'color=s=16x16:r=5:d=1',
      '-f',
      'lavfi',
      '-i',
      'anullsrc=r=8000:cl=mono',
      '-t',
      '1',
      '-map',
      '0:v',
      ...Array.from({ length: 99 }, () => ['-map', '1:a']).flat(),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'pcm_s16le',
      '-shortest',
      join(dir, 'streams.mov'),
    ]);
  });

  afterAll(async () => {
    clearInterval(watcher);
    await sentinel?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['zero.mp4', /empty|0 bytes/i],
    ['truncated-moov.mp4', /not a|invalid|moov|could not|recognis|readable|no decodable/i],
    ['hls.mp4', /not a video|format|not accepted|recognis/i],
    ['concat.mp4', /not a video|format|not accepted|recognis/i],
    ['huge-dims.mp4', /too large: 16000×16000/i],
    ['ten-hours.mp4', /too long|10:00:00|10 h|duration/i],
    ['streams.mov', /too many streams: 100/i],
  ])('%s → rejected with a clear reason; no network, no other file read', async (name, reason) => {
    const err = await probe.probe(join(dir, name)).then(
      (m) => new Error(`accepted: ${JSON.stringify(m)}`),
      (e) => e as Error,
    );
    expect(err).toBeInstanceOf(MediaRejectedError);
    expect(err.message).toMatch(reason);
    expect(err.message).not.toMatch(/undefined|\[object|internal error/i);
    expect(sentinel.connections()).toBe(0);
    expect(fifoOpenedForRead).toBe(0);
  });

  it('the ten-hour file is rejected by duration alone (the same file cut to 2 s would pass)', async () => {
    await ffmpeg(['-i', join(dir, 'ten-hours.mp4'), '-t', '200', '-c', 'copy', join(dir, 'short.mp4')]);
    const ok = await probe.probe(join(dir, 'short.mp4'));
    expect(ok).toBeDefined();
  });

  it('URLs and protocol specifiers are refused before ffprobe runs', async () => {
    for (const p of [`${sentinel.url}/a.mp4`, `file:${join(dir, 'whole.mp4')}`, `concat:${fifo}|${fifo}`, 'pipe:0']) {
      await expect(probe.probe(p)).rejects.toBeInstanceOf(MediaRejectedError);
    }
    await expect(probe.probe(fifo)).rejects.toThrow(/not a regular file/);
    expect(sentinel.connections()).toBe(0);
    expect(fifoOpenedForRead).toBe(0);
  });
});
