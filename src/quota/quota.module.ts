import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyService } from './idempotency.service.js';
import { JobAdmission } from './job-admission.service.js';
import { QUOTA_DEFAULT_LIMITS, QuotaService } from './quota.service.js';
import type { QuotaLimits } from './quota.service.js';

export interface QuotaModuleOptions {
  /** App-wide default limits (else 10/day, 100/month, 2 concurrent). */
  defaults?: Partial<QuotaLimits>;
  idempotencyTtlSeconds?: number;
}

/** Needs a DataSource in scope (DatabaseModule.forRoot is global). */
@Module({})
export class QuotaModule {
  static forRoot(opts: QuotaModuleOptions = {}): DynamicModule {
    return {
      module: QuotaModule,
      imports: [JobsModule],
      providers: [
        { provide: QUOTA_DEFAULT_LIMITS, useValue: opts.defaults ?? {} },
        { provide: IDEMPOTENCY_TTL_SECONDS, useValue: opts.idempotencyTtlSeconds ?? 0 },
        QuotaService,
        IdempotencyService,
        JobAdmission,
      ],
      exports: [QuotaService, IdempotencyService, JobAdmission],
    };
  }
}
