import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_SCENARIO_LIMITS,
  MAX_SCENARIO_BYTES,
  PreparedScenario,
  ScenarioIssue,
  ScenarioService,
  ScenarioValidationError,
  isActiveAt,
  prepareScenario,
} from './index.js';

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

function issuesOf(input: unknown, ...rest: Parameters<typeof prepareScenario> extends [unknown, ...infer R] ? R : never): ScenarioIssue[] {
  try {
    prepareScenario(input, ...rest);
  } catch (e) {
    if (e instanceof ScenarioValidationError) return e.issues;
    throw e;
  }
  throw new Error('expected a ScenarioValidationError');
}

/** A minimal valid v2.0 scenario: one cue, a group with one text node. */
function minimal(
  overrides: { text?: Record<string, unknown>; root?: Record<string, unknown>; cue?: Record<string, unknown> } = {},
): Record<string, any> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [{ id: 'sub', type: 'subtitle', layer: 1 }],
    cues: [
      {
        id: 'c1',
        track: 'sub',
        ...overrides.cue,
        root: {
          id: 'g1',
          eType: 'group',
          ...overrides.root,
          children: [{ id: 't1', eType: 'text', text: 'hello', displayTime: [1, 2], ...overrides.text }],
        },
      },
    ],
  };
}

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

describe('prepareScenario: spelling normalisation', () => {
  it('e_type / time_offset (which the engine silently ignores) become eType / timeOffset, so the node counts', () => {
    const s = minimal({ text: { eType: undefined, e_type: 'text', pluginChain: [{ name: 'fadeIn', time_offset: ['0%', '-50%'] }] } });
    delete s.cues[0].root.children[0].eType;
    s.cues[0].root.e_type = s.cues[0].root.eType;
    delete s.cues[0].root.eType;
    const p = prepareScenario(s);
    const node = (p.scenario.cues as any[])[0].root.children[0];
    expect(node.eType).toBe('text');
    expect(node).not.toHaveProperty('e_type');
    expect(node.pluginChain[0]).toEqual({ name: 'fadeIn', timeOffset: ['0%', '-50%'] });
    expect(p.cueWindows).toEqual([{ cueId: 'c1', start: 1, end: 2 }]);
  });

  it('normalises other snake_case fields the engine reads in camelCase', () => {
    const s = minimal({ text: { display_time: [3, 4], displayTime: undefined, style: { text_align: 'left', font_size_rel: 0.05 } } });
    delete s.cues[0].root.children[0].displayTime;
    s.cues[0].dom_lifetime = [0, 10];
    s.tracks[0].default_style = { textAlign: 'right' };
    const p = prepareScenario(s);
    const cue = (p.scenario.cues as any[])[0];
    expect(cue.domLifetime).toEqual([0, 10]);
    expect(cue.root.children[0].displayTime).toEqual([3, 4]);
    expect(cue.root.children[0].style).toEqual({ align: 'left', fontSizeRel: 0.05 });
    expect((p.scenario.tracks as any[])[0].defaultStyle).toEqual({ align: 'right' });
  });

  it('reports two spellings of one field that disagree', () => {
    const s = minimal({ text: { e_type: 'image' } });
    expect(issuesOf(s)).toContainEqual({
      path: '$.cues[0].root.children[0].e_type',
      reason: 'conflicts with "eType" given with a different value (they mean the same field)',
    });
  });
});

