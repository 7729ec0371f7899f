// Frame buffers of one render, reused: a captured frame is decoded into a buffer taken here and
// given back once the encoder has written every output frame of its run. Without it each capture
// left a region-sized buffer (1.3 MB at 1000×320) behind as garbage, and V8 ran a full collection
// every few frames (issue 15: 112 mark-compacts, ~4 s of the CLI's 8 CPU-seconds on a 20 s
// editor render). The pool never blocks: it allocates when empty, so it holds at most as many
// buffers as were ever in flight at once (bounded by the run queue and the capture pages).

export class FramePool {
  private readonly free: Buffer[] = [];
  private allocated = 0;

  constructor(readonly frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`FramePool: bad frame size ${frameBytes}`);
  }

  /** A buffer of frameBytes with undefined contents. */
  take(): Buffer {
    const b = this.free.pop();
    if (b) return b;
    this.allocated++;
    return Buffer.allocUnsafeSlow(this.frameBytes);
  }

  /** Hands `b` back for reuse; the caller must not touch it afterwards. */
  give(b: Buffer): void {
    if (b.length !== this.frameBytes) throw new RangeError(`FramePool: buffer of ${b.length} bytes, pool frames are ${this.frameBytes}`);
    if (this.free.includes(b)) throw new Error('FramePool: buffer given back twice');
    this.free.push(b);
  }

  /** Buffers allocated so far (in use or free). */
  get size(): number {
    return this.allocated;
  }
}
