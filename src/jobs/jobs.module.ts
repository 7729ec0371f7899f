import { Module } from '@nestjs/common';
import { JobsRepository } from './jobs.repository.js';

/** Needs a DataSource in scope (DatabaseModule.forRoot is global). */
@Module({
  providers: [JobsRepository],
  exports: [JobsRepository],
})
export class JobsModule {}
