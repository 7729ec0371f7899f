import { Module } from '@nestjs/common';
import { EngineModule } from '../render/engine.module.js';
import { QueueProducersModule } from '../queue/queue-producers.module.js';
import { CallbackWorker } from './callback.worker.js';
import { JobExecution } from './job-execution.js';
import { JobReconciler } from './job-reconciler.js';
import { RenderJobRunner } from './render-job.runner.js';
import { RenderWorker } from './render.worker.js';
import { SegmentedRender } from './segmented-render.js';
import { SourceFetcher } from '../storage/source-fetcher.js';
import { JobParityService } from '../parity/job-parity.service.js';
import { ParityWorker } from '../parity/parity-queue.js';
import { RetentionSweeper } from '../security/retention-sweeper.js';

/** Queue consumers: only in the worker and standalone roots. Needs CoreModule. */
@Module({
  imports: [EngineModule, QueueProducersModule],
  providers: [
    SourceFetcher,
    JobExecution,
    RenderJobRunner,
    SegmentedRender,
    RenderWorker,
    CallbackWorker,
    JobReconciler,
    JobParityService,
    ParityWorker,
    RetentionSweeper,
  ],
  exports: [RenderJobRunner],
})
export class WorkerModule {}
