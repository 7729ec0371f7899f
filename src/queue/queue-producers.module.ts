import { Module } from '@nestjs/common';
import { CallbackNotifier } from './callback-notifier.js';
import { RenderProgressReader } from './render-progress.reader.js';
import { RenderQueueProducer } from './render-queue.producer.js';

/**
 * Producers for both queues (api, worker and standalone all enqueue) and the API's reader of a
 * render's live progress: nothing outside src/queue builds a Bull job id. Needs CoreModule's queues.
 */
@Module({
  providers: [CallbackNotifier, RenderQueueProducer, RenderProgressReader],
  exports: [CallbackNotifier, RenderQueueProducer, RenderProgressReader],
})
export class QueueProducersModule {}
