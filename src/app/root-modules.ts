// One root module per boot mode, over the same shared providers (CoreModule). Queue consumers
// exist only in the worker and standalone roots; public HTTP only in the api and standalone roots.
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConsoleModule } from '../console/console.module.js';
import { HttpApiModule } from '../http/http-api.module.js';
import { HealthModule } from '../ops/health.js';
import { MetricsModule } from '../ops/metrics.js';
import { WorkerModule } from '../worker/worker.module.js';
import { CoreModule } from './core.module.js';

/**
 * Health (/health, /health/ready: bare unless Bearer METRICS_TOKEN) in every mode. /metrics: behind
 * METRICS_TOKEN when it is set; without it only on a worker's internal health port, never on the
 * public API port (issue 12 #6).
 */
function opsModules(config: AppConfig): DynamicModule[] {
  const token = config.security.metricsToken;
  return [
    HealthModule.forRole(config.mode, { detailsToken: token }),
    MetricsModule.forRoot({ bearerToken: token, expose: config.mode === 'worker' || token !== undefined }),
  ];
}

@Module({})
export class ApiRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiRootModule,
      imports: [CoreModule.forRoot(config), HttpApiModule.forRoot(config), ConsoleModule.forRoot(config), ...opsModules(config)],
    };
  }
}

@Module({})
export class WorkerRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerRootModule, imports: [CoreModule.forRoot(config), WorkerModule, ...opsModules(config)] };
  }
}

@Module({})
export class StandaloneRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StandaloneRootModule,
      imports: [
        CoreModule.forRoot(config),
        HttpApiModule.forRoot(config),
        ConsoleModule.forRoot(config),
        WorkerModule,
        ...opsModules(config),
      ],
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
