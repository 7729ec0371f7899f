import { ProtocolError } from 'puppeteer-core';
import { FfmpegError, MediaRejectedError } from '../encoder/errors.js';
import { FontUnavailableError } from '../fonts/font-resolver.js';
import { AssetReferenceError } from '../fonts/font-sources.js';
import { FetchHttpError, FetchTimeoutError, FetchTooLargeError } from '../net/errors.js';
import { PluginOriginUnavailableError, PluginPinMismatchError, PluginRefusedError } from '../plugins/plugin-errors.js';
import { ScenarioValidationError } from '../scenario/prepare-scenario.js';
import { StorageKeyError, StorageNotFoundError } from '../storage/storage-driver.js';
import { asKnownRenderError, classifyRenderError, isBrowserCrash, isDiskFull, type ClassifyContext } from './classify-render-error.js';
import { RenderError } from './render-errors.js';

/** What the job row, the callbacks and the queue see of a classified error. */
function seen(err: unknown, ctx?: ClassifyContext) {
  const e = classifyRenderError(err, ctx);
  expect(e).toBeInstanceOf(RenderError);
  expect(e.cause).toBe(err);
  return { code: e.code, message: e.message, retryable: e.retryable, input: e.isInputError, details: e.details };
}

const aborted = () => {
  const c = new AbortController();
  c.abort(new RenderError('RENDER_CANCELLED', 'the render was cancelled'));
  return c.signal;
};
const ffmpegFailed = () => new FfmpegError('ffmpeg exited with code 1', 1, null, ['[h264] broken']);
const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const s3Failed = () =>
  Object.assign(new Error('SlowDown: please reduce your request rate'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });

