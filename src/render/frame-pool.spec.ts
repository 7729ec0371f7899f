import { FramePool } from './frame-pool.js';

describe('FramePool', () => {
  it('reuses a buffer given back instead of allocating another', () => {
    const pool = new FramePool(16);
    const a = pool.take();
    expect(a.length).toBe(16);
    pool.give(a);
    expect(pool.take()).toBe(a);
    expect(pool.size).toBe(1);
  });

  it('allocates when every buffer is in use, and holds what was in flight at once', () => {
    const pool = new FramePool(8);
    const inFlight = [pool.take(), pool.take(), pool.take()];
    expect(new Set(inFlight).size).toBe(3);
    for (const b of inFlight) pool.give(b);
    for (let i = 0; i < 100; i++) pool.give(pool.take());
    expect(pool.size).toBe(3);
  });

  it('refuses a buffer of another size, a buffer given back twice, and a bad frame size', () => {
    const pool = new FramePool(8);
    expect(() => pool.give(Buffer.alloc(4))).toThrow(RangeError);
    const a = pool.take();
    pool.give(a);
    expect(() => pool.give(a)).toThrow(/twice/);
    expect(() => new FramePool(0)).toThrow(RangeError);
    expect(() => new FramePool(1.5)).toThrow(RangeError);
  });
});
