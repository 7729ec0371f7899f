// Why a render failed, in a form the CLI prints, the job row records and the queue acts on:
// `retryable` failures (a crashed browser, a network hiccup) are worth another attempt; invalid
// input never is.
export type RenderErrorCode =
  | 'RENDER_INVALID_OPTIONS'
  | 'RENDER_INVALID_SCENARIO'
  | 'RENDER_MEDIA_REJECTED'
  | 'RENDER_SOURCE_UNAVAILABLE'
  | 'RENDER_BROWSER_CRASHED'
  | 'RENDER_ENCODER_FAILED'
  | 'RENDER_STORAGE_FAILED'
  | 'RENDER_DISK_FULL'
  | 'RENDER_CANCELLED'
  /** The plugin origin could not be reached (network, timeout, 5xx): retryable. */
  | 'RENDER_PLUGIN_UNAVAILABLE'
  /** The plugin origin served a plugin we refuse (pin mismatch, size, content type, manifest). */
  | 'RENDER_PLUGIN_REFUSED'
  /** A font family cannot be loaded or characters have no glyph (FONT_FALLBACK=refuse); retryable only when a font origin failed. */
  | 'RENDER_FONT_UNAVAILABLE'
  | 'RENDER_INTERNAL';

export class RenderError extends Error {
  constructor(
    readonly code: RenderErrorCode,
    message: string,
    readonly retryable = false,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RenderError';
  }

  /** Input errors are the user's to fix and do not count against their quota as server faults. */
  get isInputError(): boolean {
    return (
      this.code === 'RENDER_INVALID_OPTIONS' ||
      this.code === 'RENDER_INVALID_SCENARIO' ||
      this.code === 'RENDER_MEDIA_REJECTED' ||
      this.code === 'RENDER_SOURCE_UNAVAILABLE' ||
      (this.code === 'RENDER_FONT_UNAVAILABLE' && !this.retryable)
    );
  }
}
