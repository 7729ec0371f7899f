// `npm run render`'s command line, parsed before anything starts (the option limits themselves:
// src/render/render-limits.spec.ts).
import { resolve } from 'node:path';
import { RenderError } from '../render/render-errors.js';
import { parseRenderCommandLine, RENDER_USAGE, UsageError } from './render-args.js';

const FILES = ['--video', 'in.mp4', '--scenario', 's.json', '--out', 'out/o.mp4'];

describe('npm run render: the command line', () => {
  it('resolves the paths and passes the options as numbers', () => {
    expect(parseRenderCommandLine([...FILES, '--width', '1280', '--height', '720', '--fps', '25'])).toEqual({
      preflight: false,
      json: false,
      video: resolve('in.mp4'),
      scenario: resolve('s.json'),
      out: resolve('out/o.mp4'),
      options: { width: 1280, height: 720, fps: 25, quality: undefined },
    });
  });

  it('needs --video, --scenario and --out to render, only --scenario for --preflight', () => {
    expect(() => parseRenderCommandLine(['--scenario', 's.json', '--out', 'o.mp4'])).toThrow(new UsageError('--video is required'));
    expect(() => parseRenderCommandLine(['--video', 'v.mp4', '--scenario', 's.json'])).toThrow(new UsageError('--out is required'));
    expect(parseRenderCommandLine(['--preflight', '--scenario', 's.json', '--json'])).toMatchObject({ preflight: true, json: true });
  });

  it('--help is a usage error without a message; unknown flags and non-numbers are usage errors', () => {
    expect(() => parseRenderCommandLine(['--help'])).toThrow(new UsageError(''));
    expect(() => parseRenderCommandLine([...FILES, '--codec', 'hevc'])).toThrow(/Unknown option '--codec'/);
    expect(() => parseRenderCommandLine([...FILES, '--fps', 'abc'])).toThrow(new UsageError('--fps must be a number, got "abc"'));
    expect(() => parseRenderCommandLine([...FILES, '--fps', ' '])).toThrow(UsageError);
  });

  it('an option outside the limits is RENDER_INVALID_OPTIONS naming each, not a usage error', () => {
    let err: unknown;
    try {
      parseRenderCommandLine([...FILES, '--width', '7680', '--quality', '5']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    expect(err).toMatchObject({
      code: 'RENDER_INVALID_OPTIONS',
      message: 'width must be from 480 to 3840, got 7680',
      details: [
        { field: 'width', reason: 'must be from 480 to 3840, got 7680' },
        { field: 'quality', reason: 'must be from 10 to 100, got 5' },
      ],
    });
  });

  it('the usage names the ranges', () => {
    expect(RENDER_USAGE).toContain('W 480–3840 and H 360–2160 (even');
    expect(RENDER_USAGE).toContain('F 1–60');
    expect(RENDER_USAGE).toContain('Q 10–100');
  });
});
