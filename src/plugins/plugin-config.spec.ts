import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadPluginConfig } from '../config/app-config.js';
import { parsePins } from './plugin-pins.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadPluginConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('plugin origin configuration', () => {
  it('PLUGIN_ORIGIN: https; http only to loopback with ALLOW_PRIVATE_NETWORKS=true; problems name the variable', () => {
    expect(loadPluginConfig({ PLUGIN_ORIGIN: 'https://plugins.example.com/base/' }).origin).toBe('https://plugins.example.com/base');
    expect(loadPluginConfig({ PLUGIN_ORIGIN: 'http://127.0.0.1:4000', ALLOW_PRIVATE_NETWORKS: 'true' }).origin).toBe(
      'http://127.0.0.1:4000',
    );
    expect(loadPluginConfig({}).origin).toBeUndefined();
    for (const bad of [
      'http://127.0.0.1:4000',
      'http://plugins.example.com',
      'ftp://x',
      'not a url',
      'https://u:p@x.com',
      'https://x.com/?a=1',
    ]) {
      expect([bad, problemsOf({ PLUGIN_ORIGIN: bad })]).toEqual([bad, [expect.stringMatching(/^PLUGIN_ORIGIN=/)]]);
    }
    expect(problemsOf({ PLUGIN_ORIGIN: 'http://10.0.0.1', ALLOW_PRIVATE_NETWORKS: 'true' })).toEqual([
      expect.stringMatching(/^PLUGIN_ORIGIN=/),
    ]);
  });

  it('PLUGIN_CACHE_DIR defaults under the data dir', () => {
    expect(loadPluginConfig({}).cacheDir).toMatch(/\/data\/plugin-cache$/);
    expect(loadPluginConfig({ PLUGIN_CACHE_DIR: '/var/cache/p' }).cacheDir).toBe('/var/cache/p');
  });

  it('PLUGIN_PINS: read at boot; bad lines and a missing file are named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecg-pins-'));
    try {
      const good = join(dir, 'pins.txt');
      writeFileSync(good, `# pins\nflames@2.0.0 ${'A'.repeat(64)}\n\n`);
      expect(loadPluginConfig({ PLUGIN_ORIGIN: 'https://p.example.com', PLUGIN_PINS: good }).pins).toEqual({
        'flames@2.0.0': 'a'.repeat(64),
      });
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, `flames ${'a'.repeat(64)}\nglow@2.0.0 abc\n`);
      const problems = problemsOf({ PLUGIN_ORIGIN: 'https://p.example.com', PLUGIN_PINS: bad });
      expect(problems).toEqual([
        expect.stringMatching(/^PLUGIN_PINS: .*line 1: "flames" is not name@version/),
        expect.stringMatching(/^PLUGIN_PINS: .*line 2: .*not a SHA-256/),
      ]);
      expect(problemsOf({ PLUGIN_ORIGIN: 'https://p.example.com', PLUGIN_PINS: join(dir, 'missing') })).toEqual([
        expect.stringMatching(/^PLUGIN_PINS: cannot read .*ENOENT/),
      ]);
      expect(problemsOf({ PLUGIN_PINS: good })).toEqual([expect.stringMatching(/^PLUGIN_PINS: set without PLUGIN_ORIGIN/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parsePins refuses a plugin pinned twice differently', () => {
    expect(parsePins(`a@1.0.0 ${'1'.repeat(64)}\na@1.0.0 ${'2'.repeat(64)}`).problems).toEqual([
      expect.stringMatching(/line 2: a@1.0.0 is pinned twice/),
    ]);
  });
});