describe('classifyRenderError', () => {
  it('a RenderError is answered as it is, in every stage', () => {
    const err = new RenderError('RENDER_FONT_UNAVAILABLE', 'x', true);
    for (const stage of ['source', 'fonts', 'render', 'join', 'job'] as const) expect(classifyRenderError(err, { stage })).toBe(err);
  });

  it("the request's own faults: invalid scenario, asset reference, rejected media, refused plugin, unavailable font (not retryable, input)", () => {
    const issues = [{ path: '$.cues[0].start', reason: 'must be a number' }];
    expect(seen(new ScenarioValidationError(issues))).toEqual({
      code: 'RENDER_INVALID_SCENARIO',
      message: 'Invalid scenario at $.cues[0].start: must be a number',
      retryable: false,
      input: true,
      details: issues,
    });
    expect(seen(new AssetReferenceError('cues[0].image', 'not under ASSET_ORIGINS'))).toEqual({
      code: 'RENDER_INVALID_SCENARIO',
      message: 'cues[0].image: not under ASSET_ORIGINS',
      retryable: false,
      input: true,
      details: [{ path: 'cues[0].image', reason: 'cues[0].image: not under ASSET_ORIGINS' }],
    });
    expect(seen(new MediaRejectedError('no video stream'))).toEqual({
      code: 'RENDER_MEDIA_REJECTED',
      message: 'video rejected: no video stream',
      retryable: false,
      input: true,
      details: undefined,
    });
    expect(seen(new PluginRefusedError('glitch@1.0.0', 'content type text/html'))).toEqual({
      code: 'RENDER_PLUGIN_REFUSED',
      message: 'content type text/html',
      retryable: false,
      input: false,
      details: { plugin: 'glitch@1.0.0' },
    });
    expect(seen(new PluginPinMismatchError('glitch@1.0.0', 'aa', 'bb', 'origin')).code).toBe('RENDER_PLUGIN_REFUSED');
    const plan = { fonts: [], families: [], missing: [], tofu: [0x1f600], problems: ['no glyph for U+1F600'] };
    const font = new FontUnavailableError(plan);
    expect(seen(font)).toEqual({
      code: 'RENDER_FONT_UNAVAILABLE',
      message: 'fonts unavailable: no glyph for U+1F600',
      retryable: false,
      input: true,
      details: font.details,
    });
  });

  it('a plugin origin that is down is worth another attempt (server fault)', () => {
    expect(seen(new PluginOriginUnavailableError('cwi@1.0.0', 'origin answered 503'))).toEqual({
      code: 'RENDER_PLUGIN_UNAVAILABLE',
      message: 'origin answered 503',
      retryable: true,
      input: false,
      details: { plugin: 'cwi@1.0.0' },
    });
  });

  it('source: every failure but a full disk is RENDER_SOURCE_UNAVAILABLE; a missing upload and a refused fetch are final, the rest transient', () => {
    expect(seen(new StorageNotFoundError('uploads/u/x.mp4'), { stage: 'source' })).toEqual({
      code: 'RENDER_SOURCE_UNAVAILABLE',
      message: 'the uploaded video was not found (was the upload completed?)',
      retryable: false,
      input: true,
      details: undefined,
    });
    expect(seen(new FetchHttpError(404, 'https://v/x.mp4'), { stage: 'source' })).toMatchObject({
      code: 'RENDER_SOURCE_UNAVAILABLE',
      message: 'could not download the video: unexpected HTTP status 404',
      retryable: false,
    });
    expect(seen(new FetchTooLargeError(10, 20), { stage: 'source' })).toMatchObject({
      code: 'RENDER_SOURCE_UNAVAILABLE',
      retryable: false,
    });
    expect(seen(new FetchHttpError(503), { stage: 'source' })).toMatchObject({ code: 'RENDER_SOURCE_UNAVAILABLE', retryable: true });
    expect(seen(new FetchTimeoutError('idle', 1000), { stage: 'source' })).toMatchObject({
      code: 'RENDER_SOURCE_UNAVAILABLE',
      retryable: true,
    });
    expect(seen(s3Failed(), { stage: 'source' })).toEqual({
      code: 'RENDER_SOURCE_UNAVAILABLE',
      message: 'could not download the video: SlowDown: please reduce your request rate',
      retryable: true,
      input: true,
      details: undefined,
    });
    // A full disk while downloading is ours, not the video's: the user is not told their source failed.
    expect(seen(diskFull(), { stage: 'source' })).toEqual({
      code: 'RENDER_DISK_FULL',
      message: 'no space left on the render disk',
      retryable: true,
      input: false,
      details: undefined,
    });
  });

  it('once the signal fired, a failure is the cancel (render, fonts, join)', () => {
    for (const stage of ['render', 'fonts', 'join', 'job'] as const) {
      expect([stage, seen(new Error('pipe closed'), { stage, signal: aborted() })]).toEqual([
        stage,
        { code: 'RENDER_CANCELLED', message: 'the render was cancelled', retryable: false, input: false, details: undefined },
      ]);
    }
    const live = new AbortController().signal;
    expect(seen(new Error('pipe closed'), { stage: 'join', signal: live }).code).toBe('RENDER_ENCODER_FAILED');
  });

  it('fonts: a fetch that failed is a retryable RENDER_FONT_UNAVAILABLE', () => {
    expect(seen(new Error('ECONNRESET'), { stage: 'fonts' })).toEqual({
      code: 'RENDER_FONT_UNAVAILABLE',
      message: 'fonts could not be fetched: ECONNRESET',
      retryable: true,
      input: false,
      details: undefined,
    });
  });

  it('join: any ffmpeg failure is RENDER_ENCODER_FAILED, not retried', () => {
    expect(seen(ffmpegFailed(), { stage: 'join' })).toEqual({
      code: 'RENDER_ENCODER_FAILED',
      message: 'joining segments failed: ffmpeg exited with code 1\n[h264] broken',
      retryable: false,
      input: false,
      details: undefined,
    });
  });

  it('render: a full disk, a browser crash (retryable), an ffmpeg failure (not)', () => {
    expect(seen(diskFull(), { stage: 'render' })).toEqual({
      code: 'RENDER_DISK_FULL',
      message: 'no space left on the render disk',
      retryable: true,
      input: false,
      details: undefined,
    });
    expect(seen(new ProtocolError('Page closed!'), { stage: 'render' })).toEqual({
      code: 'RENDER_BROWSER_CRASHED',
      message: 'the caption browser crashed: Page closed!',
      retryable: true,
      input: false,
      details: undefined,
    });
    expect(seen(new Error('Navigating frame was detached'), { stage: 'render' }).code).toBe('RENDER_BROWSER_CRASHED');
    expect(seen(ffmpegFailed(), { stage: 'render' })).toEqual({
      code: 'RENDER_ENCODER_FAILED',
      message: 'ffmpeg exited with code 1\n[h264] broken',
      retryable: false,
      input: false,
      details: undefined,
    });
  });

  it('job: a full disk, a storage failure (retryable); a crash or ffmpeg failure outside the pipeline is no pipeline fault', () => {
    expect(seen(Object.assign(new Error('write failed'), { message: 'No space left on device' })).code).toBe('RENDER_DISK_FULL');
    expect(seen(s3Failed())).toEqual({
      code: 'RENDER_STORAGE_FAILED',
      message: 'storing the result failed: SlowDown: please reduce your request rate',
      retryable: true,
      input: false,
      details: undefined,
    });
    expect(seen(new StorageKeyError('../x', 'escapes the storage root'))).toMatchObject({ code: 'RENDER_STORAGE_FAILED', retryable: true });
    expect(seen(new StorageNotFoundError('renders/j/source'))).toMatchObject({ code: 'RENDER_STORAGE_FAILED', retryable: true });
    expect(seen(ffmpegFailed())).toMatchObject({ code: 'RENDER_INTERNAL', retryable: true });
    expect(seen(new Error('Target closed'))).toMatchObject({ code: 'RENDER_INTERNAL', retryable: true });
  });

  it('a storage-like class name or message is not a storage failure (classified by type and code only)', () => {
    const named = Object.assign(new Error('multipart upload went wrong'), { name: 'S3UploadError' });
    expect(seen(named)).toEqual({
      code: 'RENDER_INTERNAL',
      message: 'multipart upload went wrong',
      retryable: true,
      input: false,
      details: undefined,
    });
  });

  it('an error of no known kind: RENDER_INTERNAL (retryable) — or, for the engine, itself', () => {
    const err = new TypeError('x is undefined');
    expect(seen(err, { stage: 'render' })).toEqual({
      code: 'RENDER_INTERNAL',
      message: 'x is undefined',
      retryable: true,
      input: false,
      details: undefined,
    });
    expect(seen('a string')).toMatchObject({ code: 'RENDER_INTERNAL', message: 'a string' });
    expect(asKnownRenderError(err, { stage: 'render' })).toBe(err);
    expect(asKnownRenderError(ffmpegFailed())).toBeInstanceOf(FfmpegError);
    const known = asKnownRenderError(ffmpegFailed(), { stage: 'render' }) as RenderError;
    expect(known.code).toBe('RENDER_ENCODER_FAILED');
  });
});

describe('isBrowserCrash / isDiskFull', () => {
  it('tell crashes and full disks by type, code or the message Chromium and the OS give', () => {
    expect(isBrowserCrash(new ProtocolError('Frame detached.'))).toBe(true);
    expect(isBrowserCrash(new Error('Protocol error (Runtime.callFunctionOn): Target closed'))).toBe(true);
    expect(isBrowserCrash(new Error('Page crashed!'))).toBe(true);
    expect(isBrowserCrash(new Error('ffmpeg exited with code 1'))).toBe(false);
    expect(isBrowserCrash('Target closed')).toBe(false);
    expect(isBrowserCrash(undefined)).toBe(false);
    expect(isDiskFull(Object.assign(new Error('write'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('ffmpeg: No space left on device'))).toBe(true);
    expect(isDiskFull(new Error('EACCES'))).toBe(false);
    expect(isDiskFull(null)).toBe(false);
  });
});
