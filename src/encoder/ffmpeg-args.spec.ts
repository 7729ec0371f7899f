import {
  buildCompositeArgs,
  buildJoinArgs,
  buildSourceChain,
  buildTranscodeArgs,
  type CompositeArgsOptions,
  expectedFrameCount,
  formatRate,
  formatSeconds,
  qualityToEncoderArgs,
  qualityToLevel,
  toRational,
} from './ffmpeg-args.js';

const HEAD = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'];
const SOURCE = ['-protocol_whitelist', 'file', '-format_whitelist', 'mov,matroska,avi,mpegts', '-i', 'file:/work/in.mp4'];
/** A composite's source: its decoder limited to one thread (COMPOSITE_DECODER_THREADS). */
const COMPOSITE_SOURCE = ['-threads', '1', ...SOURCE];
const PNG_PIPE = ['-protocol_whitelist', 'pipe', '-f', 'image2pipe', '-framerate', '30', '-c:v', 'png', '-i', 'pipe:0'];
const CHAIN_1080P30 =
  'fps=30,scale=1920:1080:force_original_aspect_ratio=decrease:force_divisible_by=2,' +
  'pad=1920:1080:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,tpad=stop=-1:stop_mode=clone';

const base: CompositeArgsOptions = {
  sourcePath: '/work/in.mp4',
  output: '/work/out.mp4',
  width: 1920,
  height: 1080,
  fps: 30,
  durationSec: 10,
  encoder: 'libx264',
  quality: 80,
  captionInput: { kind: 'png-pipe' },
  hasAudio: true,
};

