// `npm run render -- --preflight`: what create would say about a scenario — plugins and where they
// come from, fonts, issues naming the JSON path, the estimate — without a video or a render.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCli, runCli } from '../helpers/engine.js';
import { EDITOR_SCENARIOS_DIR, requireEditorReference } from '../helpers/editor-reference-dir.js';

describe('render --preflight', () => {
  let dir: string;
  beforeAll(async () => {
    requireEditorReference();
    await compileCli();
    dir = mkdtempSync(join(tmpdir(), 'ecg-preflight-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports an editor export's plugins and fonts and exits 0", async () => {
    const r = await runCli(
      ['--preflight', '--scenario', join(EDITOR_SCENARIOS_DIR, 'editor-exports/scenario-cwi1-v13.json')],
      { FONT_FALLBACK: 'refuse' },
      'preflight-ok',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^preflight: OK/);
    expect(r.stdout).toMatch(/cwi-color@1\.0\.0\s+bundled/);
    expect(r.stdout).toMatch(/Arial\s+bundled \(Arimo\)/);
  });

  it('names every unknown plugin and missing font with its path, as JSON on request, and exits 1', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: '2.0',
        timebase: { unit: 'seconds' },
        stage: { baseAspect: '16:9' },
        tracks: [{ id: 't', type: 'subtitle', layer: 1, defaultStyle: { fontFamily: 'No Such Family ECG' } }],
        cues: [
          {
            id: 'c',
            track: 't',
            root: { id: 'n', eType: 'text', text: 'hi', displayTime: [0, 1], pluginChain: [{ name: 'no-such-plugin' }] },
          },
        ],
      }),
    );
    const r = await runCli(['--preflight', '--json', '--scenario', file], { FONT_FALLBACK: 'refuse', FONT_ORIGINS: '' }, 'preflight-bad');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'scenario.cues[0].root.pluginChain[0].name', reason: expect.stringContaining('no-such-plugin') }),
        expect.objectContaining({ reason: expect.stringContaining('No Such Family ECG') }),
      ]),
    );
  });
});
