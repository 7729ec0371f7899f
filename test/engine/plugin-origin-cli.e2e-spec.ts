// The render command line honours PLUGIN_ORIGIN (issue 10.1): an origin-only plugin renders
// (fetched once, then from PLUGIN_CACHE_DIR without network), a plugin neither the origin nor the
// bundle has ends with exit 1 naming it, a pin mismatch is refused naming both hashes, and a bad
// PLUGIN_ORIGIN is refused naming the variable.
//   bash scripts/test.sh test/engine/plugin-origin-cli
import { jest } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDITOR_PLUGIN_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';
import { compileCli, ensureCaptionPageBundle, runCli } from '../helpers/engine.js';
import { countFrames, makeTestVideo } from '../helpers/media.js';
import { startPluginOriginServer, type PluginOriginServer } from '../helpers/plugin-origin-server.js';
import { simpleScenario } from '../helpers/service-harness.js';

jest.setTimeout(180_000);

describe('render CLI with PLUGIN_ORIGIN', () => {
  let dir: string;
  let video: string;
  let origin: PluginOriginServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    requireEditorReference();
    ensureCaptionPageBundle();
    await compileCli();
    dir = mkdtempSync(join(tmpdir(), 'ecg-plugin-cli-'));
    video = await makeTestVideo({ path: join(dir, 'in.mp4'), seconds: 2, width: 320, height: 180, fps: 10, audio: false });
    origin = await startPluginOriginServer({ dir: EDITOR_PLUGIN_DIR });
    env = {
      PLUGIN_ORIGIN: origin.url,
      ALLOW_PRIVATE_NETWORKS: 'true',
      PLUGIN_CACHE_DIR: join(dir, 'cache'),
      ENCODER: 'x264',
      X264_PRESET: 'ultrafast',
    };
  });

  afterAll(async () => {
    await origin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const scenarioFile = (name: string, plugin: string) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(simpleScenario({ plugin, start: 0.2, end: 1.8 })));
    return p;
  };

  it('renders an origin-only plugin, then again from the disk cache with the origin down', async () => {
    const s = scenarioFile('scalepop.json', 'scalepop');
    const first = await runCli(['--video', video, '--scenario', s, '--out', join(dir, 'a.mp4')], env, 'plugin-cli-a');
    expect([first.code, first.stderr]).toEqual([0, expect.any(String)]);
    expect(origin.requests).toContain('/plugins/scalepop@2.0.0/index.mjs');
    expect(existsSync(join(dir, 'cache/scalepop@2.0.0/index.json'))).toBe(true);
    expect(await countFrames(join(dir, 'a.mp4'))).toBe(20);

    await origin.setDown('refuse');
    try {
      const second = await runCli(['--video', video, '--scenario', s, '--out', join(dir, 'b.mp4')], env, 'plugin-cli-b');
      expect([second.code, second.stderr]).toEqual([0, expect.any(String)]);
    } finally {
      await origin.setDown(false);
    }
  });

  it('a plugin neither the origin nor the bundle has: exit 1 naming it and its JSON path', async () => {
    const r = await runCli(
      ['--video', video, '--scenario', scenarioFile('unknown.json', 'zz-nowhere'), '--out', join(dir, 'c.mp4')],
      env,
      'plugin-cli-c',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /RENDER_INVALID_SCENARIO.*\$\.cues\[0\]\.root\.children\[0\]\.pluginChain\[0\]\.name: unknown plugin "zz-nowhere"/,
    );
    expect(existsSync(join(dir, 'c.mp4'))).toBe(false);
  });

  it('a pin mismatch is refused naming the plugin and both hashes', async () => {
    const pins = join(dir, 'pins.txt');
    writeFileSync(pins, `slideup@2.0.0 ${'0'.repeat(64)}\n`);
    const r = await runCli(
      ['--video', video, '--scenario', scenarioFile('slideup.json', 'slideup'), '--out', join(dir, 'd.mp4')],
      { ...env, PLUGIN_PINS: pins },
      'plugin-cli-d',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`RENDER_PLUGIN_REFUSED.*slideup@2\\.0\\.0.*SHA-256 is [0-9a-f]{64}.*pins ${'0'.repeat(64)}`));
  });

  it('PLUGIN_ORIGIN over http to a public host is refused naming the variable', async () => {
    const r = await runCli(
      ['--video', video, '--scenario', scenarioFile('x.json', 'fadeIn'), '--out', join(dir, 'e.mp4')],
      { PLUGIN_ORIGIN: 'http://plugins.example.com' },
      'plugin-cli-e',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('PLUGIN_ORIGIN="http://plugins.example.com": must be an https URL');
  });
});
