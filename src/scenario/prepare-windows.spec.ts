// prepareScenario's visibility windows (what the pipeline captures) and its size limits.
import { issuesOf, minimal } from '../../test/helpers/scenario-input.js';
import { DEFAULT_SCENARIO_LIMITS, isActiveAt, prepareScenario } from './prepare-scenario.js';

describe('prepareScenario: windows', () => {
  it('clips displayTime to domLifetime and inherits displayTime from parents and the cue', () => {
    const s = minimal({ cue: { domLifetime: [1.5, 10], displayTime: [0, 8] }, text: { displayTime: undefined } });
    delete s.cues[0].root.children[0].displayTime;
    const p = prepareScenario(s);
    expect(p.cueWindows).toEqual([{ cueId: 'c1', start: 1.5, end: 8 }]);
  });

  it('uses the engine default domLifetime (±0.5 s around displayTimes) for a group that paints a box', () => {
    const s = minimal({ root: { boxStyle: { backgroundColor: '#000' } }, cue: { displayTime: [0, 3] } });
    expect(prepareScenario(s).cueWindows).toEqual([{ cueId: 'c1', start: 0.5, end: 2.5 }]);
    // Without a displayTime the engine never mounts a group: it is given its children's (v13/).
    const untimed = minimal({ root: { boxStyle: { backgroundColor: '#000' } } });
    expect(prepareScenario(untimed).cueWindows).toEqual([{ cueId: 'c1', start: 1, end: 2 }]);
  });

  it('widens windows by plugin windows only when asked (the engine draws nodes only inside displayTime)', () => {
    const s = minimal({ text: { displayTime: [4, 8], pluginChain: [{ name: 'fadeIn', timeOffset: [-1, '50%'] }] } });
    s.cues[0].domLifetime = [0, 20];
    expect(prepareScenario(s).cueWindows).toEqual([{ cueId: 'c1', start: 4, end: 8 }]);
    expect(prepareScenario(s, undefined, { pluginWindowsExtendVisibility: true }).cueWindows).toEqual([{ cueId: 'c1', start: 3, end: 10 }]);
  });

  it('merges touching and overlapping windows; isActiveAt treats ends as inclusive', () => {
    const s = minimal();
    s.cues = [
      { id: 'a', track: 'sub', root: { id: 'ta', eType: 'text', text: 'a', displayTime: [1, 2] } },
      { id: 'b', track: 'sub', root: { id: 'tb', eType: 'text', text: 'b', displayTime: [2, 3] } },
      { id: 'c', track: 'sub', root: { id: 'tc', eType: 'text', text: 'c', displayTime: [2.5, 2.7] } },
      { id: 'd', track: 'sub', root: { id: 'td', eType: 'text', text: 'd', displayTime: [5, 6] } },
    ];
    const p = prepareScenario(s);
    expect(p.activeIntervals).toEqual([
      { start: 1, end: 3 },
      { start: 5, end: 6 },
    ]);
    expect(p.lastCueEnd).toBe(6);
    const at = (t: number): boolean => isActiveAt(p, t);
    expect([0, 0.999, 1, 2, 3, 3.001, 4.99, 5, 6, 6.0001, 100].map(at)).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(isActiveAt({ activeIntervals: [] }, 1)).toBe(false);
  });

  it('a prepared scenario is active inside its text’s displayTime only', () => {
    const p = prepareScenario(minimal());
    expect([0.5, 1, 1.5, 2, 2.5].map((t) => isActiveAt(p, t))).toEqual([false, true, true, true, false]);
  });
});

describe('prepareScenario: limits', () => {
  it('exports the limits', () => {
    expect(DEFAULT_SCENARIO_LIMITS).toEqual({ maxCues: 5000, maxNodes: 50000, maxDepth: 32, maxTextLength: 2000 });
  });

  it('rejects 100k cues fast', () => {
    const s = minimal();
    s.cues = Array.from({ length: 100_000 }, (_, i) => ({
      id: `c${i}`,
      track: 'sub',
      root: { id: `n${i}`, eType: 'text', text: 'x', displayTime: [i, i + 1] },
    }));
    const t0 = performance.now();
    expect(issuesOf(s)).toEqual([{ path: '$.cues', reason: 'too many cues: 100000 (at most 5000)' }]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('rejects nodes nested 1000 deep fast, without stack overflow', () => {
    const s = minimal();
    let node: Record<string, unknown> = { id: 'leaf', eType: 'text', text: 'x', displayTime: [0, 1] };
    for (let i = 0; i < 1000; i++) node = { id: `g${i}`, eType: 'group', children: [node] };
    s.cues[0].root = node;
    const t0 = performance.now();
    const issues = issuesOf(s);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(issues).toHaveLength(1);
    expect(issues[0].reason).toMatch(/nested too deeply/);
    expect(issues[0].path.startsWith('$.cues[0].root.children[0].children[0]')).toBe(true);
  });

  it('rejects a million-deep JSON value anywhere without recursion', () => {
    const s = minimal();
    let v: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) v = [v];
    s.cues[0].root.children[0].style = { deep: v };
    const t0 = performance.now();
    expect(issuesOf(s)[0].reason).toMatch(/nested too deeply/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('rejects nesting beyond maxDepth nodes and accepts it at the limit', () => {
    const nest = (levels: number): Record<string, any> => {
      const s = minimal();
      let node: Record<string, unknown> = { id: 'leaf', eType: 'text', text: 'x', displayTime: [0, 1] };
      for (let i = 1; i < levels; i++) node = { id: `g${i}`, eType: 'group', children: [node] };
      s.cues[0].root = node;
      return s;
    };
    expect(prepareScenario(nest(32)).cueWindows).toHaveLength(1);
    expect(issuesOf(nest(33))[0].reason).toBe('nodes nested too deeply (more than 32 levels)');
  });

  it('rejects too many nodes, too long texts, and define bombs', () => {
    const s = minimal();
    s.cues[0].root.children = Array.from({ length: 50_001 }, (_, i) => ({ id: `t${i}`, eType: 'text', text: 'x', displayTime: [0, 1] }));
    expect(issuesOf(s)[0].reason).toBe('too many nodes (more than 50000)');
    expect(issuesOf(minimal({ text: { text: 'x'.repeat(2001) } }))).toEqual([
      { path: '$.cues[0].root.children[0].text', reason: 'text is 2001 characters long; at most 2000 are allowed' },
    ]);
    expect(prepareScenario(minimal({ text: { text: 'x'.repeat(2001) } }), { maxTextLength: 5000 }).cueWindows).toHaveLength(1);
    const bomb = minimal({ text: { style: { v: 'define.l9' } } });
    bomb.define = { l0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    for (let i = 1; i < 10; i++) bomb.define[`l${i}`] = Array(10).fill(`define.l${i - 1}`);
    const t0 = performance.now();
    expect(issuesOf(bomb)[0].reason).toMatch(/define references expand the scenario beyond/);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
