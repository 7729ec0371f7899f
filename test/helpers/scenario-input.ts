// Scenario inputs for the scenario specs (src/scenario/*.spec.ts): a minimal valid v2.0 scenario
// to vary, and the issues prepareScenario reports for an input.
import { prepareScenario, ScenarioValidationError, type ScenarioIssue } from '../../src/scenario/prepare-scenario.js';

/** The issues prepareScenario refuses `input` with; fails when it accepts it. */
export function issuesOf(
  input: unknown,
  ...rest: Parameters<typeof prepareScenario> extends [unknown, ...infer R] ? R : never
): ScenarioIssue[] {
  try {
    prepareScenario(input, ...rest);
  } catch (e) {
    if (e instanceof ScenarioValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ScenarioValidationError');
}

/** A minimal valid v2.0 scenario: one cue, a group with one text node. */
export function minimal(
  overrides: { text?: Record<string, unknown>; root?: Record<string, unknown>; cue?: Record<string, unknown> } = {},
): Record<string, any> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'sub', type: 'subtitle', layer: 1 }],
    cues: [
      {
        id: 'c1',
        track: 'sub',
        ...overrides.cue,
        root: {
          id: 'g1',
          eType: 'group',
          ...overrides.root,
          children: [{ id: 't1', eType: 'text', text: 'hello', displayTime: [1, 2], ...overrides.text }],
        },
      },
    ],
  };
}
