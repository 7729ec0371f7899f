// A render's time guessed from its scenario alone, apart from the job admission (src/quota) so
// that the preflight (API and command line alike) can give it without loading the database.

/** What the guess reads of a create body (CreateRenderBody fits). */
export interface RenderEstimateInput {
  scenario: unknown;
  options?: Record<string, unknown>;
}

/**
 * Rough render-time guess before the source is probed: the scenario's last cue end stands in
 * for the video duration (1.5 s of work per second of video at 1080p on 2 cores, plus 15 s of
 * start-up); 60 s when nothing is known. Workers refine progress/remaining time later.
 */
export function estimateRenderSeconds(body: RenderEstimateInput): number {
  const end = lastTimeIn(body.scenario, 0);
  if (!(end > 0)) return 60;
  const fps = Number(body.options?.fps) || 30;
  return Math.round(15 + end * 1.5 * Math.max(0.5, fps / 30));
}

function lastTimeIn(node: unknown, depth: number): number {
  if (depth > 12 || node === null || typeof node !== 'object') return 0;
  let max = 0;
  if (Array.isArray(node)) {
    for (const v of node) max = Math.max(max, lastTimeIn(v, depth + 1));
    return max;
  }
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'end' || k === 'absEnd' || k === 'hintTime' || k === 'duration') && typeof v === 'number' && Number.isFinite(v)) {
      max = Math.max(max, v);
    } else if ((k === 'time' || k === 'displayTime' || k === 'domLifetime') && Array.isArray(v)) {
      for (const t of v) if (typeof t === 'number' && Number.isFinite(t)) max = Math.max(max, t);
    } else {
      max = Math.max(max, lastTimeIn(v, depth + 1));
    }
  }
  return Math.min(max, 6 * 3600);
}
