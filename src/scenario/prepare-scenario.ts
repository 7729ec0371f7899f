// The scenario module's pure entry point (no Nest): import from here in workers, the CLI and
// the caption pipeline. `index.ts` adds the optional Nest wrapper.
export * from './types.js';
export { prepareScenario } from './prepare.js';
export { isActiveAt, mergeIntervals } from './windows.js';
