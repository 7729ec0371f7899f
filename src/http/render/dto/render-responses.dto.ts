// Response shapes of the render endpoints (README "HTTP API"); documented in Swagger by the CLI plugin.
import type { RenderJobPhase, RenderJobStatus } from '../../../database/index.js';

export class CreateRenderResponse {
  jobId!: string;
  /** Estimated render time in seconds. */
  estimatedTime!: number;
  createdAt!: string;
  /** What will render other than as written (FONT_FALLBACK=warn: missing fonts, tofu); empty otherwise. */
  warnings!: string[];
}

export class RenderStatusResponse {
  jobId!: string;
  /** `expired`: a completed job whose output retention deleted (OUTPUT_RETENTION_DAYS). */
  status!: RenderJobStatus | 'expired';
  /** 0–100. */
  progress!: number;
  /** Seconds. */
  estimatedTimeRemaining?: number;
  startedAt?: string;
  completedAt?: string;
  /** Short-lived URL minted for this response. */
  downloadUrl?: string;
  /** Why the render failed. */
  error?: string;
  errorCode?: string;
  /** downloading | rendering | encoding | uploading */
  phase?: RenderJobPhase;
  /** What renders other than as written (FONT_FALLBACK=warn: missing fonts, tofu); empty otherwise. */
  warnings!: string[];
}

export class CancelResponse {
  success!: boolean;
  message!: string;
}

export class HistoryItem {
  jobId!: string;
  videoName!: string;
  status!: RenderJobStatus | 'expired';
  createdAt!: string;
  completedAt!: string | null;
  downloadUrl!: string | null;
  fileSize!: number | null;
  /** Seconds. */
  duration!: number | null;
  error!: string | null;
  /** As in the status. */
  warnings!: string[];
}
