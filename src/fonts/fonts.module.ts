import { Module } from '@nestjs/common';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { FontResolver } from './font-resolver.js';
import { FontSources } from './font-sources.js';

/**
 * The process's FontResolver (imported by EngineModule and the HTTP API). In the service it uses
 * the process's GuardedFetcher (NetModule); the command line has no NetModule and gets a guarded
 * fetcher of its own with the same address policy.
 */
@Module({
  providers: [
    {
      provide: FontResolver,
      inject: [ENGINE_CONFIG, { token: GuardedFetcher, optional: true }],
      useFactory: (engine: EngineConfig, shared?: GuardedFetcher) => {
        const c = engine.fonts;
        const own = shared
          ? undefined
          : new GuardedFetcher({ allowHttp: c.allowPrivateNetworks, allowPrivateNetworks: c.allowPrivateNetworks });
        return new FontResolver(c, new FontSources(shared ?? own!, c), () => own?.close());
      },
    },
  ],
  exports: [FontResolver],
})
export class FontsModule {}
