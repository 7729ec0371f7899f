// Small DOM helpers of the console. Every value from the server or a file is put in the page as
// text (textContent), never as HTML.

export function $<T extends Element = HTMLElement>(sel: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`console: missing element ${sel}`);
  return el;
}

/** Shows `value` as text; '—' for nothing. */
export function text(el: Element, value: string | number | null | undefined): void {
  el.textContent = value === undefined || value === null || value === '' ? '—' : String(value);
}

/** Resolves on the element's first `event`; rejects on its `error` event or after the timeout. */
export function once(target: EventTarget, event: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    target.addEventListener(
      event,
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    if (event === 'error') return;
    target.addEventListener(
      'error',
      () => {
        clearTimeout(timer);
        reject(new Error(`${event}: the element reported an error`));
      },
      { once: true },
    );
  });
}

export const fmtSeconds = (s: unknown) => {
  const n = Number(s);
  if (s === null || s === undefined || !Number.isFinite(n)) return '—';
  if (n < 60) return `${Math.round(n)} s`;
  return `${Math.floor(n / 60)} min ${Math.round(n % 60)} s`;
};
export const fmtBytes = (b: unknown) => {
  const n = Number(b);
  if (b === null || b === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
};
export const fmtDate = (iso: string | null | undefined) => (iso ? new Date(String(iso)).toLocaleString() : '—');
export const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
