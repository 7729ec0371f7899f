import { Module } from '@nestjs/common';
import { CallbackNotifier } from './callback-notifier.js';
import { RenderQueueProducer } from './render-queue.producer.js';

/** Producers for both queues (api, worker and standalone all enqueue). Needs CoreModule's queues. */
@Module({ providers: [CallbackNotifier, RenderQueueProducer], exports: [CallbackNotifier, RenderQueueProducer] })
export class QueueProducersModule {}
