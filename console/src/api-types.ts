// What the console reads from the HTTP API: the response shapes of the endpoints it calls, as
// plain types (the console is bundled for the browser and cannot import the server's DTO
// classes). console/api-contract.ts, type-checked with the server, holds each of them against
// the server's own type, so a field renamed there fails `npm run typecheck`.

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'expired';

/** POST /api/uploads */
export interface UploadTarget {
  uploadUrl: string;
  method: 'PUT';
  headers?: Record<string, string>;
  videoUrl: string;
  expiresAt: string;
}

/** POST /api/render/create */
export interface CreatedRender {
  jobId: string;
  /** Seconds. */
  estimatedTime: number;
  createdAt: string;
  warnings: string[];
}

/** GET /api/render/:id/status */
export interface RenderStatus {
  jobId: string;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  /** Seconds. */
  estimatedTimeRemaining?: number;
  startedAt?: string;
  completedAt?: string;
  downloadUrl?: string;
  error?: string;
  errorCode?: string;
  phase?: string;
  warnings: string[];
}

/** The worker's live figures of a processing job (its own, or its segments' summed). */
export interface LiveFigures {
  progress?: number;
  phase?: string;
  framesDone?: number;
  framesTotal?: number;
  fps?: number;
  etaSeconds?: number | null;
  encoder?: string;
}

/** An SSE `status` event of GET /api/render/:id/events: the status plus the live figures while processing. */
export interface StatusEvent extends RenderStatus {
  live?: LiveFigures;
}

/** POST /api/render/:id/cancel */
export interface CancelResult {
  success: boolean;
  message: string;
}

/** One row of GET /api/render/history */
export interface HistoryRow {
  jobId: string;
  videoName: string;
  status: JobStatus;
  createdAt: string;
  completedAt: string | null;
  downloadUrl: string | null;
  fileSize: number | null;
  /** Seconds. */
  duration: number | null;
  error: string | null;
  warnings: string[];
}

/** POST /api/scenario/preflight */
export interface PreflightReport {
  ok: boolean;
  issues: Array<{ field: string; reason: string }>;
  cues: number;
  durationSec: number | null;
  estimatedRenderSeconds: number;
  plugins: Array<{ ref: string; source: string; reason?: string; uses: number }>;
  /** Each family the scenario names and where it comes from (src/fonts: FamilyReport). */
  fonts: Array<{ family: string; source: string; face?: string }>;
  warnings: string[];
}

/** POST /api/scenario/prepare */
export interface PreparedScenario {
  /** The normalised v2.0 scenario the engine renders. */
  scenario: Record<string, unknown>;
}

/** One sampled frame of a parity report. */
export interface ParityFrame {
  index: number;
  t: number;
  reason: string;
  captionPixels: number;
  diffShare: number;
  captionDiffShare: number;
  maxDiff: number;
  match: boolean;
}

/** POST /api/render/:id/parity */
export interface ParityResult {
  match: boolean;
  width: number;
  height: number;
  fps: number;
  mismatched: number;
  thresholds: { tolerance: number };
  frames: ParityFrame[];
}

/** POST /api/dev/token (ALLOW_DEV_TOKENS=true only) */
export interface DevToken {
  token: string;
}

/** The body of an error answer (src/http/errors; `message` alone from a proxy or a framework default). */
export interface ErrorBody {
  message?: string;
  /** `details`: for validation failures, an array of {field, reason}. */
  detail?: { message?: string; code?: string; details?: unknown };
}
