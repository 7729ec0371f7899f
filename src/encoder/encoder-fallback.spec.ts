// GPU degrades per encode: exact behaviour of encodeWithFallback and of the NVENC session bound.
import { EncoderProbe } from './encoder-probe.js';
import { encodeWithFallback } from './encoder-fallback.js';
import { FfmpegError } from './errors.js';
import type { VideoEncoder } from './ffmpeg-args.js';
import type { ProcessRunner } from './process-runner.js';

/** A probe runner whose NVENC probe encode succeeds (as on a GPU machine). */
const nvencWorks: ProcessRunner = async () =>
  ({ code: 0, signal: null, stdout: '', stderr: '', timedOut: false }) as Awaited<ReturnType<ProcessRunner>>;

function fakeProbe(encoder: VideoEncoder) {
  const released: VideoEncoder[] = [];
  return {
    released,
    lease: async () => ({ encoder, release: () => void released.push(encoder) }),
  };
}

describe('encodeWithFallback', () => {
  const nvencDies = new FfmpegError('ffmpeg exited with code 1', 1, null, ['[h264_nvenc] OpenEncodeSessionEx failed: out of memory (10)']);

  it('encodes again on libx264 when an NVENC encode fails in ffmpeg, and frees the session first', async () => {
    const probe = fakeProbe('h264_nvenc');
    const tried: VideoEncoder[] = [];
    const r = await encodeWithFallback(probe, async (e) => {
      tried.push(e);
      if (e === 'h264_nvenc') throw nvencDies;
      expect(probe.released).toEqual(['h264_nvenc']);
      return 'mp4';
    });
    expect(tried).toEqual(['h264_nvenc', 'libx264']);
    expect(r).toEqual({ result: 'mp4', encoder: 'libx264', fallback: expect.stringContaining('OpenEncodeSessionEx failed') });
  });

  it('also for a render error classified from an ffmpeg failure', async () => {
    const err = Object.assign(new Error('encoder died'), { code: 'RENDER_ENCODER_FAILED' });
    const r = await encodeWithFallback(fakeProbe('h264_nvenc'), async (e) => {
      if (e === 'h264_nvenc') throw err;
      return 1;
    });
    expect(r.encoder).toBe('libx264');
  });

  it('does not retry a cancelled render, a browser crash, or a libx264 failure', async () => {
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      encodeWithFallback(
        fakeProbe('h264_nvenc'),
        async () => {
          throw nvencDies;
        },
        aborted.signal,
      ),
    ).rejects.toBe(nvencDies);
    const crash = Object.assign(new Error('Target closed'), { code: 'RENDER_BROWSER_CRASHED' });
    await expect(
      encodeWithFallback(fakeProbe('h264_nvenc'), async () => {
        throw crash;
      }),
    ).rejects.toBe(crash);
    const calls: VideoEncoder[] = [];
    await expect(
      encodeWithFallback(fakeProbe('libx264'), async (e) => {
        calls.push(e);
        throw nvencDies;
      }),
    ).rejects.toBe(nvencDies);
    expect(calls).toEqual(['libx264']);
  });

  it('reports no fallback when NVENC works', async () => {
    const probe = fakeProbe('h264_nvenc');
    expect(await encodeWithFallback(probe, async () => 'ok')).toEqual({ result: 'ok', encoder: 'h264_nvenc' });
    expect(probe.released).toEqual(['h264_nvenc']);
  });
});

describe('EncoderProbe.lease (NVENC_MAX_SESSIONS)', () => {
  it('hands out NVENC while sessions are free, libx264 beyond the bound, NVENC again once one is released', async () => {
    const probe = new EncoderProbe({ preferred: 'auto', runner: nvencWorks, nvencMaxSessions: 2 });
    const a = await probe.lease();
    const b = await probe.lease();
    const c = await probe.lease();
    expect([a.encoder, b.encoder, c.encoder]).toEqual(['h264_nvenc', 'h264_nvenc', 'libx264']);
    expect(probe.nvencSessions).toBe(2);
    a.release();
    a.release(); // idempotent
    expect(probe.nvencSessions).toBe(1);
    expect((await probe.lease()).encoder).toBe('h264_nvenc');
  });

  it('always libx264 when the probe chose it (no GPU)', async () => {
    const probe = new EncoderProbe({ preferred: 'x264' });
    expect((await probe.lease()).encoder).toBe('libx264');
    expect(probe.nvencSessions).toBe(0);
  });
});
