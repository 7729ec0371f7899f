// Exact outputs of the layout conversion (v13/) on small inputs, through prepareScenario.
import { ScenarioValidationError, prepareScenario } from '../prepare-scenario.js';

type Obj = Record<string, any>;

const scenario = (version: '1.3' | '2.0', root: Obj, extra: Obj = {}, track: Obj = { id: 't', type: 'free', layer: 1 }): Obj => ({
  version,
  timebase: { unit: 'seconds' },
  stage: { baseAspect: '16:9' },
  tracks: [track],
  cues: [{ id: 'c', track: track.id, root }],
  ...extra,
});
const rootOf = (s: Obj): Obj => (prepareScenario(s).scenario.cues as Obj[])[0].root;

describe('v1.3 layout: groups as the editor meant them', () => {
  it("the editor export's group is mounted for its children's window; the text stays at (0.5, 0.5) of the group", () => {
    const textLayout = { position: { x: 0.5, y: 0.5 }, anchor: 'cc', size: { width: 'auto', height: 'auto' }, overflow: 'visible' };
    const style = { fontSizeRel: 0.05, fontFamily: 'Arial, sans-serif', color: '#ffffff', align: 'center', whiteSpace: 'nowrap' };
    const root = rootOf(
      scenario('1.3', {
        e_type: 'group',
        layout: { position: { x: 0.5, y: 0.8222 }, anchor: 'cc', size: { width: 0.8797, height: 0.1778 } },
        children: [{ e_type: 'text', text: 'Stay with you?', absStart: 3.335, absEnd: 4.457, layout: textLayout, style, pluginChain: [] }],
      }),
    );
    expect(root).toEqual({
      id: 'c-node-1',
      eType: 'group',
      displayTime: [3.335, 4.457],
      layout: { position: { x: 0.5, y: 0.8222 }, anchor: 'cc', size: { width: 0.8797, height: 0.1778 } },
      children: [
        {
          id: 'c-node-1-0-1',
          eType: 'text',
          text: 'Stay with you?',
          displayTime: [3.335, 4.457],
          layout: textLayout,
          style,
          pluginChain: [],
        },
      ],
    });
  });

  it('per-word nodes without positions flow as one wrapping line in a box anchored where the group says', () => {
    const s = scenario(
      '1.3',
      {
        e_type: 'group',
        style: { boxBg: 'rgba(0,0,0,0.9)', border: { widthRel: 0, color: '#000', radiusRel: 0.0125 } },
        layout: { mode: 'absolute', anchor: 'bc', position: { x: 0.5, y: 0.925 }, safeAreaClamp: true, padding: { x: 0.03, y: 0.01 } },
        children: [
          { e_type: 'text', text: 'You', absStart: 4, absEnd: 6, layout: { anchor: 'bc' } },
          { e_type: 'text', text: 'know,', absStart: 4.5, absEnd: 8, layout: { anchor: 'bc' } },
        ],
      },
      { stage: { baseAspect: '16:9', safeArea: { top: 0.8, left: 0.025, right: 0.025, bottom: 0.05 } } },
      { id: 'captions', type: 'subtitle', layer: 20 },
    );
    expect(rootOf(s)).toEqual({
      id: 'c-node-1',
      eType: 'group',
      displayTime: [4, 8],
      style: { boxBg: 'rgba(0,0,0,0.9)', border: { widthRel: 0, color: '#000', radiusRel: 0.0125 } },
      layout: {
        mode: 'absolute',
        anchor: 'bc',
        position: { x: 0.5, y: 0.925 },
        padding: { x: 0.03, y: 0.01 },
        childrenLayout: {
          mode: 'flow',
          direction: 'horizontal',
          wrap: true,
          maxWidth: '100%',
          gap: 0.005,
          align: 'center',
          justify: 'center',
        },
      },
      children: [
        { id: 'c-node-1-0-1', eType: 'text', text: 'You', displayTime: [4, 6], layout: { mode: 'absolute' } },
        { id: 'c-node-1-1-1', eType: 'text', text: 'know,', displayTime: [4.5, 8], layout: { mode: 'absolute' } },
      ],
    });
  });

  it('wraps within a sized group, justified by the text alignment, and keeps words on a free track as they are', () => {
    const root = rootOf(
      scenario('1.3', {
        e_type: 'group',
        style: { align: 'right', radiusRel: 0.02 },
        layout: { position: { x: 0.5, y: 0.8 }, size: { width: 0.6, height: 0.2 } },
        children: [
          { e_type: 'text', text: 'a', absStart: 0, absEnd: 1 },
          { e_type: 'text', text: 'b', absStart: 0, absEnd: 1, layout: { anchor: 'bc' } },
        ],
      }),
    );
    expect(root.layout).toEqual({
      position: { x: 0.5, y: 0.8 },
      size: { width: 0.6, height: 0.2 },
      childrenLayout: { mode: 'flow', direction: 'horizontal', wrap: true, maxWidth: '60%', gap: 0.005, align: 'center', justify: 'end' },
    });
    expect(root.style).toEqual({ align: 'right', borderRadius: 0.02 });
    expect(root.children.map((c: Obj) => c.layout)).toEqual([undefined, undefined]);
  });

  it('a positioned group without a size is a transparent frame the size of the stage for positioned children', () => {
    const root = rootOf(
      scenario('1.3', {
        e_type: 'group',
        layout: { mode: 'absolute', position: { x: 0.5, y: 0.7 }, anchor: 'cc', safeAreaClamp: true },
        children: [{ e_type: 'text', text: 'A', absStart: 3, absEnd: 8, layout: { position: { x: 0.48, y: 0.2 }, anchor: 'cc' } }],
      }),
    );
    expect(root.layout).toEqual({ mode: 'absolute', position: { x: 0.5, y: 0.5 }, anchor: 'cc', size: { width: 1, height: 1 } });
    expect(root.children[0].layout).toEqual({ position: { x: 0.48, y: 0.2 }, anchor: 'cc' });
  });

  it("keeps a group's own flow or grid, and a group whose box paints, as written", () => {
    const flow = { mode: 'flow', position: { x: 0.5, y: 0.86 }, anchor: 'bc', gapRel: 0.02 };
    const root = rootOf(
      scenario('1.3', { e_type: 'group', layout: flow, children: [{ e_type: 'text', text: 'x', absStart: 1, absEnd: 2 }] }),
    );
    expect(root.layout).toEqual(flow);
    const boxed = { position: { x: 0.5, y: 0.7 }, anchor: 'cc' };
    const r2 = rootOf(
      scenario('1.3', {
        e_type: 'group',
        style: { boxBg: '#000' },
        layout: boxed,
        children: [{ e_type: 'text', text: 'x', absStart: 1, absEnd: 2, layout: { position: { x: 0.1, y: 0.1 } } }],
      }),
    );
    expect(r2.layout).toEqual(boxed);
  });

  it('applies safeAreaClamp at conversion: the point, or a sized box, inside max(stage, track) safe area, in the group frame', () => {
    const root = rootOf(
      scenario(
        '1.3',
        {
          e_type: 'group',
          layout: { position: { x: 0.5, y: 0.5 }, anchor: 'cc', size: { width: 0.5, height: 0.5 } },
          children: [
            {
              e_type: 'text',
              text: 'point',
              absStart: 0,
              absEnd: 1,
              layout: { position: { x: 0.0, y: 1.2 }, anchor: 'bl', safeAreaClamp: true },
            },
            {
              e_type: 'text',
              text: 'box',
              absStart: 0,
              absEnd: 1,
              layout: { position: { x: 0.5, y: 0 }, anchor: 'bc', size: { width: 0.5, height: 0.5 }, safeAreaClamp: true },
            },
          ],
        },
        { stage: { baseAspect: '16:9', safeArea: { left: 0.3, top: 0.1 } } },
        { id: 't', type: 'free', layer: 1, safeArea: { bottom: 0.3 } },
      ),
    );
    // Group box: x 0.25..0.75, y 0.25..0.75 of the stage. The safe area (x >= 0.3, y in 0.1..0.7)
    // in its coordinates: x in 0.1..1.5, y in -0.3..0.9.
    expect(root.children[0].layout).toEqual({ position: { x: 0.1, y: 0.9 }, anchor: 'bl' });
    // A bottom-anchored box 0.5 high: its bottom at least 0.5 below the safe top (-0.3).
    expect(root.children[1].layout).toEqual({ position: { x: 0.5, y: 0.2 }, anchor: 'bc', size: { width: 0.5, height: 0.5 } });
  });
});

