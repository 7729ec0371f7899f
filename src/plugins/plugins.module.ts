import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PLUGIN_CATALOG_OPTIONS, PluginCatalog, type PluginCatalogOptions } from './plugin-catalog.service.js';
import type { PluginOriginConfig } from './plugin-config.js';

export function catalogOptions(config: PluginOriginConfig): PluginCatalogOptions {
  return { origin: config.origin, cacheDir: config.cacheDir, pins: config.pins, allowPrivateNetworks: config.allowPrivateNetworks };
}

/**
 * The process's one PluginCatalog. Global because EngineModule (the worker's and the command
 * line's render engine) injects the catalog its root configures, and the CLI has no CoreModule.
 */
@Global()
@Module({})
export class PluginsModule {
  static forRoot(config: PluginOriginConfig): DynamicModule {
    return {
      module: PluginsModule,
      providers: [{ provide: PLUGIN_CATALOG_OPTIONS, useValue: catalogOptions(config) }, PluginCatalog],
      exports: [PluginCatalog],
    };
  }
}
