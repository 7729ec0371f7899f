import { DynamicModule, Global, Module } from '@nestjs/common';
import { GUARDED_FETCHER_OPTIONS, GuardedFetcher, type GuardedFetcherOptions } from './guarded-fetcher.js';

/**
 * Provides the single GuardedFetcher of the process, configured once at the root.
 * Global because every module that reaches the network (callbacks, fonts, the API's URL checks)
 * must share its one address policy and connection pool.
 */
@Global()
@Module({})
export class NetModule {
  static forRoot(options: GuardedFetcherOptions = {}): DynamicModule {
    return {
      module: NetModule,
      providers: [{ provide: GUARDED_FETCHER_OPTIONS, useValue: options }, GuardedFetcher],
      exports: [GuardedFetcher],
    };
  }
}