describe('v1.3 plugin parameters by reference', () => {
  const words = (...params: Obj[]): Obj => ({
    e_type: 'group',
    children: params.map((p, i) => ({
      e_type: 'text',
      text: `w${i}`,
      absStart: 0,
      absEnd: 1,
      pluginChain: [{ name: 'cwi-color@1.0.0', params: p }],
    })),
  });
  const palette = { SPEAKER_00: '#FF8A00', SPEAKER_01: '#4AA3FF' };

  it('resolves "definitions.X" and gives speakers without a palette the scenario\'s speaker colours', () => {
    const root = rootOf(
      scenario(
        '1.3',
        words(
          { speaker: 'SPEAKER_00', palette: 'definitions.speakerPalette' },
          { speaker: 'SPEAKER_01' },
          { speaker: 'SPEAKER_01', palette: { SPEAKER_01: '#000000' } },
          { color: '#123456' },
        ),
        { definitions: { speakerPalette: palette } },
      ),
    );
    expect(root.children.map((c: Obj) => c.pluginChain[0].params)).toEqual([
      { speaker: 'SPEAKER_00', palette },
      { speaker: 'SPEAKER_01', palette },
      { speaker: 'SPEAKER_01', palette: { SPEAKER_01: '#000000' } },
      { color: '#123456' },
    ]);
  });

  it('takes the speaker colours from define when there are no definitions', () => {
    const root = rootOf(scenario('1.3', words({ speaker: 'SPEAKER_01' }), { define: { speakerPalette: palette } }));
    expect(root.children[0].pluginChain[0].params).toEqual({ speaker: 'SPEAKER_01', palette });
  });

  it('names a reference to nothing at its path', () => {
    try {
      prepareScenario(scenario('1.3', words({ speaker: 'S', palette: 'definitions.nope' }), { definitions: {} }));
      throw new Error('expected a ScenarioValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioValidationError);
      expect((e as ScenarioValidationError).issues).toEqual([
        {
          path: '$.cues[0].root.children[0].pluginChain[0].params.palette',
          reason: 'reference "definitions.nope" names nothing in $.definitions',
        },
      ]);
    }
  });
});

describe('v2.0: native layout, except groups the engine would never mount', () => {
  it('leaves a timed group (the editor preview) as it is, but for its clamp, applied at conversion', () => {
    const layout = {
      anchor: 'bc',
      position: { x: 0.5, y: 0.925 },
      safeAreaClamp: true,
      childrenLayout: { mode: 'flow', direction: 'horizontal' },
    };
    const root = rootOf(
      scenario('2.0', { id: 'g', eType: 'group', displayTime: [0, 2], layout, children: [{ id: 'w', eType: 'text', text: 'hi' }] }),
    );
    const { safeAreaClamp: _dropped, ...rest } = layout;
    expect(root).toEqual({
      id: 'g',
      eType: 'group',
      displayTime: [0, 2],
      layout: rest,
      children: [{ id: 'w', eType: 'text', text: 'hi' }],
    });
  });

  it('mounts an untimed group for its children and lays it out like v1.3', () => {
    const root = rootOf(
      scenario('2.0', {
        id: 'g',
        eType: 'group',
        layout: { position: { x: 0.5, y: 0.9 }, anchor: 'bc' },
        children: [{ id: 'w', eType: 'text', text: 'hi', displayTime: [1, 2] }],
      }),
    );
    expect(root.displayTime).toEqual([1, 2]);
    expect(root.layout.childrenLayout).toEqual({
      mode: 'flow',
      direction: 'horizontal',
      wrap: true,
      maxWidth: '100%',
      gap: 0.005,
      align: 'center',
      justify: 'center',
    });
  });
});