describe('prepareScenario: validation issues with exact paths', () => {
  it('collects every issue with its JSON path', () => {
    const s = minimal({ text: { displayTime: [5, 2], text: 42 } });
    s.cues[0].root.children.push({
      id: 't1',
      eType: 'text',
      text: 'dup',
      displayTime: [0, 1],
      pluginChain: [{ name: 'fadeIn', timeOffset: ['abc', 1] }],
    });
    s.cues.push({ id: 'c2', track: 'nope', root: { id: 'x', eType: 'sparkles' } });
    s.stage.baseAspect = '4:3';
    let err: ScenarioValidationError | undefined;
    try {
      prepareScenario(s);
    } catch (e) {
      err = e as ScenarioValidationError;
    }
    expect(err).toBeInstanceOf(ScenarioValidationError);
    expect(err!.issues).toEqual([
      { path: '$.stage.baseAspect', reason: 'must be one of 16:9, 9:16, auto, got the string "4:3"' },
      { path: '$.cues[0].root.children[0].displayTime', reason: 'must be [start, end] with 0 <= start <= end (seconds), got an array' },
      { path: '$.cues[0].root.children[0].text', reason: 'text must be a string, got the number 42' },
      {
        path: '$.cues[0].root.children[1].id',
        reason: 'duplicate id "t1" (already used at $.cues[0].root.children[0]; cue and node ids share one namespace)',
      },
      {
        path: '$.cues[0].root.children[1].pluginChain[0].timeOffset[0]',
        reason: 'must be a number of seconds or a percentage string like "50%", got the string "abc"',
      },
      { path: '$.cues[1].track', reason: 'unknown track "nope"' },
      { path: '$.cues[1].root.eType', reason: 'eType must be one of group, text, image, video, got the string "sparkles"' },
    ]);
    expect(err!.message).toBe('Invalid scenario at $.stage.baseAspect: must be one of 16:9, 9:16, auto, got the string "4:3" (and 6 more)');
  });

  it('rejects non-string text at its path, whatever the type', () => {
    for (const bad of [null, 7, true, ['a'], { html: '<b>x</b>' }]) {
      expect(issuesOf(minimal({ text: { text: bad } }))).toEqual([
        { path: '$.cues[0].root.children[0].text', reason: expect.stringMatching(/^text must be a string, got /) },
      ]);
    }
  });

  it('keeps text as given: markup is text, never transformed', () => {
    const html = '<img src=x onerror="alert(1)"> & </div>';
    const p = prepareScenario(minimal({ text: { text: html } }));
    expect((p.scenario.cues as any[])[0].root.children[0].text).toBe(html);
  });

  it('names an unknown or unloadable plugin and its path', () => {
    const s = minimal({ root: { pluginChain: [{ name: 'sparkle@3.0.0' }] }, text: { pluginChain: ['fadeIn', { name: 'fadeIn@9.9.9' }] } });
    expect(issuesOf(s)).toEqual([
      { path: '$.cues[0].root.pluginChain[0].name', reason: 'unknown plugin "sparkle@3.0.0": this service cannot load it' },
      { path: '$.cues[0].root.children[0].pluginChain[1].name', reason: 'unknown plugin "fadeIn@9.9.9": this service cannot load it' },
    ]);
  });

  it('finds plugins named through define references and v1.3 single `plugin` fields', () => {
    const s = minimal({ text: { pluginChain: 'define.chain' } });
    s.define = { chain: [{ name: 'nope' }] };
    expect(issuesOf(s)).toEqual([
      { path: '$.cues[0].root.children[0].pluginChain[0].name', reason: 'unknown plugin "nope": this service cannot load it' },
    ]);
    const t = minimal({ text: { plugin: { name: 'handDrawReveal' } } });
    expect(issuesOf(t)[0].reason).toBe('unknown plugin "handDrawReveal": this service cannot load it');
  });

  it('reports define references the engine would fail on, texts included', () => {
    const s = minimal({ text: { text: 'define.greeting' } });
    expect(issuesOf(s)).toEqual([
      { path: '$.cues[0].root.children[0].text', reason: expect.stringContaining('undefined define key "greeting"') },
    ]);
    s.define = { greeting: 'Hello' };
    expect((prepareScenario(s).scenario.cues as any[])[0].root.children[0].text).toBe('Hello');
    const c = minimal({ text: { style: 'define.a' } });
    c.define = { a: 'define.b', b: 'define.a' };
    expect(issuesOf(c).some((i) => i.reason.startsWith('circular define reference'))).toBe(true);
    const proto = minimal({ text: { text: 'define.constructor' } });
    expect(issuesOf(proto)[0].reason).toContain('undefined define key "constructor"');
  });

  it('rejects an unknown version at $.version', () => {
    expect(issuesOf({ ...minimal(), version: '3.1' })).toEqual([
      { path: '$.version', reason: 'unsupported scenario version the string "3.1": expected "2.0" or "1.3"' },
    ]);
    expect(issuesOf({ cues: [] })[0].path).toBe('$.version');
    expect(issuesOf('{"version":"2.0"}')).toEqual([
      { path: '$', reason: 'scenario must be a JSON object, got the string "{\\"version\\":\\"2.0\\"}"' },
    ]);
  });

  it('caps the issue list', () => {
    const s = minimal();
    s.cues = Array.from({ length: 200 }, (_, i) => ({ id: `c${i}`, track: 'missing', root: { id: `n${i}`, eType: 'text', text: 'x' } }));
    const issues = issuesOf(s);
    expect(issues.length).toBe(50);
    expect(issues[49].path).toBe('$.cues[49].track');
  });
});

describe('prepareScenario: a scenario that mounts nothing', () => {
  it('is rejected when there are no cues', () => {
    expect(issuesOf({ ...minimal(), cues: [] })).toEqual([
      { path: '$.cues', reason: expect.stringContaining('the scenario mounts nothing') },
    ]);
  });

  it('is rejected when every node is outside its cue lifetime or empty', () => {
    const s = minimal({ cue: { domLifetime: [10, 20] } }); // text [1,2] is never mounted
    expect(issuesOf(s)).toEqual([{ path: '$.cues', reason: expect.stringContaining('mounts nothing') }]);
    expect(issuesOf(minimal({ text: { text: '   ' } }))[0].reason).toContain('mounts nothing');
  });

  it('is rejected when only box-less groups remain', () => {
    const s = minimal();
    s.cues[0].root.children = [];
    expect(issuesOf(s)[0].reason).toContain('mounts nothing');
  });
});

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
});

describe('prepareScenario: limits', () => {
  it('exports the limits', () => {
    expect(MAX_SCENARIO_BYTES).toBe(2 * 1024 * 1024);
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

describe('ScenarioService', () => {
  it('wraps the pure functions', () => {
    const svc = new ScenarioService();
    const p = svc.prepare(minimal());
    expect(svc.isActiveAt(p, 1.5)).toBe(true);
    expect(svc.isActiveAt(p, 2.5)).toBe(false);
  });
});
