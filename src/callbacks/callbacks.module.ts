import { DynamicModule, Module } from '@nestjs/common';
import { CALLBACK_SENDER_OPTIONS, CallbackSender, type CallbackSenderOptions } from './callback-sender.js';

/** Provides CallbackSender; needs NetModule (global GuardedFetcher) imported in the app. */
@Module({})
export class CallbacksModule {
  static forRoot(options: CallbackSenderOptions): DynamicModule {
    return CallbacksModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(opts: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => CallbackSenderOptions | Promise<CallbackSenderOptions>;
  }): DynamicModule {
    return {
      module: CallbacksModule,
      global: true,
      imports: opts.imports ?? [],
      providers: [{ provide: CALLBACK_SENDER_OPTIONS, useFactory: opts.useFactory, inject: opts.inject ?? [] }, CallbackSender],
      exports: [CallbackSender],
    };
  }
}
