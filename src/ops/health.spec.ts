import request from 'supertest';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { ConfigModule } from '../config/config.module.js';
import { loadEngineConfig } from '../config/app-config.js';
import { BrowserPoolModule } from '../browser-pool/browser-pool.module.js';
import { BrowserPool } from '../browser-pool/browser-pool.service.js';
import { EncoderModule } from '../encoder/encoder.module.js';
import { RENDER_QUEUE } from '../queue/queue.constants.js';
import { HealthModule, ShutdownState } from './health.js';
import { MetricsModule } from './metrics.js';
import { RenderMetrics } from './render-metrics.js';
import { bootOpsTestApp, type OpsTestApp } from '../../test/helpers/ops-test-app.js';

/** The operator's token (METRICS_TOKEN): it unlocks terminus' detailed readiness body. */
const OPS = 'ops-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${OPS}` };

describe('HealthModule + MetricsModule (api role, real PostgreSQL + Redis)', () => {
  let t: OpsTestApp;
  beforeAll(async () => {
    t = await bootOpsTestApp({ imports: [HealthModule.forRole('api', { detailsToken: OPS }), MetricsModule.forRoot()] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health is 200, bare without the ops token', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    const detailed = await request(t.app.getHttpServer()).get('/health').set(AUTH).expect(200);
    expect(detailed.body).toMatchObject({ status: 'ok', role: 'api' });
  });

  it('GET /health/ready is bare without the ops token (issue 12 #6)', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    const wrong = await request(t.app.getHttpServer()).get('/health/ready').set('authorization', 'Bearer nope').expect(200);
    expect(wrong.body).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 with database and redis up (no browser/ffmpeg in api role)', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').set(AUTH).expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.redis.status).toBe('up');
    expect(res.body.details.browser).toBeUndefined();
    expect(res.body.details.ffmpeg).toBeUndefined();
  });

  it('GET /metrics exposes default, job, queue and render metrics', async () => {
    await t.db.dataSource.query(
      `INSERT INTO render_jobs (id, user_id, status, video_url, video_name, scenario, request_hash)
       VALUES (gen_random_uuid(), 'u1', 'queued', 'https://x/v.mp4', 'v.mp4', '{}'::jsonb, 'h'),
              (gen_random_uuid(), 'u1', 'queued', 'https://x/v.mp4', 'v.mp4', '{}'::jsonb, 'h'),
              (gen_random_uuid(), 'u1', 'completed', 'https://x/v.mp4', 'v.mp4', '{}'::jsonb, 'h')`,
    );
    const queue = t.app.get<Queue>(getQueueToken(RENDER_QUEUE), { strict: false });
    await queue.add('render-video', { x: 1 }, { delay: 60_000 });
    t.app.get(RenderMetrics).observeRender({ durationSec: 42, fps: 12.5, frames: 525, encoder: 'libx264', outcome: 'completed' });

    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toContain('ecg_render_jobs{status="queued"} 2');
    expect(text).toContain('ecg_render_jobs{status="completed"} 1');
    expect(text).toContain('ecg_render_jobs{status="failed"} 0');
    expect(text).toContain('ecg_render_queue_depth{queue="render",state="delayed"} 1');
    expect(text).toContain('ecg_render_queue_depth{queue="render",state="waiting"} 0');
    expect(text).toContain('ecg_render_queue_depth{queue="render-callbacks",state="failed"} 0');
    expect(text).toContain('ecg_render_job_duration_seconds_count{encoder="libx264",outcome="completed"} 1');
    expect(text).toContain('ecg_render_fps_sum{encoder="libx264"} 12.5');
    expect(text).toContain('ecg_render_frames_total{encoder="libx264"} 525');
    expect(text).not.toContain('ecg_render_metrics_collect_errors_total{');
  });

  it('readiness turns 503 once the app starts shutting down (ShutdownState)', async () => {
    const state = t.app.get(ShutdownState);
    state.shuttingDown = true;
    try {
      const bare = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
      expect(bare.body).toEqual({ status: 'error', message: 'not ready' });
      const res = await request(t.app.getHttpServer()).get('/health/ready').set(AUTH).expect(503);
      expect(res.body.error.shutdown).toMatchObject({ status: 'down', message: 'shutting down' });
      await request(t.app.getHttpServer()).get('/health').expect(200);
    } finally {
      state.shuttingDown = false;
    }
  });
});

describe('readiness with Redis unreachable', () => {
  let t: OpsTestApp;
  beforeAll(async () => {
    t = await bootOpsTestApp({
      imports: [
        HealthModule.forRole('api', { timeouts: { redis: 500 }, detailsToken: OPS }),
        MetricsModule.forRoot({ collectTimeoutMs: 300 }),
      ],
      redisUrl: 'redis://127.0.0.1:1',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health stays 200', async () => {
    await request(t.app.getHttpServer()).get('/health').expect(200);
  });

  it('GET /health/ready is 503 with a details body naming redis', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').set(AUTH).expect(503);
    expect(res.body.status).toBe('error');
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.redis.status).toBe('down');
    expect(res.body.error.redis.message).toMatch(/timeout/);
  });

  it('GET /metrics still answers, counting the failed queue collection', async () => {
    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.text).toContain('ecg_render_jobs{status="queued"} 0');
    expect(res.text).toMatch(/ecg_render_metrics_collect_errors_total\{source="queue"\} [1-9]/);
  });
});

describe('HealthModule worker role (real Chromium + ffmpeg)', () => {
  let t: OpsTestApp;
  beforeAll(async () => {
    t = await bootOpsTestApp({
      imports: [
        ConfigModule.forEngine(loadEngineConfig({})),
        BrowserPoolModule,
        EncoderModule.forRoot({ preferred: 'x264' }),
        HealthModule.forRole('worker', { detailsToken: OPS }),
      ],
    });
  });
  afterAll(async () => {
    // Close Chromium ourselves: BrowserPool's own close races browser.close() against a 5 s timer
    // that is neither cleared nor unref'd, which keeps Jest's worker alive after the suite.
    if (t) {
      const lease = await t.app.get(BrowserPool).acquire();
      await lease.browser.close();
      await lease.release();
    }
    await t?.close();
  });

  it('GET /health/ready checks database, redis, browser and ffmpeg; browser result is cached', async () => {
    const server = t.app.getHttpServer();
    const bare = await request(server).get('/health/ready').expect(200);
    expect(bare.body).toEqual({ status: 'ok' }); // no ffmpeg version or encoder for the public
    const res = await request(server).get('/health/ready').set(AUTH).expect(200);
    expect(res.body.details).toMatchObject({
      database: { status: 'up' },
      redis: { status: 'up' },
      browser: { status: 'up', size: 1 },
      ffmpeg: { status: 'up', encoder: 'libx264' },
    });
    expect(res.body.details.ffmpeg.version).toMatch(/\d/);
    expect(t.app.get(BrowserPool).idle).toBe(1); // lease returned
    const again = await request(server).get('/health/ready').set(AUTH).expect(200);
    expect(again.body.details.browser.cachedResponse).toBe(true);
  });
});
