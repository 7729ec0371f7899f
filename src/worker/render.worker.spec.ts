// What the worker's metrics count: renders once each, segments and joins apart (ecg_render_step_duration_seconds).
import type { Job, Queue } from 'bull';
import { Registry } from 'prom-client';
import type { AppConfig } from '../config/app-config.js';
import { RenderMetrics } from '../ops/render-metrics.js';
import { RENDER_JOB, RENDER_JOIN_JOB, RENDER_SEGMENT_JOB } from '../queue/queue.constants.js';
import type { RenderQueueData } from '../queue/render-queue.producer.js';
import type { JobExecution } from './job-execution.js';
import type { RenderJobRunner } from './render-job.runner.js';
import { RenderWorker } from './render.worker.js';
import type { RunContext, RunOutcome } from './run-types.js';
import type { SegmentedRender } from './segmented-render.js';

const RENDER_ID = '6f1d3c52-8a7e-4b1f-9a61-0d2b5c7e9f10';
const STARTED = new Date(Date.now() - 90_000);

type Step = (ctx: RunContext) => Promise<RunOutcome>;

/** A worker whose runs are `steps` (by job name), metrics on a fresh registry. */
function workerWith(steps: { render?: Step; segment?: Step; join?: Step }) {
  const registry = new Registry();
  const metrics = new RenderMetrics(registry);
  const runner = { workerId: 'test', run: (_id: string, ctx: RunContext) => steps.render!(ctx) } as unknown as RenderJobRunner;
  const segmented = {
    runSegment: (_data: unknown, ctx: RunContext) => steps.segment!(ctx),
    runJoin: (_id: string, ctx: RunContext) => steps.join!(ctx),
  } as unknown as SegmentedRender;
  const config = { worker: { concurrency: 1, shutdownGraceMs: 0 } } as AppConfig;
  const worker = new RenderWorker(config, {} as Queue<RenderQueueData>, runner, segmented, {} as JobExecution, metrics);
  const job = (name: string, idx = 0) =>
    ({
      name,
      data: { renderId: RENDER_ID, idx },
      opts: { attempts: 3 },
      attemptsMade: 0,
      progress: () => Promise.resolve(),
    }) as unknown as Job<RenderQueueData>;
  const values = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
  /** The _count series of a histogram, by their labels. */
  const counts = async (name: string) =>
    (await values(name))
      .filter((v) => (v as { metricName?: string }).metricName === `${name}_count`)
      .map((v) => ({ ...v.labels, n: v.value }));
  return { worker, job, values, counts };
}

describe('RenderWorker metrics', () => {
  it('a render in one piece counts once as a render, with its encoder, fps and frames', async () => {
    const w = workerWith({
      render: async (ctx) => {
        await ctx.report?.({ progress: 90, phase: 'rendering', framesDone: 300, framesTotal: 300, fps: 25, encoder: 'libx264' });
        return 'completed';
      },
    });
    await expect(w.worker.handle(w.job(RENDER_JOB))).resolves.toBe('completed');
    expect(await w.counts('ecg_render_job_duration_seconds')).toEqual([{ encoder: 'libx264', outcome: 'completed', n: 1 }]);
    expect(await w.counts('ecg_render_step_duration_seconds')).toEqual([]);
    expect((await w.values('ecg_render_frames_total')).map((v) => [v.labels, v.value])).toEqual([[{ encoder: 'libx264' }, 300]]);
    expect((await w.counts('ecg_render_fps')).map((c) => c.n)).toEqual([1]);
  });

  it('a render in 10 segments counts once as a render (when its join ends it), its segments and join apart', async () => {
    const w = workerWith({
      render: () => Promise.resolve('delegated'),
      segment: async (ctx) => {
        await ctx.report?.({ progress: 0, phase: 'rendering', framesDone: 100, framesTotal: 100, fps: 20 });
        return 'completed';
      },
      join: (ctx) => {
        ctx.renderEnded?.({ outcome: 'completed', startedAt: STARTED });
        return Promise.resolve('completed');
      },
    });
    await expect(w.worker.handle(w.job(RENDER_JOB))).resolves.toBe('delegated');
    for (let idx = 0; idx < 10; idx++) await w.worker.handle(w.job(RENDER_SEGMENT_JOB, idx));
    await w.worker.handle(w.job(RENDER_JOIN_JOB));

    expect(await w.counts('ecg_render_job_duration_seconds')).toEqual([{ encoder: 'segmented', outcome: 'completed', n: 1 }]);
    // The render's wall time runs from its start, across every segment and the join.
    const sum = (await w.values('ecg_render_job_duration_seconds')).find((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_sum'),
    )!;
    expect(sum.value).toBeGreaterThanOrEqual(90);
    expect(await w.counts('ecg_render_step_duration_seconds')).toEqual([
      { kind: 'segment', encoder: 'none', outcome: 'completed', n: 10 },
      { kind: 'join', encoder: 'none', outcome: 'completed', n: 1 },
    ]);
    // Frames are the segments' (1000), counted once; fps only of renders in one piece.
    expect((await w.values('ecg_render_frames_total')).map((v) => [v.labels, v.value])).toEqual([[{ encoder: 'none' }, 1000]]);
    expect(await w.counts('ecg_render_fps')).toEqual([]);
  });

  it('a segment that fails the render counts it failed once; a segment given back for a retry is a failed step only', async () => {
    let attempt = 0;
    const w = workerWith({
      segment: (ctx) => {
        if (++attempt === 1) return Promise.reject(new Error('retry me'));
        ctx.renderEnded?.({ outcome: 'failed', startedAt: null });
        return Promise.resolve('failed');
      },
    });
    await expect(w.worker.handle(w.job(RENDER_SEGMENT_JOB))).rejects.toThrow('retry me');
    expect(await w.counts('ecg_render_job_duration_seconds')).toEqual([]);
    await w.worker.handle(w.job(RENDER_SEGMENT_JOB));
    expect(await w.counts('ecg_render_job_duration_seconds')).toEqual([{ encoder: 'segmented', outcome: 'failed', n: 1 }]);
    expect(await w.counts('ecg_render_step_duration_seconds')).toEqual([{ kind: 'segment', encoder: 'none', outcome: 'failed', n: 2 }]);
  });

  it('skipped and delegated runs are not observed', async () => {
    const w = workerWith({ render: () => Promise.resolve('skipped'), join: () => Promise.resolve('skipped') });
    await w.worker.handle(w.job(RENDER_JOB));
    await w.worker.handle(w.job(RENDER_JOIN_JOB));
    expect(await w.counts('ecg_render_job_duration_seconds')).toEqual([]);
    expect(await w.counts('ecg_render_step_duration_seconds')).toEqual([]);
  });
});
