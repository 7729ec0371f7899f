// One root module per boot mode, over the same shared providers (CoreModule). Queue consumers
// exist only in the worker and standalone roots; public HTTP only in the api and standalone roots.
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { HttpApiModule } from '../http/http-api.module.js';
import { WorkerModule } from '../worker/worker.module.js';
import { CoreModule } from './core.module.js';

@Module({})
export class ApiRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ApiRootModule, imports: [CoreModule.forRoot(config), HttpApiModule.forRoot(config)] };
  }
}

@Module({})
export class WorkerRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerRootModule, imports: [CoreModule.forRoot(config), WorkerModule] };
  }
}

@Module({})
export class StandaloneRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StandaloneRootModule,
      imports: [CoreModule.forRoot(config), HttpApiModule.forRoot(config), WorkerModule],
    };
  }
}

export function rootModuleFor(config: AppConfig): DynamicModule {
  switch (config.mode) {
    case 'api':
      return ApiRootModule.forRoot(config);
    case 'worker':
      return WorkerRootModule.forRoot(config);
    case 'standalone':
      return StandaloneRootModule.forRoot(config);
  }
}