describe('quality mapping', () => {
  it('maps 10..100 onto level = round(52 - 0.4 q)', () => {
    expect([10, 50, 80, 100].map(qualityToLevel)).toEqual([48, 32, 20, 12]);
    expect(() => qualityToLevel(9)).toThrow(RangeError);
    expect(() => qualityToLevel(101)).toThrow(RangeError);
    expect(() => qualityToLevel(Number.NaN)).toThrow(RangeError);
  });

  it('libx264: -preset veryfast -crf N', () => {
    expect(qualityToEncoderArgs('libx264', 80)).toEqual(['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']);
    expect(qualityToEncoderArgs('libx264', 100, 'medium')).toEqual(['-c:v', 'libx264', '-preset', 'medium', '-crf', '12']);
    expect(() => qualityToEncoderArgs('libx264', 80, 'p4')).toThrow(RangeError);
  });

  it('h264_nvenc: -preset p4 -tune hq -rc vbr -cq N -b:v 0, never -crf', () => {
    const args = qualityToEncoderArgs('h264_nvenc', 80);
    expect(args).toEqual(['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'hq', '-rc', 'vbr', '-cq', '20', '-b:v', '0']);
    expect(args).not.toContain('-crf');
    expect(qualityToEncoderArgs('h264_nvenc', 10, 'p7')).toContain('p7');
    expect(() => qualityToEncoderArgs('h264_nvenc', 80, 'veryfast')).toThrow(RangeError);
  });
});

describe('frame rates and counts', () => {
  it('normalises rates', () => {
    expect(toRational(25)).toEqual({ num: 25, den: 1 });
    expect(toRational(29.97)).toEqual({ num: 30000, den: 1001 });
    expect(toRational(23.976)).toEqual({ num: 24000, den: 1001 });
    expect(toRational('60000/1001')).toEqual({ num: 60000, den: 1001 });
    expect(toRational('50/2')).toEqual({ num: 25, den: 1 });
    expect(toRational(12.5)).toEqual({ num: 25, den: 2 });
    expect(formatRate('30000/1001')).toBe('30000/1001');
    expect(formatRate(30)).toBe('30');
    for (const bad of [0, -1, 'x', '1/0', Number.NaN, 5000]) expect(() => toRational(bad)).toThrow(RangeError);
  });

  it('expectedFrameCount = frames with i/fps < duration', () => {
    expect(expectedFrameCount(2, 25)).toBe(50);
    expect(expectedFrameCount(10, 30)).toBe(300);
    expect(expectedFrameCount(10.01, 30)).toBe(301);
    expect(expectedFrameCount(3.36, 25)).toBe(84); // 3.36 * 25 = 84.00000000000001 in floating point
    expect(expectedFrameCount(10.01, '30000/1001')).toBe(300); // 10.01 s × 29.97 = 299.999…
    expect(expectedFrameCount(10.010001, '30000/1001')).toBe(301);
    expect(expectedFrameCount(0.001, 60)).toBe(1);
    expect(expectedFrameCount(4 * 3600, 60)).toBe(864000);
  });

  it('formatSeconds rounds to microseconds like ffmpeg parses -t', () => {
    expect(formatSeconds(2)).toBe('2.000000');
    expect(formatSeconds(3.3600000000000003)).toBe('3.360000');
    expect(() => formatSeconds(-1)).toThrow(RangeError);
  });
});

describe('buildCompositeArgs', () => {
  it('libx264 with audio re-encoded to AAC', () => {
    expect(buildCompositeArgs(base)).toEqual([
      ...HEAD,
      ...COMPOSITE_SOURCE,
      ...PNG_PIPE,
      '-filter_complex',
      `[0:v]${CHAIN_1080P30}[base];[base][1:v]overlay=x=0:y=0:eof_action=pass:shortest=0,format=yuv420p[vout]`,
      '-map',
      '[vout]',
      '-map',
      '0:a:0',
      '-c:a',
      'aac',
      '-b:a',
      '192k',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-frames:v',
      '300',
      '-t',
      '10.000000',
      '-max_muxing_queue_size',
      '1024',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'file:/work/out.mp4',
    ]);
  });

  it('h264_nvenc with AAC audio copied', () => {
    expect(buildCompositeArgs({ ...base, encoder: 'h264_nvenc', quality: 60, audioCodec: 'aac', preset: 'p5' })).toEqual([
      ...HEAD,
      ...COMPOSITE_SOURCE,
      ...PNG_PIPE,
      '-filter_complex',
      `[0:v]${CHAIN_1080P30}[base];[base][1:v]overlay=x=0:y=0:eof_action=pass:shortest=0,format=yuv420p[vout]`,
      '-map',
      '[vout]',
      '-map',
      '0:a:0',
      '-c:a',
      'copy',
      '-c:v',
      'h264_nvenc',
      '-preset',
      'p5',
      '-tune',
      'hq',
      '-rc',
      'vbr',
      '-cq',
      '28',
      '-b:v',
      '0',
      '-frames:v',
      '300',
      '-t',
      '10.000000',
      '-max_muxing_queue_size',
      '1024',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'file:/work/out.mp4',
    ]);
  });

  it('no audio, NTSC rate, segment start, threads, bottom strip as raw RGBA', () => {
    expect(
      buildCompositeArgs({
        ...base,
        encoder: 'h264_nvenc',
        hasAudio: false,
        fps: '30000/1001',
        durationSec: 5.5,
        startSec: 60,
        threads: 2,
        width: 1280,
        height: 720,
        captionInput: { kind: 'rgba-pipe', width: 1280, height: 216, x: 0, y: 504 },
      }),
    ).toEqual([
      ...HEAD,
      '-ss',
      '60.000000',
      ...COMPOSITE_SOURCE,
      '-protocol_whitelist',
      'pipe',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-video_size',
      '1280x216',
      '-framerate',
      '30000/1001',
      '-i',
      'pipe:0',
      '-filter_complex',
      '[0:v]fps=30000/1001,scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,' +
        'pad=1280:720:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,tpad=stop=-1:stop_mode=clone[base];' +
        '[base][1:v]overlay=x=0:y=504:eof_action=pass:shortest=0,format=yuv420p[vout]',
      '-map',
      '[vout]',
      '-c:v',
      'h264_nvenc',
      '-preset',
      'p4',
      '-tune',
      'hq',
      '-rc',
      'vbr',
      '-cq',
      '20',
      '-b:v',
      '0',
      '-threads',
      '2',
      '-frames:v',
      '165',
      '-t',
      '5.500000',
      '-max_muxing_queue_size',
      '1024',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'file:/work/out.mp4',
    ]);
  });

  it('refuses relative paths, odd sizes, bad positions', () => {
    expect(() => buildCompositeArgs({ ...base, sourcePath: 'in.mp4' })).toThrow(/absolute/);
    expect(() => buildCompositeArgs({ ...base, output: 'out.mp4' })).toThrow(/absolute/);
    expect(() => buildCompositeArgs({ ...base, width: 1919 })).toThrow(/even/);
    expect(() => buildCompositeArgs({ ...base, height: 8 })).toThrow(RangeError);
    expect(() => buildCompositeArgs({ ...base, captionInput: { kind: 'png-pipe', x: -1 } })).toThrow(RangeError);
    expect(() => buildCompositeArgs({ ...base, quality: 5 })).toThrow(RangeError);
    expect(() => buildCompositeArgs({ ...base, threads: 0 })).toThrow(RangeError);
  });
});

describe('buildTranscodeArgs', () => {
  it('is the composite without the caption input, the overlay and the decoder thread limit; same encoder settings', () => {
    const { captionInput: _unused, ...rest } = base;
    expect(buildTranscodeArgs(rest)).toEqual([
      ...HEAD,
      ...SOURCE,
      '-filter_complex',
      `[0:v]${CHAIN_1080P30},format=yuv420p[vout]`,
      '-map',
      '[vout]',
      '-map',
      '0:a:0',
      '-c:a',
      'aac',
      '-b:a',
      '192k',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-frames:v',
      '300',
      '-t',
      '10.000000',
      '-max_muxing_queue_size',
      '1024',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'file:/work/out.mp4',
    ]);
    expect(buildTranscodeArgs({ ...rest, encoder: 'h264_nvenc', hasAudio: false })).toEqual(
      expect.arrayContaining(['-cq', '20', '-b:v', '0']),
    );
  });

  it('a segment: seeks; decoder threads left to ffmpeg, encoder threads as asked', () => {
    const { captionInput: _unused, ...rest } = base;
    expect(buildTranscodeArgs({ ...rest, hasAudio: false, startSec: 60, durationSec: 5, threads: 2 })).toEqual([
      ...HEAD,
      '-ss',
      '60.000000',
      ...SOURCE,
      '-filter_complex',
      `[0:v]${CHAIN_1080P30},format=yuv420p[vout]`,
      '-map',
      '[vout]',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-threads',
      '2',
      '-frames:v',
      '150',
      '-t',
      '5.000000',
      '-max_muxing_queue_size',
      '1024',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'file:/work/out.mp4',
    ]);
  });

  it('buildSourceChain', () => {
    expect(buildSourceChain(1920, 1080, 30)).toBe(CHAIN_1080P30);
  });
});

describe('buildJoinArgs', () => {
  const join = {
    listPath: '/work/segments/segments.ffconcat',
    sourcePath: '/work/in.mp4',
    output: '/work/out.mp4',
    durationSec: 180,
    hasAudio: true,
    audioCodec: 'aac',
  };
  const TAIL = ['-t', '180.000000', '-movflags', '+faststart', '-f', 'mp4', 'file:/work/out.mp4'];
  const INPUTS = ['-protocol_whitelist', 'file', '-f', 'concat', '-safe', '1', '-i', '/work/segments/segments.ffconcat', ...SOURCE];

  it('copies the segments and the AAC audio of the source', () => {
    expect(buildJoinArgs(join)).toEqual([...HEAD, ...INPUTS, '-map', '0:v:0', '-map', '1:a:0', '-c:a', 'copy', '-c:v', 'copy', ...TAIL]);
  });

  it('re-encodes the video with the given encoder when asked (segments that differ)', () => {
    expect(buildJoinArgs({ ...join, reencode: { encoder: 'libx264', quality: 80, preset: 'veryfast' } })).toEqual([
      ...HEAD,
      ...INPUTS,
      '-map',
      '0:v:0',
      '-map',
      '1:a:0',
      '-c:a',
      'copy',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '20',
      '-pix_fmt',
      'yuv420p',
      ...TAIL,
    ]);
  });

  it('without audio: no source input', () => {
    expect(buildJoinArgs({ ...join, hasAudio: false })).toEqual([
      ...HEAD,
      '-protocol_whitelist',
      'file',
      '-f',
      'concat',
      '-safe',
      '1',
      '-i',
      '/work/segments/segments.ffconcat',
      '-map',
      '0:v:0',
      '-c:v',
      'copy',
      ...TAIL,
    ]);
  });
});
