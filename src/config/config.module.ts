import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig, EngineConfig } from './app-config.js';
import { APP_CONFIG, ENGINE_CONFIG } from './config.tokens.js';

/**
 * Makes the configuration validated at boot injectable everywhere. Global because nearly every
 * module reads its settings from it, and there is one configuration per process.
 */
@Global()
@Module({})
export class ConfigModule {
  /** The command line: engine settings only (no database, queue or S3). */
  static forEngine(engine: EngineConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: ENGINE_CONFIG, useValue: engine }],
      exports: [ENGINE_CONFIG],
    };
  }

  static forApp(app: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: app },
        { provide: ENGINE_CONFIG, useValue: app.engine },
      ],
      exports: [APP_CONFIG, ENGINE_CONFIG],
    };
  }
}
