// The web console (`/`) and the endpoints only it needs: dev tokens (when ALLOW_DEV_TOKENS=true),
// scenario preparation for the live preview, and the parity check of a finished job.
// Imported by the api and standalone roots; needs CoreModule (global providers).
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { AuthModule } from '../auth/auth.module.js';
import { ParityRequester } from '../parity/parity-queue.js';
import { ConsoleController } from './console.controller.js';
import { DevTokenController } from './dev-token.controller.js';
import { ParityController } from './parity.controller.js';
import { ScenarioController } from './scenario.controller.js';

@Module({})
export class ConsoleModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleController, ScenarioController, ParityController, ...(config.auth.allowDevTokens ? [DevTokenController] : [])],
      imports: [AuthModule],
      // Parity runs on a worker (the render-parity queue); the API only enqueues and waits.
      providers: [ParityRequester],
    };
  }
}
