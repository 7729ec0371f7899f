// Parity for a finished job of the service: its source (fetched as the worker fetches it) and its
// stored result, compared frame by frame with the engine alone (see parity-runner.ts). Runs on a
// worker (parity-queue.ts), with its own short-lived Chromium, one check at a time. The fresh copy
// of the source passes the render's own ffprobe gate before ffmpeg decodes it, and ffmpeg reads it
// with the render's protocol and format whitelists (issue 12 #1).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from '../browser-pool/chromium-launch.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { RenderJobEntity } from '../database/entities/render-job.entity.js';
import { MediaProbe } from '../encoder/media-probe.js';
import { FontResolver } from '../fonts/font-resolver.js';
import { prepareScenario } from '../scenario/prepare-scenario.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { SourceFetcher } from '../storage/source-fetcher.js';
import { probeVideo } from './ffmpeg-frames.js';
import { parityReportJson, runParity } from './parity-runner.js';

export const JOB_PARITY_MAX_FRAMES = 24;
const JOB_PARITY_TIMEOUT_MS = 10 * 60_000;
const CACHE_SIZE = 50;

export type JobParityReport = ReturnType<typeof parityReportJson> & { jobId: string; checkedAt: string };

@Injectable()
export class JobParityService {
  private readonly logger = new Logger(JobParityService.name);
  private readonly cache = new Map<string, JobParityReport>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly sources: SourceFetcher,
    private readonly fonts: FontResolver,
  ) {}

  /** One check at a time per process: each launches a Chromium and decodes two videos. */
  check(job: RenderJobEntity, frames: number): Promise<JobParityReport> {
    const key = `${job.id}:${frames}`;
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    const run = this.chain.then(() => this.run(job, frames));
    this.chain = run.catch(() => undefined);
    return run.then((report) => {
      this.cache.set(key, report);
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
      return report;
    });
  }

  private async run(job: RenderJobEntity, frames: number): Promise<JobParityReport> {
    const engine = this.config.engine;
    const dir = await mkdtemp(join(engine.tempDir, 'ecg-job-parity-'));
    const signal = AbortSignal.timeout(JOB_PARITY_TIMEOUT_MS);
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
    try {
      const sourcePath = join(dir, 'source');
      const renderedPath = join(dir, 'rendered.mp4');
      await Promise.all([
        this.sources.fetchTo(job.videoUrl, sourcePath, signal),
        this.storage.downloadToFile(job.outputKey!, renderedPath, { signal }),
      ]);
      await new MediaProbe({ ffprobePath: engine.ffprobePath }).probe(
        sourcePath,
        { maxSizeBytes: this.config.limits.maxVideoBytes, maxDurationSec: this.config.limits.maxVideoDurationSec },
        signal,
      );
      const info = await probeVideo(renderedPath, { ffprobePath: engine.ffprobePath, signal });
      const plain = prepareScenario(job.scenario);
      // The reference draws with the render's faces and images (Arial → Arimo, images inline).
      const fontPlan = await this.fonts.plan(plain.scenario, { mode: 'warn', signal });
      const prepared = {
        ...plain,
        scenario: (await this.fonts.inlineImages(plain.scenario, { signal }).catch(() => ({ scenario: plain.scenario }))).scenario,
      };
      browser = await launchChromium(engine.chromiumPath);
      const report = await runParity({
        sourcePath,
        renderedPath,
        prepared,
        fonts: fontPlan.fonts,
        width: info.width,
        height: info.height,
        fps: Math.round(info.fps),
        framesTotal: info.frames,
        frames,
        browser,
        ffmpegPath: engine.ffmpegPath,
        signal,
      });
      this.logger.log(
        `parity of job ${job.id}: ${report.match ? 'match' : `${report.mismatched} frames differ`} (${report.wallSeconds.toFixed(1)} s)`,
      );
      return { jobId: job.id, checkedAt: new Date().toISOString(), ...parityReportJson(report) };
    } finally {
      await browser?.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }
}
