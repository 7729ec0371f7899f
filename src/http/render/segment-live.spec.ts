import type { SegmentRow } from '../../jobs/segments.repository.js';
import { aggregateSegmentLive } from './segment-live.js';

const row = (idx: number, frameCount: number, status: 'pending' | 'done'): SegmentRow => ({
  idx,
  firstFrame: idx * 600,
  frameCount,
  status,
  outputKey: status === 'done' ? `renders/r/segments/${idx}.mp4` : null,
});

describe('aggregateSegmentLive', () => {
  it('sums finished segments, the running ones’ counters and rates', () => {
    const rows = [row(0, 600, 'done'), row(1, 600, 'pending'), row(2, 600, 'pending'), row(3, 300, 'pending')];
    const running = new Map<number, Record<string, unknown>>([
      [1, { framesDone: 150, framesTotal: 600, fps: 30.04, encoder: 'libx264' }],
      [2, { framesDone: 100, framesTotal: 600, fps: 20 }],
    ]);
    expect(aggregateSegmentLive(rows, running)).toEqual({
      phase: 'rendering',
      framesDone: 850,
      framesTotal: 2100,
      fps: 50,
      etaSeconds: Math.round(1250 / 50.04),
      segments: { done: 1, running: 2, total: 4 },
      encoder: 'libx264',
    });
  });

  it('no rate yet: no ETA; counters out of range are clamped', () => {
    const rows = [row(0, 100, 'pending'), row(1, 100, 'pending')];
    const running = new Map<number, Record<string, unknown>>([
      [0, { framesDone: 500 }],
      [1, { framesDone: -3, fps: 'fast' }],
    ]);
    expect(aggregateSegmentLive(rows, running)).toMatchObject({ framesDone: 100, framesTotal: 200, fps: 0, etaSeconds: null });
  });

  it('every segment done: the join is running', () => {
    expect(aggregateSegmentLive([row(0, 10, 'done'), row(1, 10, 'done')], new Map())).toMatchObject({
      phase: 'encoding',
      framesDone: 20,
      etaSeconds: 0,
      segments: { done: 2, running: 0, total: 2 },
    });
  });
});
