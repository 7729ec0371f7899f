// Status / phase / failure-kind types and constants live with the entity; re-exported here so
// callers can `import { RenderJobStatus } from '../jobs/index.js'`.
export {
  RENDER_JOB_STATUSES,
  ACTIVE_JOB_STATUSES,
  TERMINAL_JOB_STATUSES,
  RENDER_JOB_PHASES,
  FAILURE_KINDS,
  isTerminalStatus,
} from '../database/entities/render-job.entity.js';
export type { RenderJobStatus, RenderJobPhase, FailureKind } from '../database/entities/render-job.entity.js';

/** Legal transitions (what the conditional UPDATEs in JobsRepository enforce). */
export const JOB_TRANSITIONS = {
  markProcessing: { from: ['queued', 'processing(lease expired)'], to: 'processing' },
  updateProgress: { from: ['processing'], to: 'processing' },
  markCompleted: { from: ['processing'], to: 'completed' },
  markFailed: { from: ['queued', 'processing'], to: 'failed' },
  markCancelled: { from: ['queued', 'processing'], to: 'cancelled' },
} as const;
