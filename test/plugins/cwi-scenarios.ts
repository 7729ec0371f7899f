// Scenarios shaped like the editor's cwi previews (a flow group of per-word text nodes, each
// word with its own baseTime) and the caption-area difference used to compare two renders.

export interface WordPlugin {
  name: string;
  params?: Record<string, unknown>;
  timeOffset?: [number | string, number | string];
}

const WORDS = ['Hello', '세상아', 'world!', 'again'];
export const CUE: [number, number] = [0, 3.6];
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
            childrenLayout: { mode: 'flow', direction: 'horizontal', wrap: true, maxWidth: '90%', gap: 0.005, align: 'center', justify: 'center' },
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

/** Every frame at `fps` while the cue shows (inside the plugins' windows and after them). */
export function framesInside(_scenario: unknown, fps: number): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(CUE[0] * fps) + 1; i / fps < CUE[1]; i++) out.push(i / fps);
  return out;
}

/**
 * Share of the caption area (pixels either render paints, alpha > 16) where the two renders
 * differ visibly (some channel by more than 40 of 255). 0 when neither paints anything.
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
