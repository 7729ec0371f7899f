// GPU degrades to CPU per encode, never fails a job: an NVENC encode that cannot open a session
// or dies mid-render (no free encoder session, a driver error) is run again at once on libx264.
import type { EncoderProbe } from './encoder-probe.js';
import { FfmpegError } from './errors.js';
import type { VideoEncoder } from './ffmpeg-args.js';

export interface EncodeResult<T> {
  readonly result: T;
  /** The encoder that produced the output. */
  readonly encoder: VideoEncoder;
  /** Why NVENC was given up for this encode, when it was. */
  readonly fallback?: string;
}

/** ffmpeg failed while encoding (an FfmpegError, or a render error classified from one). */
export function isEncoderFailure(err: unknown): boolean {
  // The render error's code, not its class: the encoder module does not reach up into src/render.
  return err instanceof FfmpegError || (err as { code?: unknown } | undefined)?.code === 'RENDER_ENCODER_FAILED';
}

/**
 * Runs `encode` with the probe's encoder; if that was h264_nvenc and the encode failed in ffmpeg
 * (not a cancel, not a browser crash), runs it once more with libx264.
 */
export async function encodeWithFallback<T>(
  probe: Pick<EncoderProbe, 'lease'>,
  encode: (encoder: VideoEncoder) => Promise<T>,
  signal?: AbortSignal,
): Promise<EncodeResult<T>> {
  const lease = await probe.lease();
  let fallback: string;
  try {
    return { result: await encode(lease.encoder), encoder: lease.encoder };
  } catch (err) {
    if (lease.encoder !== 'h264_nvenc' || signal?.aborted || !isEncoderFailure(err)) throw err;
    fallback = (err as Error).message.split('\n').filter(Boolean).slice(-2).join(' / ').slice(0, 300);
  } finally {
    lease.release();
  }
  return { result: await encode('libx264'), encoder: 'libx264', fallback };
}
