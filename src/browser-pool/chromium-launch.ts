// How we start Chromium: headless, no sandbox as root, and nothing that reaches the network on
// its own (the caption page itself is served from memory; see libs/caption-page).
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
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
];

export async function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    // We own shutdown: the pool closes browsers, and process signals are handled by callers.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    protocolTimeout: 60_000,
    // DevTools over a pipe, not a WebSocket: when this process dies (even SIGKILL), the pipe
    // closes and Chromium exits with it. Over a WebSocket it kept running, orphaned.
    pipe: true,
  });
}
