// Liveness and readiness (Kubernetes probes) over @nestjs/terminus.
//   GET /health        liveness: 200 `{status:'ok'}` while the process serves HTTP; checks nothing
//                      external, so a database outage never gets healthy pods restarted.
//   Both answers are bare (`{status}`) unless the request carries `Authorization: Bearer
//   <METRICS_TOKEN>`: versions, encoders and error messages are for operators (issue 12 #6).
//   GET /health/ready  readiness: database (SELECT 1) + Redis (PING through the `render` Bull
//                      queue's client); in worker/standalone also Chromium (BrowserPool) and ffmpeg
//                      (`ffmpeg -version` + EncoderProbe's memoised choice). 503 with terminus'
//                      `{status:'error', info, error, details}` body when any is down, and 503
//                      `shutdown: down` from the moment the app starts closing (drain).
import {
  Controller,
  type DynamicModule,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnModuleDestroy,
  Req,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import type { RenderMode } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import type { EngineConfig } from '../config/app-config.js';
import { BrowserPool } from '../browser-pool/browser-pool.service.js';
import { EncoderProbe } from '../encoder/encoder-probe.js';
import { ENCODER_OPTIONS, type EncoderOptions } from '../encoder/encoder.options.js';
import { runProcess } from '../encoder/process-runner.js';
import { RENDER_QUEUE } from '../queue/queue.constants.js';
import { findQueue, withTimeout } from './ops-queues.js';

export type HealthRole = RenderMode;

export interface HealthModuleOptions {
  /** Per-check timeouts in ms. Defaults: database 2000, redis 2000, browser 10000, ffmpeg 20000. */
  timeouts?: Partial<Record<'database' | 'redis' | 'browser' | 'ffmpeg', number>>;
  /** How long a browser / ffmpeg result is reused (ms). Default 10000. */
  cacheMs?: number;
  /** Queue whose Redis client is pinged. Default `render`. */
  redisQueue?: string;
  /** Bearer token that unlocks terminus' detailed body (METRICS_TOKEN). Unset: always bare. */
  detailsToken?: string;
}

export const HEALTH_ROLE = Symbol('HEALTH_ROLE');
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/** True from onModuleDestroy on: readiness answers 503 while the app drains and closes. */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  shuttingDown = false;
  onModuleDestroy(): void {
    this.shuttingDown = true;
  }
}

/**
 * The readiness checks. Dependencies are looked up in the whole app (strict: false) when a check
 * runs, so this module imports nothing: DataSource comes from DatabaseModule, the queue from
 * BullModule.registerQueue, BrowserPool/EncoderProbe from the worker's modules.
 */
