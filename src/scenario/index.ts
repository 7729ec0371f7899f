export * from './prepare-scenario.js';
export { ScenarioService, ScenarioModule } from './scenario.service.js';
