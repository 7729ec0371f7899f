// The scenario module's entry point (pure, no Nest): import from here in workers, the CLI and
// the caption pipeline.
export * from './types.js';
export { prepareScenario } from './prepare.js';
export { isActiveAt, mergeIntervals } from './windows.js';
