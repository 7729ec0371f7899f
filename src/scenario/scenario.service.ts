import { Injectable, Module } from '@nestjs/common';
import { prepareScenario } from './prepare.js';
import { isActiveAt } from './windows.js';
import type { PrepareOptions, PreparedScenario, ScenarioLimits } from './types.js';

/** Thin injectable wrapper over the pure functions, for Nest consumers. */
@Injectable()
export class ScenarioService {
  prepare(input: unknown, limits?: ScenarioLimits, options?: PrepareOptions): PreparedScenario {
    return prepareScenario(input, limits, options);
  }

  isActiveAt(prepared: PreparedScenario, t: number): boolean {
    return isActiveAt(prepared, t);
  }
}

@Module({ providers: [ScenarioService], exports: [ScenarioService] })
export class ScenarioModule {}
