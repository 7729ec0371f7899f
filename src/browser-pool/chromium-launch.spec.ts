// Issue 12 #7: Chromium runs its sandbox whenever the process is not root. The exact arguments
// per uid, and a real launch as `nobody` (setpriv) whose renderers sit in namespaces of their own.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, chromiumArgs } from './chromium-launch.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('chromium launch arguments', () => {
  it('root: --no-sandbox first, then the common flags', () => {
    expect(chromiumArgs(0)).toEqual(['--no-sandbox', ...CHROMIUM_ARGS]);
  });

  it('any other uid: no --no-sandbox, nothing else changes', () => {
    for (const uid of [1, 1000, 10001, 65534]) {
      const args = chromiumArgs(uid);
      expect(args).toEqual([...CHROMIUM_ARGS]);
      expect(args.some((a) => /sandbox/.test(a))).toBe(false);
    }
    expect(CHROMIUM_ARGS).not.toContain('--no-sandbox');
  });

  it('defaults to this process: root here', () => {
    expect(chromiumArgs()).toEqual(process.getuid?.() === 0 ? ['--no-sandbox', ...CHROMIUM_ARGS] : [...CHROMIUM_ARGS]);
  });
});

// Chromium as `nobody` with exactly the non-root arguments: it starts, renders a page, and its
// renderers run in a user namespace of their own (the namespace sandbox is engaged).
const canSetpriv = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
(canSetpriv ? describe : describe.skip)('real launch as nobody (setpriv)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-sandbox-'));
    chmodSync(dir, 0o777);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts sandboxed: renderers in their own user namespace, no --no-sandbox anywhere', () => {
    const script = join(dir, 'launch.mjs');
    writeFileSync(
      script,
      `import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import puppeteer from ${JSON.stringify(join(ROOT, 'node_modules/puppeteer-core/lib/esm/puppeteer/puppeteer-core.js'))};
const args = JSON.parse(process.argv[2]);
const browser = await puppeteer.launch({ executablePath: ${JSON.stringify(CHROMIUM)}, headless: true, args, pipe: true, userDataDir: ${JSON.stringify(join(dir, 'profile'))} });
const page = await browser.newPage();
await page.setContent('<p>sandboxed</p>');
const text = await page.evaluate(() => document.body.textContent);
const root = browser.process().pid;
const parent = (pid) => Number(readFileSync('/proc/' + pid + '/stat', 'utf8').replace(/^.*\\) /, '').split(' ')[1]);
const procs = [];
for (const d of readdirSync('/proc')) {
  if (!/^\\d+$/.test(d)) continue;
  try {
    let p = Number(d), mine = p === root;
    for (let i = 0; i < 6 && !mine && p > 1; i++) { p = parent(p); mine = p === root; }
    if (!mine) continue;
    const cmd = readFileSync('/proc/' + d + '/cmdline', 'utf8').split(/[\\0 ]/);
    let ns = null; try { ns = readlinkSync('/proc/' + d + '/ns/user'); } catch {}
    procs.push({ type: (cmd.find((a) => a.startsWith('--type=')) ?? 'browser').slice(7) || 'browser', noSandbox: cmd.includes('--no-sandbox'), ns });
  } catch {}
}
console.log(JSON.stringify({ uid: process.getuid(), text, procs, rootNs: readlinkSync('/proc/' + root + '/ns/user') }));
await browser.close();
`,
    );
    const out = execFileSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        join(ROOT, 'node_modules/.bin/node'),
        script,
        JSON.stringify(chromiumArgs(65534)),
      ],
      { cwd: dir, timeout: 60_000, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.uid).toBe(65534);
    expect(r.text).toBe('sandboxed');
    expect(r.procs.some((p: { noSandbox: boolean }) => p.noSandbox)).toBe(false);
    const renderers = r.procs.filter((p: { type: string }) => p.type === 'renderer');
    expect(renderers.length).toBeGreaterThan(0);
    // A sandboxed renderer lives in a user namespace the browser process is not in.
    for (const p of renderers) expect(p.ns === null || p.ns !== r.rootNs).toBe(true);
    expect(renderers.some((p: { ns: string | null }) => p.ns !== null && p.ns !== r.rootNs)).toBe(true);
  });
});
