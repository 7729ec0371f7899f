import { DynamicModule, Module } from '@nestjs/common';
import { CALLBACK_SENDER_OPTIONS, CallbackSender, type CallbackSenderOptions } from './callback-sender.js';
import { CallbackUrlCheck } from './callback-url-check.js';

/**
 * CallbackSender (the callback worker) and CallbackUrlCheck (the API, when a job is created).
 * Needs GuardedFetcher (NetModule, global) in scope.
 */
@Module({})
export class CallbacksModule {
  static forRoot(options: CallbackSenderOptions): DynamicModule {
    return {
      module: CallbacksModule,
      providers: [{ provide: CALLBACK_SENDER_OPTIONS, useValue: options }, CallbackSender, CallbackUrlCheck],
      exports: [CallbackSender, CallbackUrlCheck],
    };
  }
}
