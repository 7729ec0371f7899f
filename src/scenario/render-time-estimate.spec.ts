import { estimateRenderSeconds } from './render-time-estimate.js';

describe('estimateRenderSeconds', () => {
  it('guesses from the last cue end, 60 s when the scenario tells nothing', () => {
    expect(estimateRenderSeconds({ scenario: {} })).toBe(60);
    expect(estimateRenderSeconds({ scenario: { cues: [{ time: [0, 10] }, { time: [10, 20] }] } })).toBe(45);
  });

  it('scales with the frame rate', () => {
    expect(estimateRenderSeconds({ scenario: { cues: [{ time: [0, 20] }] }, options: { fps: 60 } })).toBe(75);
  });
});
