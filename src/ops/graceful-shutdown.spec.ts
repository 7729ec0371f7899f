import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

// The child runs the real TypeScript source with Node 24's type stripping (no decorators in it).
const child = resolve(process.cwd(), 'src/ops/fixtures/shutdown-child.mjs');

function runChild(env: Record<string, string>, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; out: string; ms: number }>((done, fail) => {
    const p = spawn(process.execPath, [child], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sentAt = 0;
    const onData = (b: Buffer) => {
      out += String(b);
      if (!sentAt && out.includes('READY')) {
        sentAt = Date.now();
        p.kill(signal);
      }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('error', fail);
    p.on('exit', (code) => done({ code, out, ms: Date.now() - sentAt }));
    setTimeout(() => p.kill('SIGKILL'), 30_000).unref();
  });
}

describe('registerGracefulShutdown (child process)', () => {
  it('SIGTERM runs the shutdown hooks, then exits 0', async () => {
    const r = await runChild({ HOOK_MS: '300', GRACE_MS: '2000' }, 'SIGTERM');
    expect(r.out).toContain('onModuleDestroy');
    expect(r.out).toContain('beforeApplicationShutdown SIGTERM');
    expect(r.out).toContain('hook done');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(2000 + 5000);
  });

  it('a hook that hangs is cut off at graceMs + 5 s with exit code 1', async () => {
    const r = await runChild({ HOOK_MS: 'hang', GRACE_MS: '500' }, 'SIGTERM');
    expect(r.out).toContain('beforeApplicationShutdown SIGTERM');
    expect(r.out).not.toContain('hook done');
    expect(r.out).toMatch(/forcing exit/);
    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(5400);
    expect(r.ms).toBeLessThan(8000);
  });
});
