/** The ffprobe gate refused an input. `reason` is human text fit for a job's error message. */
export class MediaRejectedError extends Error {
  override readonly name = 'MediaRejectedError';
  constructor(readonly reason: string) {
    super(`media rejected: ${reason}`);
  }
}

/** ffmpeg exited non-zero (or was killed). `stderrTail` holds its last lines of stderr. */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string[],
  ) {
    super(stderrTail.length > 0 ? `${message}\n${stderrTail.join('\n')}` : message);
  }
}

/** An encoder was forced (`preferred: 'nvenc'`) but its probe encode failed. */
export class EncoderUnavailableError extends Error {
  override readonly name = 'EncoderUnavailableError';
  constructor(
    readonly encoder: string,
    readonly detail: string,
  ) {
    super(`encoder ${encoder} is not usable on this machine: ${detail}`);
  }
}
