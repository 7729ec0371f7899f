// A single-producer, single-consumer async queue with a fixed capacity: `push` waits while the
// queue is full, which is how the encoder's pace holds capture back (no frame is ever dropped).
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  /** Set by the first fail(): boxed, so any reason (even a falsy one) counts. */
  private failure?: { reason: unknown };
  private wakeProducer?: () => void;
  private wakeConsumer?: () => void;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  get length(): number {
    return this.items.length;
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.failure) {
      await new Promise<void>((r) => (this.wakeProducer = r));
    }
    if (this.failure) throw this.failure.reason;
    if (this.closed) throw new Error('queue is closed');
    this.items.push(item);
    this.wake('consumer');
  }

  /** Resolves to the next item, or undefined once the queue is closed and drained. */
  async shift(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed && !this.failure) {
      await new Promise<void>((r) => (this.wakeConsumer = r));
    }
    if (this.failure) throw this.failure.reason;
    const item = this.items.shift();
    this.wake('producer');
    return item;
  }

  close(): void {
    this.closed = true;
    this.wake('consumer');
  }

  /** Makes both sides throw `reason`: used when either side fails or the render is cancelled. */
  fail(reason: unknown): void {
    this.failure ??= { reason };
    this.items.length = 0;
    this.wake('consumer');
    this.wake('producer');
  }

  private wake(side: 'producer' | 'consumer'): void {
    const fn = side === 'producer' ? this.wakeProducer : this.wakeConsumer;
    if (side === 'producer') this.wakeProducer = undefined;
    else this.wakeConsumer = undefined;
    fn?.();
  }
}
