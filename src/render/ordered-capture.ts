// Capturing caption runs on several pages at once, handed on in run order (issue 15). A capture
// is mostly Chromium's fixed latency (seek, settle, compositor readback: ~35–40 ms for a region),
// during which one page leaves a core idle; a second page with the same scenario works on the next
// visible run meanwhile. Every seek rebuilds the caption DOM from scratch, so a frame is the same
// pixels whichever page draws it. Memory stays bounded: at most `pages.length` captures are in
// flight beyond the queue the results are pushed into.

/** What the encoder side receives: one frame buffer and how many output frames it covers. */
export interface QueuedRun {
  frame: Buffer;
  count: number;
}

export interface OrderedCaptureOptions<P, R extends { count: number }> {
  /** Pages ready to capture (at least one). */
  pages: readonly P[];
  runs: readonly R[];
  /** Whether a run needs a capture (false: `blank` serves it). */
  needsCapture: (run: R) => boolean;
  /** Seeks `page` to the run's first frame and returns its pixels. */
  grab: (page: P, run: R) => Promise<Buffer>;
  blank: Buffer;
  /** Hands a run to the encoder side, in run order; waits while the queue is full. */
  push: (item: QueuedRun) => Promise<void>;
  signal?: AbortSignal;
}

/** Captures every run that needs it on the first free page and pushes results in run order. */
export async function captureInOrder<P, R extends { count: number }>(o: OrderedCaptureOptions<P, R>): Promise<void> {
  if (o.pages.length === 0) throw new Error('captureInOrder: no page');
  const free = [...o.pages];
  const waiting: Array<(page: P) => void> = [];
  const take = (): Promise<P> => (free.length ? Promise.resolve(free.shift()!) : new Promise((resolve) => waiting.push(resolve)));
  const give = (page: P) => {
    const next = waiting.shift();
    if (next) next(page);
    else free.push(page);
  };
  const grabOn = async (run: R): Promise<Buffer> => {
    const page = await take();
    try {
      return await o.grab(page, run);
    } finally {
      give(page);
    }
  };

  const pending: Array<{ frame: Promise<Buffer>; count: number; capture: boolean }> = [];
  let inFlight = 0;
  const pushHead = async () => {
    const head = pending.shift()!;
    if (head.capture) inFlight--;
    await o.push({ frame: await head.frame, count: head.count });
  };
  try {
    for (const run of o.runs) {
      o.signal?.throwIfAborted();
      if (o.needsCapture(run)) {
        const frame = grabOn(run);
        // Awaited in order below; until then a failure must not count as unhandled.
        frame.catch(() => undefined);
        pending.push({ frame, count: run.count, capture: true });
        inFlight++;
      } else {
        pending.push({ frame: Promise.resolve(o.blank), count: run.count, capture: false });
      }
      // Every page busy: wait for the oldest capture. Blanks at the head go at once (the encoder
      // must not wait a capture's time for a frame that needs none).
      while (inFlight >= o.pages.length || (pending.length && !pending[0].capture)) await pushHead();
    }
    while (pending.length) await pushHead();
  } finally {
    // On failure, let captures already started finish before the caller closes their pages.
    await Promise.allSettled(pending.map((p) => p.frame));
  }
}