@Injectable()
export class OpsHealthIndicators {
  private ffmpegVersion?: string;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly indicator: HealthIndicatorService,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions,
  ) {}

  private timeout(key: 'database' | 'redis' | 'browser' | 'ffmpeg'): number {
    const defaults = { database: 2000, redis: 2000, browser: 10_000, ffmpeg: 20_000 };
    return this.options.timeouts?.[key] ?? defaults[key];
  }

  private lookup<T>(token: unknown): T | undefined {
    try {
      return this.moduleRef.get<unknown, T>(token as never, { strict: false });
    } catch {
      return undefined;
    }
  }

  database() {
    return this.indicator
      .check('database')
      .attempt(async () => {
        const ds = this.lookup<DataSource>(DataSource);
        if (!ds) throw new Error('no TypeORM DataSource in the application (DatabaseModule not imported)');
        if (!ds.isInitialized) throw new Error('DataSource is not initialized');
        await ds.query('SELECT 1');
      })
      .withTimeout(this.timeout('database'));
  }

  redis() {
    const name = this.options.redisQueue ?? RENDER_QUEUE;
    return this.indicator
      .check('redis')
      .attempt(async () => {
        const queue = findQueue(this.moduleRef, name);
        if (!queue) throw new Error(`Bull queue '${name}' is not registered (BullModule.registerQueue)`);
        // ioredis queues commands while reconnecting; the attempt timeout bounds the wait.
        const pong = await queue.client.ping();
        if (pong !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(pong)}`);
      })
      .withTimeout(this.timeout('redis'));
  }

  /**
   * Chromium: leases an idle browser for a moment (launching one if its slot is empty — the
   * "can launch" check; afterwards the browser stays in the pool, so later checks are cheap) and
   * checks it is connected. When every browser is busy rendering, the pool is working: up.
   * Cached for `cacheMs` (10 s) — at most one check per 10 s whatever the probe rate.
   */
  browser() {
    const ms = this.timeout('browser');
    return this.indicator
      .check('browser')
      .attempt(async () => {
        const pool = this.lookup<BrowserPool>(BrowserPool);
        if (!pool) throw new Error('BrowserPool is not provided (BrowserPoolModule not imported)');
        if (pool.idle === 0) return { size: pool.size, idle: 0, busy: true };
        const acquiring = pool.acquire();
        let lease;
        try {
          lease = await withTimeout(acquiring, ms, 'browser launch');
        } catch (err) {
          // A launch still running after the timeout must not keep its slot forever.
          acquiring.then(
            (l) => l.release(),
            () => undefined,
          );
          throw err;
        }
        const connected = lease.browser.connected;
        await lease.release(!connected);
        if (!connected) throw new Error('browser is not connected');
        return { size: pool.size, idle: pool.idle };
      })
      .withTimeout(ms + 1000)
      .cacheFor(this.options.cacheMs ?? 10_000);
  }

  /** ffmpeg runs (`-version`, once per process on success) and EncoderProbe chose an encoder (memoised). */
  ffmpeg() {
    const ms = this.timeout('ffmpeg');
    return this.indicator
      .check('ffmpeg')
      .attempt(async ({ signal }) => {
        const encOpts = this.lookup<EncoderOptions>(ENCODER_OPTIONS);
        const engine = this.lookup<EngineConfig>(ENGINE_CONFIG);
        const ffmpegPath = encOpts?.ffmpegPath ?? engine?.ffmpegPath ?? 'ffmpeg';
        if (!this.ffmpegVersion) {
          const r = await runProcess(ffmpegPath, ['-hide_banner', '-version'], { timeoutMs: ms, signal, maxOutputBytes: 64 * 1024 });
          if (r.code !== 0)
            throw new Error(
              `${ffmpegPath} -version failed: ${r.timedOut ? 'timed out' : r.stderr.trim().split('\n')[0] || `exit ${r.code ?? r.signal}`}`,
            );
          this.ffmpegVersion = /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
        }
        const probe = this.lookup<EncoderProbe>(EncoderProbe);
        if (!probe) return { version: this.ffmpegVersion };
        const choice = await probe.select();
        return { version: this.ffmpegVersion, encoder: choice.encoder };
      })
      .withTimeout(ms)
      .cacheFor(this.options.cacheMs ?? 10_000);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** True when the request carries `Authorization: Bearer <token>` (constant-time comparison). */
export function hasBearer(headers: Record<string, string | string[] | undefined>, token: string | undefined): boolean {
  if (!token) return false;
  const given = /^Bearer\s+(\S+)$/i.exec(String(headers.authorization ?? ''))?.[1];
  return given !== undefined && timingSafeEqual(sha256(given), sha256(token));
}

type HeaderBag = { headers: Record<string, string | string[] | undefined> };

@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: OpsHealthIndicators,
    private readonly shutdown: ShutdownState,
    @Inject(HEALTH_ROLE) private readonly role: HealthRole,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions,
  ) {}

  /** Liveness: the process runs and its event loop answers. */
  @Get()
  @HealthCheck()
  liveness(@Req() req: HeaderBag) {
    if (!hasBearer(req.headers, this.options.detailsToken)) return { status: 'ok' };
    return { status: 'ok', role: this.role, uptimeSec: Math.round(process.uptime()) };
  }

  @Get('ready')
  @HealthCheck()
  async readiness(@Req() req: HeaderBag) {
    if (hasBearer(req.headers, this.options.detailsToken)) return this.detailedReadiness();
    try {
      await this.detailedReadiness();
      return { status: 'ok' };
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
      this.logger.warn(`not ready: ${JSON.stringify((err.getResponse() as { error?: unknown }).error ?? {})}`);
      throw new HttpException({ status: 'error', message: 'not ready' }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  private detailedReadiness() {
    const checks: HealthIndicatorFunction[] = [() => this.indicators.database(), () => this.indicators.redis()];
    if (this.role !== 'api')
      checks.push(
        () => this.indicators.browser(),
        () => this.indicators.ffmpeg(),
      );
    if (this.shutdown.shuttingDown) {
      checks.unshift(() => Promise.resolve({ shutdown: { status: 'down' as const, message: 'shutting down' } }));
    }
    return this.health.check(checks);
  }
}

/**
 * `HealthModule.forRole(config.mode, { detailsToken })` in every root module (src/app/root-modules.ts).
 * Routes: `GET /health`, `GET /health/ready` (the app sets no global prefix; the API's routes carry `api/`).
 */
@Module({})
export class HealthModule {
  static forRole(role: HealthRole, options: HealthModuleOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_ROLE, useValue: role },
        { provide: HEALTH_OPTIONS, useValue: options },
        ShutdownState,
        OpsHealthIndicators,
      ],
      exports: [OpsHealthIndicators, ShutdownState],
    };
  }
}
