// prepareScenario's refusals: spellings normalised or reported, every issue at its JSON path, and
// a scenario that mounts nothing.
import { issuesOf, minimal } from '../../test/helpers/scenario-input.js';
import { prepareScenario, ScenarioValidationError } from './prepare-scenario.js';

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
