import { Module } from '@nestjs/common';
import { JobsRepository } from './jobs.repository.js';
import { SegmentsRepository } from './segments.repository.js';

/** Needs a DataSource in scope (DatabaseModule.forRoot is global). */
@Module({
  providers: [JobsRepository, SegmentsRepository],
  exports: [JobsRepository, SegmentsRepository],
})
export class JobsModule {}
