// The web console, driven in real Chromium (puppeteer-core) against a standalone service:
// dev-token sign-in, upload + start, live progress to 100 %, the side-by-side player (the engine
// live over the source beside the rendered MP4, one transport), the parity report of the finished
// job, cancelling a second job, the history. Saves docs/console.png (the README's screenshot).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { NODE_BIN, ROOT, readFixture } from '../helpers/engine.js';
import { makeTestVideo } from '../helpers/media.js';
import { request } from '../support/api-client.js';
import { startService, type Service } from '../helpers/service-harness.js';

import { jest } from '@jest/globals';

jest.setTimeout(240_000);

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

describe('web console (Chromium)', () => {
  let svc: Service;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let shortVideo: string;
  let longVideo: string;
  let scenarioPath: string;

  beforeAll(async () => {
    execFileSync(NODE_BIN, ['scripts/build-console.mjs'], { cwd: ROOT, stdio: 'pipe' });
    dir = mkdtempSync(join(tmpdir(), 'ecg-console-'));
    [shortVideo, longVideo] = await Promise.all([
      makeTestVideo({ path: join(dir, 'clip.mp4'), seconds: 5, width: 640, height: 360, fps: 10, audio: true }),
      makeTestVideo({ path: join(dir, 'long.mp4'), seconds: 60, width: 640, height: 360, fps: 10, audio: false }),
    ]);
    // The editor's v1.3 export: the console has the server convert it for the preview.
    scenarioPath = join(dir, 'basic-v1.3.json');
    writeFileSync(scenarioPath, JSON.stringify(readFixture('legacy/basic.json')));
    svc = await startService({ mode: 'standalone', env: { ALLOW_DEV_TOKENS: 'true', NODE_ENV: 'development' } });
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
        '--font-render-hinting=none',
      ],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1360, height: 1000, deviceScaleFactor: 1 });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await svc?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const errors: string[] = [];

  it('serves the console at / with a strict Content-Security-Policy', async () => {
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const res = await page.goto(`${svc.baseUrl}/`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    const csp = res!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(await page.$eval('h1', (h) => h.textContent)).toContain('ECG Render');
    const asset = await request(svc.baseUrl, 'GET', '/console/../package.json');
    expect(asset.status).toBe(404);
  });

  it('signs in with a dev token', async () => {
    await page.waitForSelector('#dev-token:not([hidden])', { timeout: 10_000 });
    await page.$eval('#dev-user', (el) => ((el as HTMLInputElement).value = ''));
    await page.type('#dev-user', 'console-e2e');
    await page.click('#dev-token-btn');
    await page.waitForSelector('#app:not([hidden])', { timeout: 10_000 });
    expect(await page.$eval('#who-name', (e) => e.textContent)).toContain('console-e2e');
  });

  async function startJob(videoPath: string): Promise<string> {
    const before = await page.$$eval('#jobs [data-job-id]', (els) => els.length);
    await ((await page.$('#video-file')) as ElementHandle<HTMLInputElement>).uploadFile(videoPath);
    await ((await page.$('#scenario-file')) as ElementHandle<HTMLInputElement>).uploadFile(scenarioPath);
    await page.waitForFunction(() => !(document.querySelector('#start') as HTMLButtonElement).disabled);
    await page.click('#start');
    await page.waitForFunction(
      (n) => document.querySelectorAll('#jobs [data-job-id]').length > n || !!document.querySelector('#start-error')?.textContent,
      { timeout: 30_000 },
      before,
    );
    const err = await page.$eval('#start-error', (e) => e.textContent);
    expect(err).toBe('');
    // The preflight report was shown before the render started.
    const preflight = await page.$eval('#preflight', (e) => ({ hidden: (e as HTMLElement).hidden, text: e.textContent ?? '' }));
    expect(preflight.hidden).toBe(false);
    expect(preflight.text).toMatch(/^Preflight: \d+ cues/);
    return page.$eval('#jobs [data-job-id]', (e) => (e as HTMLElement).dataset.jobId!);
  }

  it('uploads, starts, follows progress to 100 %, plays preview and result side by side, checks parity', async () => {
    const jobId = await startJob(shortVideo);
    const card = `#jobs [data-job-id="${jobId}"]`;
    // Watch the card: record every (status, progress) it shows until the job ends.
    const seen: string[] = [];
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = await page
        .$eval(card, (e) => `${(e as HTMLElement).dataset.status}:${(e as HTMLElement).dataset.progress}`)
        .catch(() => 'none:0');
      if (seen[seen.length - 1] !== s) seen.push(s);
      if (/^(completed|failed|cancelled):/.test(s) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen[seen.length - 1]).toBe('completed:100');
    expect(await page.$eval(`${card} .pct`, (e) => e.textContent)).toBe('100 %');
    expect(await page.$eval(`${card} .bar`, (e) => (e as HTMLElement).style.width)).toBe('100%');

    // The side-by-side player: the rendered MP4 and the source with the live engine on top.
    await page.waitForSelector(`${card}[data-player="ready"]`, { timeout: 30_000 });
    const media = await page.$eval(card, (e) => {
      const r = e.querySelector('.rendered-video') as HTMLVideoElement;
      const p = e.querySelector('.preview-video') as HTMLVideoElement;
      const f = e.querySelector('.caption-frame') as HTMLIFrameElement;
      return {
        rendered: [r.videoWidth, r.videoHeight, r.readyState, r.duration],
        preview: [p.videoWidth, p.videoHeight, p.readyState],
        engine: !!(f.contentWindow as any).__ecgCaption,
        download: (e.querySelector('.download') as HTMLAnchorElement).href,
      };
    });
    expect(media.rendered.slice(0, 2)).toEqual([640, 360]);
    expect(media.rendered[2]).toBeGreaterThanOrEqual(1);
    expect(media.rendered[3]).toBeCloseTo(5, 0);
    expect(media.preview.slice(0, 2)).toEqual([640, 360]);
    expect(media.engine).toBe(true);
    expect(media.download).toContain('/api/files/');

    // One transport drives both: seek to 3.5 s (inside the first cue, 2–5 s).
    await page.$eval(`${card} .seek`, (el) => {
      const s = el as HTMLInputElement;
      s.value = '700';
      s.dispatchEvent(new Event('input'));
      s.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(
      (sel) => {
        const e = document.querySelector(sel) as HTMLElement;
        const r = e.querySelector('.rendered-video') as HTMLVideoElement;
        const p = e.querySelector('.preview-video') as HTMLVideoElement;
        return (
          !r.seeking &&
          !p.seeking &&
          Math.abs(r.currentTime - 3.5) < 0.05 &&
          Math.abs(p.currentTime - 3.5) < 0.05 &&
          e.dataset.captionVisible === 'true'
        );
      },
      { timeout: 15_000 },
      card,
    );
    // Play: both advance together; pause: they stop in sync.
    await page.click(`${card} .play`);
    await new Promise((r) => setTimeout(r, 700));
    await page.click(`${card} .play`);
    const times = await page.$eval(card, (e) => [
      (e.querySelector('.rendered-video') as HTMLVideoElement).currentTime,
      (e.querySelector('.preview-video') as HTMLVideoElement).currentTime,
    ]);
    expect(times[0]).toBeGreaterThan(3.6);
    expect(Math.abs(times[0] - times[1])).toBeLessThan(0.2);
    // Back to 3.5 s for the screenshot.
    await page.$eval(`${card} .seek`, (el) => {
      const s = el as HTMLInputElement;
      s.value = '700';
      s.dispatchEvent(new Event('input'));
      s.dispatchEvent(new Event('change'));
    });

    // The parity report of this job, in the console.
    await page.click(`${card} .parity-run`);
    await page.waitForFunction((sel) => !!(document.querySelector(sel) as HTMLElement).dataset.parity, { timeout: 120_000 }, card);
    const parity = await page.$eval(card, (e) => ({
      verdict: (e as HTMLElement).dataset.parity,
      text: e.querySelector('.parity')!.textContent,
    }));
    expect(parity.text).toContain('Parity OK');
    expect(parity.verdict).toBe('match');
    expect(await page.$$eval(`${card} .parity tbody tr`, (r) => r.length)).toBeGreaterThanOrEqual(4);

    // docs/console.png: the finished view (job card with the player and the parity report).
    await page.waitForFunction(
      (sel) => {
        const e = document.querySelector(sel) as HTMLElement;
        const r = e.querySelector('.rendered-video') as HTMLVideoElement;
        const p = e.querySelector('.preview-video') as HTMLVideoElement;
        return !r.seeking && !p.seeking && r.readyState >= 2 && p.readyState >= 2;
      },
      { timeout: 15_000 },
      card,
    );
    await new Promise((r) => setTimeout(r, 300));
    const shotPath = join(ROOT, 'docs/console.png');
    await page.screenshot({ path: shotPath, fullPage: true });
    expect(statSync(shotPath).size).toBeGreaterThan(20_000);

    // The history lists it as completed, with a download link.
    await page.waitForSelector(`#history tr[data-job-id="${jobId}"][data-status="completed"] a[download]`, { timeout: 10_000 });
  });

  it('cancels a second job from its card', async () => {
    const jobId = await startJob(longVideo);
    const card = `#jobs [data-job-id="${jobId}"]`;
    await page.waitForSelector(`${card}[data-status="processing"], ${card}[data-status="queued"]`, { timeout: 30_000 });
    await page.click(`${card} .job-cancel`);
    await page.waitForSelector(`${card}[data-status="cancelled"]`, { timeout: 30_000 });
    expect(await page.$eval(`${card} .job-cancel`, (b) => (b as HTMLButtonElement).hidden)).toBe(true);
    await page.waitForSelector(`#history tr[data-job-id="${jobId}"][data-status="cancelled"]`, { timeout: 10_000 });
    const status = await svc.call('GET', `/api/render/${jobId}/status`, {
      token: await page.evaluate(() => sessionStorage.getItem('ecg-render.token')!),
    });
    expect(status.body.status).toBe('cancelled');
  });

  it('ran without page errors', () => {
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
