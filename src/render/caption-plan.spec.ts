import { EMPTY_SIGNATURE, framesToSurvey, overlayRegion, planFromSurvey, planRuns, visibleSpans } from './caption-plan.js';

describe('caption plan', () => {
  it('groups consecutive frames with the same signature into runs', () => {
    expect(planRuns(['empty', 'empty', 'a', 'a', 'b', 'empty'])).toEqual([
      { first: 0, count: 2, signature: 'empty' },
      { first: 2, count: 2, signature: 'a' },
      { first: 4, count: 1, signature: 'b' },
      { first: 5, count: 1, signature: 'empty' },
    ]);
    expect(planRuns([])).toEqual([]);
  });

  it('surveys only the frames of a range where a cue can be visible', () => {
    const prepared = { activeIntervals: [{ start: 0.5, end: 0.7 }] };
    // 10 fps: frames 5, 6, 7 (inclusive ends); a 3-frame range from frame 4 sees 5 and 6 as its 1 and 2.
    expect(framesToSurvey(prepared, 20, 10)).toEqual([5, 6, 7]);
    expect(framesToSurvey(prepared, 3, 10, 4)).toEqual([1, 2]);
    expect(framesToSurvey({ activeIntervals: [] }, 20, 10)).toEqual([]);
  });

  it('plans runs and the overlay region from the survey of the surveyed frames', () => {
    const plan = planFromSurvey(6, [1, 2, 4], { signatures: ['a', 'a', 'b'], bbox: { x: 11, y: 21, width: 9, height: 5 } }, 64, 48);
    expect(plan.runs).toEqual([
      { first: 0, count: 1, signature: EMPTY_SIGNATURE },
      { first: 1, count: 2, signature: 'a' },
      { first: 3, count: 1, signature: EMPTY_SIGNATURE },
      { first: 4, count: 1, signature: 'b' },
      { first: 5, count: 1, signature: EMPTY_SIGNATURE },
    ]);
    expect(plan.region).toEqual({ x: 10, y: 20, width: 10, height: 6 });
    expect(planFromSurvey(3, [], { signatures: [], bbox: null }, 64, 48)).toEqual({
      runs: [{ first: 0, count: 3, signature: EMPTY_SIGNATURE }],
      region: null,
    });
  });

  it('grows the overlay region to even coordinates inside the frame', () => {
    expect(overlayRegion({ x: 101, y: 51, width: 99, height: 9 }, 640, 360)).toEqual({ x: 100, y: 50, width: 100, height: 10 });
    expect(overlayRegion({ x: 630, y: 355, width: 20, height: 20 }, 640, 360)).toEqual({ x: 630, y: 354, width: 10, height: 6 });
  });

  it('covers visible frames with half-frame margins and merges adjacent runs', () => {
    const runs = planRuns(['empty', 'a', 'b', 'empty', 'empty', 'c']);
    expect(visibleSpans(runs, 10)).toEqual([
      { start: 0.05, end: 0.25 },
      { start: 0.45, end: 0.55 },
    ]);
  });

  it('merges the closest spans when there are too many', () => {
    const sigs = ['a', 'empty', 'b', 'empty', 'empty', 'empty', 'c'];
    const spans = visibleSpans(planRuns(sigs), 1, 2);
    expect(spans).toEqual([
      { start: 0, end: 2.5 },
      { start: 5.5, end: 6.5 },
    ]);
  });

  it('spreads merges over equal gaps instead of growing one span', () => {
    // 10 one-frame captions, 2 frames apart: equal gaps.
    const sigs: string[] = [];
    for (let i = 0; i < 10; i++) sigs.push('a' + i, 'empty', 'empty');
    const spans = visibleSpans(planRuns(sigs), 1, 5);
    expect(spans).toHaveLength(5);
    const lengths = spans.map((s) => s.end - s.start);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(7);
  });

  it('never exceeds what ffmpeg accepts in one enable expression', () => {
    const sigs: string[] = [];
    for (let i = 0; i < 500; i++) sigs.push('a' + i, 'empty');
    expect(visibleSpans(planRuns(sigs), 30).length).toBeLessThanOrEqual(100);
  });
});
