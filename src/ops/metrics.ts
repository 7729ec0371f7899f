// Prometheus metrics at GET /metrics (text exposition format), one prom-client Registry per app:
//   process/nodejs default metrics (prefix none: process_cpu_seconds_total, nodejs_heap_size_…)
//   ecg_render_jobs{status}                       jobs in the database per status — one GROUP BY on scrape
//   ecg_render_queue_depth{queue,state}            Bull getJobCounts (waiting|active|delayed|failed) on scrape
//   ecg_render_job_duration_seconds{encoder,outcome}  histogram, wall time of each render (worker): once per
//                                                  attempt of a render in one piece; once for a split render,
//                                                  when its join ends it or a segment fails it (encoder
//                                                  `segmented`, wall time from its start)
//   ecg_render_step_duration_seconds{kind,encoder,outcome}  histogram, wall time of each segment and join job
//                                                  of a split render (kind segment|join) (worker)
//   ecg_render_fps{encoder}                        histogram, frames per second of each completed render (worker)
//   ecg_render_frames_total{encoder}               counter, frames produced by renders and segments (worker)
//   ecg_render_encoder_fallbacks_total{kind}       counter, h264_nvenc encodes run again on libx264 (engine)
//   ecg_render_metrics_collect_errors_total{source}  scrape-time collection failures (database|queue)
// The jobs and queue gauges are cluster-wide values: every pod that collects them reports the
// same numbers, so aggregate with max() (or collect them in one role only, see MetricsModuleOptions).
// The worker's and engine's series are defined in render-metrics.ts (the engine imports only that).
import {
  Controller,
  type DynamicModule,
  HttpException,
  HttpStatus,
  Get,
  Global,
  Inject,
  Injectable,
  Module,
  Req,
  Res,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { hasBearer } from './health.js';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';
import { RENDER_JOB_STATUSES, RenderJobEntity } from '../database/entities/render-job.entity.js';
import { METRICS_REGISTRY } from './metrics-registry.js';
import { findQueue, OPS_QUEUE_NAMES, withTimeout } from './ops-queues.js';
import { RenderMetrics } from './render-metrics.js';

export interface MetricsModuleOptions {
  /** Collect ecg_render_jobs from the database on scrape. Default true. */
  jobStatus?: boolean;
  /** Queues reported by ecg_render_queue_depth. Default ['render', 'render-callbacks']; [] disables. */
  queues?: readonly string[];
  /** Node/process default metrics. Default true. */
  defaultMetrics?: boolean;
  /** Labels on every series, e.g. `{ mode: 'worker' }`. */
  defaultLabels?: Record<string, string>;
  /** Bound of each scrape-time query (ms). Default 2000. */
  collectTimeoutMs?: number;
  /** When set, GET /metrics requires `Authorization: Bearer <token>` (401 otherwise). */
  bearerToken?: string;
  /** Serve GET /metrics at all. Default true; the roots expose it publicly only with a token. */
  expose?: boolean;
}

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export const QUEUE_DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Scrape-time gauges: database job counts and Bull queue depths. */
@Injectable()
export class ScrapeCollectors {
  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    const timeoutMs = options.collectTimeoutMs ?? 2000;
    const jobCounts = () => this.jobCounts();
    // registry.metrics() starts every metric's collect() in registration order, concurrently;
    // the error counter (registered last) waits for this scrape's collections to settle.
    const pending = new Set<Promise<unknown>>();
    const track = <T>(p: Promise<T>): Promise<T> => {
      pending.add(p);
      return p.finally(() => pending.delete(p));
    };
    const errors = new Counter({
      name: 'ecg_render_metrics_collect_errors_total',
      help: 'Failures of scrape-time metric collection, by source',
      labelNames: ['source'],
      registers: [],
      async collect() {
        await Promise.allSettled([...pending]);
      },
    });

    if (options.jobStatus !== false) {
      new Gauge({
        name: 'ecg_render_jobs',
        help: 'Render jobs in the database, by status',
        labelNames: ['status'],
        registers: [registry],
        async collect() {
          this.reset();
          try {
            const counts = await track(withTimeout(jobCounts(), timeoutMs, 'job status query'));
            for (const status of RENDER_JOB_STATUSES) this.set({ status }, counts.get(status) ?? 0);
          } catch {
            errors.inc({ source: 'database' });
          }
        },
      });
    }

    const queues = options.queues ?? OPS_QUEUE_NAMES;
    if (queues.length > 0) {
      const moduleRef = this.moduleRef;
      new Gauge({
        name: 'ecg_render_queue_depth',
        help: 'Jobs in each Bull queue, by state',
        labelNames: ['queue', 'state'],
        registers: [registry],
        async collect() {
          this.reset();
          await Promise.all(
            queues.map(async (name) => {
              const queue = findQueue(moduleRef, name);
              if (!queue) return; // not registered in this role
              try {
                const counts = (await track(withTimeout(queue.getJobCounts(), timeoutMs, `${name} job counts`))) as unknown as Record<
                  string,
                  number
                >;
                for (const state of QUEUE_DEPTH_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
              } catch {
                errors.inc({ source: 'queue' });
              }
            }),
          );
        },
      });
    }
    registry.registerMetric(errors);
  }

  /** One `SELECT status, COUNT(*) … GROUP BY status` (uses idx_render_jobs_status). */
  async jobCounts(): Promise<Map<string, number>> {
    const ds = this.moduleRef.get(DataSource, { strict: false });
    const rows: Array<{ status: string; count: string }> = await ds
      .getRepository(RenderJobEntity)
      .createQueryBuilder('j')
      .select('j.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('j.status')
      .getRawMany();
    return new Map(rows.map((r) => [r.status, Number(r.count)]));
  }
}

@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsModuleOptions,
  ) {}

  @Get()
  async scrape(
    @Req() req: { headers: Record<string, string | string[] | undefined> },
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): unknown },
  ): Promise<string> {
    const token = this.options.bearerToken;
    if (token && !hasBearer(req.headers, token)) {
      throw new HttpException(
        { detail: { error: 'Unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>', code: 'RENDER_UNAUTHORIZED' } },
        HttpStatus.UNAUTHORIZED,
      );
    }
    res.setHeader('Content-Type', this.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.registry.metrics();
  }
}

/**
 * Global: `RenderMetrics` is injectable anywhere (the worker's processor). Import once in the
 * root module: `MetricsModule.forRoot()` (api: maybe `{ queues: [...] }`, worker: defaults).
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    return {
      module: MetricsModule,
      controllers: options.expose === false ? [] : [MetricsController],
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
            if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        RenderMetrics,
        ScrapeCollectors,
      ],
      exports: [METRICS_REGISTRY, RenderMetrics],
    };
  }
}
