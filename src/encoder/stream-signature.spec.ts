import { buildStreamSignatureArgs } from './media-probe.js';
import { joinMismatch, parseStreamSignature, type StreamSignature } from './stream-signature.js';

// ffprobe 5.1's answer for one of our libx264 segments.
const X264 = {
  streams: [
    {
      codec_name: 'h264',
      profile: 'High',
      width: 1920,
      height: 1080,
      pix_fmt: 'yuv420p',
      level: 40,
      r_frame_rate: '30/1',
      time_base: '1/15360',
      extradata_hash: 'SHA256:aa11',
    },
  ],
};

describe('stream signatures', () => {
  it('asks ffprobe for the first video stream and a hash of its extradata (exact arguments)', () => {
    expect(buildStreamSignatureArgs('/work/seg-00000.mp4')).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,matroska,avi,mpegts',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,profile,level,pix_fmt,width,height,r_frame_rate,time_base,extradata_hash',
      '-show_data_hash',
      'sha256',
      '-of',
      'json',
      'file:/work/seg-00000.mp4',
    ]);
  });

  it('parses what ffprobe prints', () => {
    expect(parseStreamSignature(X264)).toEqual({
      codec: 'h264',
      profile: 'High',
      level: 40,
      pixFmt: 'yuv420p',
      width: 1920,
      height: 1080,
      frameRate: '30/1',
      timeBase: '1/15360',
      extradataHash: 'SHA256:aa11',
    });
    expect(() => parseStreamSignature({ streams: [] })).toThrow('no video stream');
  });

  const x264 = parseStreamSignature(X264);
  const with_ = (o: Partial<StreamSignature>): StreamSignature => ({ ...x264, ...o });

  it('identical segments join by copy', () => {
    expect(joinMismatch([x264, x264, { ...x264 }])).toBeNull();
    expect(joinMismatch([x264])).toBeNull();
    expect(joinMismatch([])).toBeNull();
  });

  it.each([
    ['an NVENC segment (other profile and SPS)', with_({ profile: 'Main', extradataHash: 'SHA256:bb22' }), 'profile (Main vs High)'],
    ['other decoder parameters only', with_({ extradataHash: 'SHA256:bb22' }), 'decoder parameters (SPS/PPS) (SHA256:bb22 vs SHA256:aa11)'],
    ['another size', with_({ width: 1280 }), 'width (1280 vs 1920)'],
    ['another time base', with_({ timeBase: '1/90000' }), 'time base (1/90000 vs 1/15360)'],
    ['another level', with_({ level: 41 }), 'level (41 vs 40)'],
  ])('%s does not', (_name, other, reason) => {
    expect(joinMismatch([x264, x264, other])).toBe(`segment 2 differs from segment 0 in ${reason}`);
  });
});
