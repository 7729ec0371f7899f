// What the worker's runs (a render, a segment of one, the join of its segments) take and answer.
import type { RenderJobPhase } from '../database/index.js';
import type { RenderOutcome } from '../ops/render-metrics.js';

/** `delegated`: a long render was split; its segments and the join finish it elsewhere. */
export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped' | 'delegated';

/** What the worker shows on the Bull job and the SSE stream while rendering. */
export interface LiveProgress {
  progress: number;
  phase: RenderJobPhase;
  framesDone?: number;
  framesTotal?: number;
  fps?: number;
  etaSeconds?: number | null;
  encoder?: string;
}

/** How a split render ended, told by the segment or join run that ended it (for its metrics). */
export interface RenderEnd {
  outcome: RenderOutcome;
  /** When the render was first taken (its wall time spans every segment and the join). */
  startedAt: Date | null;
}

export interface RunContext {
  /** This is the last delivery Bull will make: a retryable failure now fails the job. */
  lastAttempt: boolean;
  report?: (p: LiveProgress) => void | Promise<void>;
  /** Called by a segment or join run that ended its whole render (completed, failed or cancelled it). */
  renderEnded?: (end: RenderEnd) => void;
}
