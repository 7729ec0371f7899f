// Why a plugin from the plugin origin could not be used. `retryable` decides what a render does
// with it: the origin being down (network, timeout, 5xx) is worth another attempt; a plugin the
// origin serves wrongly (pin mismatch, oversized, wrong content type, bad manifest) is not.

export abstract class PluginOriginError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    /** "name@version" */
    readonly plugin: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The origin could not be reached or answered with a server error: try again later. */
export class PluginOriginUnavailableError extends PluginOriginError {
  readonly retryable = true;
}

/** The origin served something we refuse to run (pin mismatch, size, content type, manifest). */
export class PluginRefusedError extends PluginOriginError {
  readonly retryable = false;
}

/** A pinned plugin whose entry does not hash to its pin. */
export class PluginPinMismatchError extends PluginRefusedError {
  constructor(
    plugin: string,
    readonly expected: string,
    readonly actual: string,
    where: string,
  ) {
    super(plugin, `plugin ${plugin} refused: its entry's SHA-256 is ${actual} (${where}), but PLUGIN_PINS pins ${expected}`);
  }
}
