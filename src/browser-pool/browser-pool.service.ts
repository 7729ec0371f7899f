// A fixed number of Chromium browsers, reused across renders. A render leases one browser and
// opens its own window in it; a browser that crashed or disconnected is replaced on the next
// lease. Everything is closed on shutdown.
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Browser, Page } from 'puppeteer-core';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import type { EngineConfig } from '../config/app-config.js';
import { launchChromium } from './chromium-launch.js';

export interface BrowserLease {
  readonly browser: Browser;
  /** A page in its own window: a page that is not its window's front tab never paints. */
  newPage(): Promise<Page>;
  /** Returns the browser to the pool; `broken` closes it so the next lease gets a fresh one. */
  release(broken?: boolean): Promise<void>;
}

interface Slot {
  browser?: Browser;
  busy: boolean;
}

@Injectable()
export class BrowserPool implements OnApplicationShutdown {
  private readonly logger = new Logger(BrowserPool.name);
  private readonly slots: Slot[];
  private readonly waiters: Array<(slot: Slot) => void> = [];
  private closed = false;

  constructor(@Inject(ENGINE_CONFIG) private readonly config: EngineConfig) {
    this.slots = Array.from({ length: config.browserPoolSize }, () => ({ busy: false }));
  }

  get size(): number {
    return this.slots.length;
  }

  get idle(): number {
    return this.slots.filter((s) => !s.busy).length;
  }

  async acquire(signal?: AbortSignal): Promise<BrowserLease> {
    if (this.closed) throw new Error('browser pool is closed');
    const slot = await this.takeSlot(signal);
    try {
      if (!slot.browser || !slot.browser.connected) {
        await this.closeBrowser(slot);
        slot.browser = await launchChromium(this.config.chromiumPath);
        const browser = slot.browser;
        browser.once('disconnected', () => {
          if (slot.browser === browser) slot.browser = undefined;
        });
      }
    } catch (err) {
      this.giveBack(slot);
      throw err;
    }
    const browser = slot.browser;
    const pages = new Set<Page>();
    let released = false;
    return {
      browser,
      newPage: async () => {
        const page = await browser.newPage({ type: 'window' });
        pages.add(page);
        return page;
      },
      release: async (broken = false) => {
        if (released) return;
        released = true;
        for (const page of pages) await page.close().catch(() => undefined);
        if (broken || !browser.connected) await this.closeBrowser(slot);
        this.giveBack(slot);
      },
    };
  }

  /** Launches every browser now, so the first render does not pay for it. */
  async warmUp(): Promise<void> {
    const leases = await Promise.all(this.slots.map(() => this.acquire()));
    await Promise.all(leases.map((l) => l.release()));
  }

  /** Last shutdown phase: the workers have drained their renders by now (see RenderWorker). */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => this.closeBrowser(s)));
  }

  private takeSlot(signal?: AbortSignal): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise<Slot>((resolve, reject) => {
      const waiter = (slot: Slot) => {
        signal?.removeEventListener('abort', onAbort);
        slot.busy = true;
        resolve(slot);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        // The caller's abort reason, whatever it is, is what the wait rejects with (as fetch does).
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(signal!.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private giveBack(slot: Slot): void {
    slot.busy = false;
    const next = this.waiters.shift();
    if (next) next(slot);
  }

  private async closeBrowser(slot: Slot): Promise<void> {
    const browser = slot.browser;
    slot.browser = undefined;
    if (!browser) return;
    const proc = browser.process();
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([browser.close(), new Promise((r) => (timer = setTimeout(r, 5000)))]).finally(() => clearTimeout(timer));
    } catch (err) {
      this.logger.warn(`closing Chromium failed: ${(err as Error).message}`);
    }
    // A hung or crashed browser may not exit on close(): make sure no process outlives us.
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}
