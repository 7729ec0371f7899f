// What must match for H.264 segments to be joined by stream copy. An MP4 'avc1' track carries
// one set of decoder parameters (SPS/PPS) in its sample entry; segments encoded with different
// encoders or settings — an NVENC worker's next to a libx264 worker's in a mixed fleet — do not
// share them. ffmpeg's concat + copy then slips the later segments' parameter sets into the
// stream (seen: a CAVLC PPS after a CABAC one), which ffmpeg decodes but the format does not
// allow in 'avc1' and strict players reject.
export interface StreamSignature {
  codec: string;
  profile: string;
  level: number;
  pixFmt: string;
  width: number;
  height: number;
  frameRate: string;
  timeBase: string;
  /** Hash of the decoder parameters (SPS/PPS). */
  extradataHash: string;
}

/** Parses ffprobe's JSON from MediaProbe.streamSignature (buildStreamSignatureArgs). */
export function parseStreamSignature(json: unknown): StreamSignature {
  const stream = (json as { streams?: Array<Record<string, unknown>> })?.streams?.[0];
  if (!stream) throw new Error('no video stream');
  const str = (k: string) => (typeof stream[k] === 'string' ? stream[k] : '');
  const num = (k: string) => (typeof stream[k] === 'number' ? stream[k] : NaN);
  return {
    codec: str('codec_name'),
    profile: str('profile'),
    level: num('level'),
    pixFmt: str('pix_fmt'),
    width: num('width'),
    height: num('height'),
    frameRate: str('r_frame_rate'),
    timeBase: str('time_base'),
    extradataHash: str('extradata_hash'),
  };
}

const FIELDS: ReadonlyArray<[keyof StreamSignature, string]> = [
  ['codec', 'codec'],
  ['width', 'width'],
  ['height', 'height'],
  ['pixFmt', 'pixel format'],
  ['frameRate', 'frame rate'],
  ['timeBase', 'time base'],
  ['profile', 'profile'],
  ['level', 'level'],
  ['extradataHash', 'decoder parameters (SPS/PPS)'],
];

/**
 * Why the segments cannot be joined by stream copy (the first difference from segment 0), or
 * null when they can.
 */
export function joinMismatch(signatures: readonly StreamSignature[]): string | null {
  const [first, ...rest] = signatures;
  if (!first) return null;
  for (let i = 0; i < rest.length; i++) {
    for (const [key, label] of FIELDS) {
      if (rest[i][key] !== first[key]) {
        return `segment ${i + 1} differs from segment 0 in ${label} (${String(rest[i][key])} vs ${String(first[key])})`;
      }
    }
  }
  return null;
}
