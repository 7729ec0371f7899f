// prepareScenario on the MotionText samples (test/fixtures/motiontext-samples) and the editor's
// v1.3 layout converted to v2.0.
import fs from 'node:fs';
import path from 'node:path';
import { issuesOf } from '../../test/helpers/scenario-input.js';
import { PreparedScenario, prepareScenario } from './prepare-scenario.js';

const FIXTURES = path.resolve('test/fixtures/motiontext-samples');
const fixtureFiles = [
  ...fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')),
  ...['v2', 'legacy'].flatMap((d) =>
    fs
      .readdirSync(path.join(FIXTURES, d))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${d}/${f}`),
  ),
];
const load = (f: string): Record<string, any> => JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'));

/** Every text node of a prepared scenario with its displayTime, per cue. */
function texts(p: PreparedScenario): { cue: string; text: string; displayTime: unknown }[] {
  const out: { cue: string; text: string; displayTime: unknown }[] = [];
  for (const cue of p.scenario.cues as any[]) {
    const stack = [cue.root];
    while (stack.length) {
      const n = stack.pop();
      if (n.eType === 'text') out.push({ cue: cue.id, text: n.text, displayTime: n.displayTime });
      if (n.children) stack.push(...n.children);
    }
  }
  return out;
}

describe('prepareScenario: fixtures', () => {
  it('finds the fixtures', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(27);
  });

  it.each(fixtureFiles)('%s prepares without issues', (f) => {
    const input = load(f);
    const before = JSON.stringify(input);
    const p = prepareScenario(input);
    expect(p.scenario.version).toBe('2.0');
    expect(p.sourceVersion).toBe(input.version === '1.3' ? '1.3' : '2.0');
    expect(p.cueWindows.length).toBeGreaterThan(0);
    expect(p.activeIntervals.length).toBeGreaterThan(0);
    expect(Number.isFinite(p.lastCueEnd)).toBe(true);
    for (const w of p.cueWindows) expect(w.start).toBeLessThanOrEqual(w.end);
    // The input is never mutated, and the output shares nothing with it.
    expect(JSON.stringify(input)).toBe(before);
    expect(p.scenario.cues).not.toBe(input.cues);
    // The output needs nothing more from the service: preparing it again is a fixed point.
    const again = prepareScenario(JSON.parse(JSON.stringify(p.scenario)));
    expect(again.scenario).toEqual(p.scenario);
    expect(again.cueWindows).toEqual(p.cueWindows);
    // Every node the engine would draw has its type spelled eType and an id.
    const stack = (p.scenario.cues as any[]).map((c) => c.root);
    while (stack.length) {
      const n = stack.pop();
      expect(['group', 'text', 'image', 'video']).toContain(n.eType);
      expect(typeof n.id).toBe('string');
      expect(n).not.toHaveProperty('e_type');
      for (const pl of n.pluginChain ?? []) expect(pl).not.toHaveProperty('time_offset');
      if (n.children) stack.push(...n.children);
    }
  });

  it('converts legacy/basic.json (1.3) to the semantics of basic.json (2.0): same texts, same windows', () => {
    const v13 = prepareScenario(load('legacy/basic.json'));
    const v20 = prepareScenario(load('basic.json'));
    expect(v13.sourceVersion).toBe('1.3');
    expect(v20.sourceVersion).toBe('2.0');
    expect(texts(v13)).toEqual(texts(v20));
    expect(texts(v13).map((t) => t.text)).toEqual([
      '안녕하세요! MotionText Renderer입니다.',
      '이것은 기본 자막 테스트입니다.',
      '정규화된 좌표계(0~1)를 사용합니다.',
    ]);
    expect(v13.cueWindows).toEqual(v20.cueWindows);
    expect(v13.cueWindows).toEqual([
      { cueId: 'cue1', start: 2, end: 5 },
      { cueId: 'cue2', start: 6, end: 9 },
      { cueId: 'cue3', start: 10, end: 13 },
    ]);
    expect(v13.activeIntervals).toEqual(v20.activeIntervals);
    expect(v13.lastCueEnd).toBe(13);
    // Spellings the engine reads: text alignment is style.align; positions are {x, y}.
    const track = (v13.scenario.tracks as any[])[0];
    expect(track.defaultStyle.align).toBe('center');
    expect(track.defaultStyle).not.toHaveProperty('textAlign');
    expect((v13.scenario.cues as any[])[0].root.children[0].layout.position).toEqual({ x: 0.5, y: 0.85 });
  });

  it('converts every legacy fixture to the same texts and windows as its 2.0 counterpart where they agree', () => {
    for (const f of ['animated.json', 'animated_subtitle.json', 'plugin.json', 'm5_layout_features.json']) {
      const a = prepareScenario(load(`legacy/${f}`));
      const b = prepareScenario(load(f));
      expect({ f, t: texts(a).map((t) => [t.text, t.displayTime]) }).toEqual({ f, t: texts(b).map((t) => [t.text, t.displayTime]) });
      expect({ f, iv: a.activeIntervals }).toEqual({ f, iv: b.activeIntervals });
    }
  });

  it('reports the distinct plugins, resolved to versions', () => {
    expect(prepareScenario(load('dual_channel_test.json')).plugins).toEqual([
      { name: 'spin', version: '2.0.0' },
      { name: 'typewriter', version: '1.0.0' },
    ]);
    expect(prepareScenario(load('legacy/cwi_demo_full.json')).plugins).toEqual([{ name: 'cwi', version: '1.0.0' }]);
  });

  it('resolves define references the way the engine does (v2/with_assets_v20.json)', () => {
    const p = prepareScenario(load('v2/with_assets_v20.json'));
    const logo = (p.scenario.cues as any[])[0].root;
    expect(logo.src).toBe('images/logo.png');
    expect(logo.layout.position).toEqual({ x: 0.1, y: 0.1 });
    expect(JSON.stringify(p.scenario.cues)).not.toContain('"define.');
  });
});

describe('prepareScenario: 1.3 conversion', () => {
  const v13 = (node: Record<string, unknown>, cue: Record<string, unknown> = {}): Record<string, any> => ({
    version: '1.3',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'sub', type: 'subtitle', layer: 1 }],
    cues: [{ id: 'c', track: 'sub', ...cue, root: { e_type: 'group', children: [node] } }],
  });

  it('maps e_type/content/absStart/absEnd and generates ids', () => {
    const p = prepareScenario(v13({ type: 'text', content: 'hi', absStart: 3, absEnd: 4.5 }));
    const root = (p.scenario.cues as any[])[0].root;
    expect(root.eType).toBe('group');
    expect(root.id).toEqual(expect.any(String));
    expect(root.children[0]).toMatchObject({ eType: 'text', text: 'hi', displayTime: [3, 4.5] });
    expect(root.children[0]).not.toHaveProperty('absStart');
    expect(p.cueWindows).toEqual([{ cueId: 'c', start: 3, end: 4.5 }]);
  });

  it('maps relStartPct/relEndPct to percentage offsets measured from the start of the element', () => {
    const p = prepareScenario(
      v13({
        e_type: 'text',
        text: 'x',
        absStart: 0,
        absEnd: 10,
        pluginChain: [
          { name: 'fadeIn', relStartPct: 0, relEndPct: 0.25 },
          { name: 'pop', relStartPct: 0.1, relEndPct: 1 },
          { name: 'glow', relStartPct: 20, relEndPct: 100 },
        ],
      }),
    );
    const chain = (p.scenario.cues as any[])[0].root.children[0].pluginChain;
    expect(chain[0].timeOffset).toEqual(['0%', '-75%']); // the engine adds an end percentage to the end
    expect(chain[1].timeOffset).toEqual(['10%', '0%']);
    expect(chain[2].timeOffset).toEqual(['20%', '0%']);
    expect(chain[0]).not.toHaveProperty('relEndPct');
  });

  it('maps relStart/relEnd seconds to numeric offsets, clamped to the element like the 1.3 runtime', () => {
    const p = prepareScenario(
      v13({
        e_type: 'text',
        text: 'x',
        absStart: 2,
        absEnd: 6,
        pluginChain: [
          { name: 'fadeIn', relStart: 0.1, relEnd: -0.8 },
          { name: 'pop', relStart: -1, relEnd: 3 },
        ],
        plugin: { name: 'glow' },
      }),
    );
    const chain = (p.scenario.cues as any[])[0].root.children[0].pluginChain;
    expect(chain.map((c: any) => c.name)).toEqual(['glow', 'fadeIn', 'pop']);
    expect(chain[1].timeOffset).toEqual([0.1, -0.8]);
    expect(chain[2].timeOffset).toEqual([0, 0]);
  });

  it('turns hintTime into a domLifetime that never cuts a node short', () => {
    const p = prepareScenario(v13({ e_type: 'text', text: 'long', absStart: 2, absEnd: 12 }, { hintTime: 2 }));
    expect((p.scenario.cues as any[])[0].domLifetime).toEqual([2, 12]);
    expect(p.cueWindows).toEqual([{ cueId: 'c', start: 2, end: 12 }]);
    const q = prepareScenario(v13({ e_type: 'text', text: 'x', absStart: 2, absEnd: 3 }, { hintTime: { start: 1.5, end: 4 } }));
    expect((q.scenario.cues as any[])[0].domLifetime).toEqual([1.5, 4]);
  });

  it('rejects v1.3 bindings it cannot expand, and timecode timebases', () => {
    const s = v13({ e_type: 'text', text: 'x', absStart: 0, absEnd: 1 });
    s.bindings = [{ target: 'c.root', fromWordStream: { range: { startId: 1, endId: 2 } } }];
    s.timebase = { unit: 'tc', fps: 30 };
    const paths = issuesOf(s).map((i) => i.path);
    expect(paths).toEqual(['$.bindings', '$.timebase.unit']);
  });
});
