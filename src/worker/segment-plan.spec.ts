import { planSegments } from './segment-plan.js';

describe('planSegments', () => {
  it('keeps short videos in one piece', () => {
    expect(planSegments(900, 30, { segmentSeconds: 60, minDurationSeconds: 180 })).toEqual([{ idx: 0, firstFrame: 0, frameCount: 900 }]);
  });

  it('keeps everything in one piece when splitting is off', () => {
    expect(planSegments(108000, 30, { segmentSeconds: 0, minDurationSeconds: 0 })).toHaveLength(1);
  });

  it('cuts long videos into contiguous segments covering every frame once', () => {
    const segs = planSegments(18001, 30, { segmentSeconds: 60, minDurationSeconds: 180 });
    expect(segs).toHaveLength(10);
    let next = 0;
    for (const s of segs) {
      expect(s.firstFrame).toBe(next);
      next += s.frameCount;
    }
    expect(next).toBe(18001);
    expect(segs[9].frameCount).toBe(1801);
  });
});
