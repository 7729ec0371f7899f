// How we start Chromium: headless, sandboxed unless the process is root (Chromium refuses to run
// its sandbox as root), and nothing that reaches the network on its own (the caption page itself
// is served from memory; see libs/caption-page). The Docker images run as a non-root user, so
// there the renderers are sandboxed (user + pid namespaces, seccomp).
import puppeteer, { type Browser } from 'puppeteer-core';

/** Flags of every launch; `chromiumArgs()` adds `--no-sandbox` for root only. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
  '--hide-scrollbars',
  '--font-render-hinting=none',
  // Memory (measured with a 1080p caption page, PSS of all of Chromium's processes: 544 → 451 MB):
  // no spare renderer kept warm for a navigation that never comes, no WebUI omnibox popups that
  // every new window preloads in their own renderer (~85 MB), GPU (software compositing here)
  // and network service inside the browser process.
  '--disable-features=SpareRendererForSitePerProcess,WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup',
  '--enable-features=NetworkServiceInProcess2',
  '--in-process-gpu',
  // One renderer process for all pages of a browser: a render's capture pages (same origin, served
  // from memory, no frames) share it instead of one process each. Editor workload on two pages,
  // 20 s at 1080p: peak PSS 872–886 → 853–863 MB, 7–10 % slower than two processes (still
  // −30 % against one page). A browser serves one render at a time (BrowserPool leases).
  '--disable-site-isolation-trials',
  '--renderer-process-limit=1',
  // Pages lay out and capture at their emulated viewport (CaptionPage.open); the native windows
  // behind them only cost the browser process surface memory: 188.7 → 177.7 MB at 320×240
  // against the default size (editor workload, same video stream md5).
  '--window-size=320,240',
];

/** The launch arguments for a process of this uid: the sandbox is off only for root. */
export function chromiumArgs(uid: number | undefined = process.getuid?.()): string[] {
  return uid === 0 ? ['--no-sandbox', ...CHROMIUM_ARGS] : [...CHROMIUM_ARGS];
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: chromiumArgs(),
    // We own shutdown: the pool closes browsers, and process signals are handled by callers.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    protocolTimeout: 60_000,
    // DevTools over a pipe, not a WebSocket: when this process dies (even SIGKILL), the pipe
    // closes and Chromium exits with it. Over a WebSocket it kept running, orphaned.
    pipe: true,
  });
  // The about:blank tab of the launch keeps a renderer process alive for nothing: every caption
  // page opens in a window of its own (a background tab would never paint).
  try {
    for (const page of await browser.pages()) await page.close();
  } catch (err) {
    await browser.close().catch(() => undefined);
    throw err;
  }
  return browser;
}
