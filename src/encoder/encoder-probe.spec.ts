import { jest } from '@jest/globals';
import type { SpiedFunction } from 'jest-mock';
import { Logger } from '@nestjs/common';
import { buildNvencProbeArgs, EncoderProbe } from './encoder-probe.js';
import { ConfigError, loadEngineConfig } from '../config/app-config.js';
import { encoderOptionsFromConfig } from './encoder.options.js';
import { EncoderUnavailableError } from './errors.js';
import type { ProcessRunner, RunResult } from './process-runner.js';

const ok: RunResult = { code: 0, signal: null, stdout: '', stderr: '', timedOut: false, outputOverflow: false };

function fakeRunner(result: Partial<RunResult>): ProcessRunner & { calls: Array<[string, string[]]> } {
  const calls: Array<[string, string[]]> = [];
  const fn = (async (cmd: string, args: string[]) => {
    calls.push([cmd, args]);
    return { ...ok, ...result };
  }) as unknown as ProcessRunner & { calls: Array<[string, string[]]> };
  fn.calls = calls;
  return fn;
}

describe('EncoderProbe', () => {
  let warn: SpiedFunction<Logger['warn']>;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('probes with a real tiny encode', () => {
    expect(buildNvencProbeArgs()).toEqual([
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=256x256:d=0.1',
      '-frames:v',
      '1',
      '-c:v',
      'h264_nvenc',
      '-f',
      'null',
      '-',
    ]);
  });

  it('falls back to libx264 on this machine (no GPU), logging why once, and caches the choice', async () => {
    const probe = new EncoderProbe();
    const [a, b] = await Promise.all([probe.select(), probe.select()]);
    expect(a.encoder).toBe('libx264');
    expect(a.reason).toMatch(/^h264_nvenc probe failed: /);
    expect(b).toBe(a);
    expect(await probe.select()).toBe(a);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/falling back to libx264/);
  });

  it('selects h264_nvenc only when the probe encode succeeds', async () => {
    const runner = fakeRunner({ code: 0 });
    const probe = new EncoderProbe({ runner, ffmpegPath: '/opt/ffmpeg' });
    expect(await probe.select()).toEqual({ encoder: 'h264_nvenc', reason: 'probe succeeded' });
    await probe.select();
    expect(runner.calls).toEqual([['/opt/ffmpeg', buildNvencProbeArgs()]]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('treats a failed or timed-out probe as no NVENC', async () => {
    const failed = await new EncoderProbe({
      runner: fakeRunner({ code: 1, stderr: '[h264_nvenc @ 0x5555] Cannot load libcuda.so.1\n' }),
    }).select();
    expect(failed).toEqual({ encoder: 'libx264', reason: 'h264_nvenc probe failed: [h264_nvenc] Cannot load libcuda.so.1' });
    const hung = await new EncoderProbe({
      runner: fakeRunner({ code: null, signal: 'SIGKILL', timedOut: true }),
      encoderProbeTimeoutMs: 50,
    }).select();
    expect(hung).toEqual({ encoder: 'libx264', reason: 'h264_nvenc probe failed: probe encode timed out after 50 ms' });
    const missing = await new EncoderProbe({ ffmpegPath: '/nonexistent/ffmpeg' }).select();
    expect(missing.encoder).toBe('libx264');
    expect(missing.reason).toMatch(/could not run \/nonexistent\/ffmpeg/);
  });

  it("preferred 'x264' skips the probe; preferred 'nvenc' fails loudly when NVENC does not work", async () => {
    const runner = fakeRunner({ code: 0 });
    expect(await new EncoderProbe({ preferred: 'x264', runner }).select()).toEqual({
      encoder: 'libx264',
      reason: 'forced by configuration',
    });
    expect(runner.calls).toHaveLength(0);

    expect((await new EncoderProbe({ preferred: 'nvenc', runner }).select()).encoder).toBe('h264_nvenc');
    await expect(new EncoderProbe({ preferred: 'nvenc' }).select()).rejects.toBeInstanceOf(EncoderUnavailableError);
  });

  it('takes ENCODER, FFMPEG_PATH, FFPROBE_PATH and NVENC_MAX_SESSIONS from the validated engine configuration', () => {
    expect(encoderOptionsFromConfig(loadEngineConfig({}))).toEqual({
      preferred: 'auto',
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      nvencMaxSessions: 3,
    });
    expect(encoderOptionsFromConfig(loadEngineConfig({ ENCODER: 'nvenc', FFMPEG_PATH: '/x/ffmpeg', NVENC_MAX_SESSIONS: '2' }))).toEqual({
      preferred: 'nvenc',
      ffmpegPath: '/x/ffmpeg',
      ffprobePath: 'ffprobe',
      nvencMaxSessions: 2,
    });
    expect(() => loadEngineConfig({ ENCODER: 'qsv' })).toThrow(ConfigError);
    expect(() => loadEngineConfig({ ENCODER: 'qsv' })).toThrow(/ENCODER="qsv": must be one of auto \| nvenc \| x264/);
  });
});
