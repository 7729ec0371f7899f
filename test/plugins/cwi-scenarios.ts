// Scenarios shaped like the editor's cwi previews (a flow group of per-word text nodes, each
// word with its own baseTime), and slices of the editor's own scenarios.

export interface WordPlugin {
  name: string;
  params?: Record<string, unknown>;
  timeOffset?: [number | string, number | string];
}

const WORDS = ['Hello', '세상아', 'world!', 'again'];
const CUE: [number, number] = [0, 3.6];
/** Word i is spoken over [0.4 + 0.75 i, 0.4 + 0.75 i + 0.6]. */
const wordTime = (i: number): [number, number] => [0.4 + 0.75 * i, 1.0 + 0.75 * i];

/** One cue; word i carries the plugin chain plugins[i]. */
export function cwiScenario(plugins: WordPlugin[][]): Record<string, unknown> {
  return {
    version: '2.0',
    timebase: { unit: 'seconds' },
    stage: { baseAspect: '16:9' },
    tracks: [
      {
        id: 'caption',
        type: 'subtitle',
        layer: 1,
        defaultStyle: { fontSizeRel: 0.08, fontFamily: 'Arial, sans-serif', color: '#ffffff', align: 'center' },
      },
    ],
    cues: [
      {
        id: 'cue-1',
        track: 'caption',
        domLifetime: CUE,
        root: {
          id: 'clip-1',
          eType: 'group',
          displayTime: CUE,
          layout: {
            anchor: 'bc',
            position: { x: 0.5, y: 0.85 },
            safeAreaClamp: true,
            childrenLayout: {
              mode: 'flow',
              direction: 'horizontal',
              wrap: true,
              maxWidth: '90%',
              gap: 0.005,
              align: 'center',
              justify: 'center',
            },
          },
          children: plugins.map((chain, i) => ({
            id: `word-${i}`,
            eType: 'text',
            text: WORDS[i % WORDS.length],
            baseTime: wordTime(i),
            pluginChain: chain,
            style: { opacity: 1 },
          })),
        },
      },
    ],
  };
}

/** The cues of an editor scenario that start before `seconds` (the rest dropped). */
export function sliceScenario(scenario: Record<string, unknown>, seconds: number): Record<string, unknown> {
  const cues = (scenario.cues as Array<Record<string, unknown>>).filter((cue) => {
    const life = (cue.domLifetime ?? (cue.root as Record<string, unknown> | undefined)?.displayTime) as number[] | undefined;
    return Array.isArray(life) && life[0] < seconds;
  });
  return { ...scenario, cues };
}

/** Every frame at `fps` while the cwiScenario cue shows. */
export function framesInside(_scenario: unknown, fps: number): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(CUE[0] * fps) + 1; i / fps < CUE[1]; i++) out.push(i / fps);
  return out;
}

/**
 * Share of the caption area (pixels either render paints, alpha > 16) where two RGBA renders
 * differ visibly (some channel by more than 40 of 255); 0 when neither paints anything. A quick
 * stand-in; src/parity/caption-area-diff.ts is the metric of record.
 */
export function captionAreaDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return 1;
  let area = 0;
  let differ = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i + 3] <= 16 && b[i + 3] <= 16) continue;
    area++;
    const d = Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]), Math.abs(a[i + 3] - b[i + 3]));
    if (d > 40) differ++;
  }
  return area === 0 ? 0 : differ / area;
}
