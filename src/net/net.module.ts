import { DynamicModule, Global, Module } from '@nestjs/common';
import { GUARDED_FETCHER_OPTIONS, GuardedFetcher, type GuardedFetcherOptions } from './guarded-fetcher.js';

/**
 * Provides the single GuardedFetcher of the process.
 * `NetModule.forRoot(options)` with static options, or `forRootAsync({useFactory, inject})` to
 * build them from the validated config. Global: every module may inject GuardedFetcher.
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

  static forRootAsync(opts: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => GuardedFetcherOptions | Promise<GuardedFetcherOptions>;
  }): DynamicModule {
    return {
      module: NetModule,
      imports: opts.imports ?? [],
      providers: [{ provide: GUARDED_FETCHER_OPTIONS, useFactory: opts.useFactory, inject: opts.inject ?? [] }, GuardedFetcher],
      exports: [GuardedFetcher],
    };
  }
}
