// The engine reports problems only through console.warn/error (e.g. "[RendererV2] Unknown plugin:
// x", once per frame). Keep a deduplicated copy so load() can return them.
const captured: string[] = [];
const capturedSet = new Set<string>();

function record(msg: string): void {
  if (capturedSet.has(msg) || captured.length >= 200) return;
  capturedSet.add(msg);
  captured.push(msg);
}

function fmt(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return a.message;
      try {
        return JSON.stringify(a)?.slice(0, 300) ?? String(a);
      } catch {
        return String(a);
      }
    })
    .join(' ');
}

/** Wraps console.warn and console.error so that what they print is also recorded. Once, at start. */
export function captureConsoleWarnings(): void {
  for (const level of ['warn', 'error'] as const) {
    const orig = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      record(fmt(args));
      orig(...args);
    };
  }
}

/** Forgets what was recorded (a new load starts). */
export function clearCapturedWarnings(): void {
  captured.length = 0;
  capturedSet.clear();
}

/** What was recorded since the last clear, in order (a copy). */
export function capturedWarnings(): string[] {
  return captured.slice();
}
