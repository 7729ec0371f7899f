// The console's built files (dist/console, made by scripts/build-console.mjs) and the caption
// page bundle the preview reuses (dist/caption-page/caption-page.js), read once and kept in memory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captionPageBundlePath } from '../../libs/caption-page/src/index.js';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/** Files served under /console/ (and index.html at /). Nothing else is reachable. */
export const CONSOLE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'caption-frame.html': 'text/html; charset=utf-8',
  'caption-frame.css': 'text/css; charset=utf-8',
};

/** dist/console of the repository: $ECG_CONSOLE_DIR, else the first ancestor holding package.json and dist/console. */
export function consoleDistDir(): string | null {
  if (process.env.ECG_CONSOLE_DIR) return process.env.ECG_CONSOLE_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'dist', 'console');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(candidate, 'index.html'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function loadConsoleAssets(): Map<string, ConsoleAsset> | null {
  const dir = consoleDistDir();
  if (!dir) return null;
  const assets = new Map<string, ConsoleAsset>();
  for (const [name, contentType] of Object.entries(CONSOLE_FILES)) {
    const p = join(dir, name);
    if (existsSync(p)) assets.set(name, { body: readFileSync(p), contentType });
  }
  try {
    assets.set('caption-page.js', { body: readFileSync(captionPageBundlePath()), contentType: 'text/javascript; charset=utf-8' });
  } catch {
    /* the preview reports the missing bundle; the rest of the console works */
  }
  return assets.has('index.html') ? assets : null;
}
