import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ValueTransformer } from 'typeorm';

/** Every status a render job can be in. Terminal ones never change again. */
export const RENDER_JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type RenderJobStatus = (typeof RENDER_JOB_STATUSES)[number];

export const ACTIVE_JOB_STATUSES = ['queued', 'processing'] as const satisfies readonly RenderJobStatus[];
export const TERMINAL_JOB_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly RenderJobStatus[];

export function isTerminalStatus(status: RenderJobStatus): boolean {
  return (TERMINAL_JOB_STATUSES as readonly RenderJobStatus[]).includes(status);
}

/** What a worker is doing while a job is `processing`. */
export const RENDER_JOB_PHASES = ['downloading', 'rendering', 'encoding', 'uploading'] as const;
export type RenderJobPhase = (typeof RENDER_JOB_PHASES)[number];

/**
 * Why a job failed: `server` (our fault — worker crash, storage outage, encoder bug; does not
 * count against the user's daily/monthly quota) or `input` (the user's video or scenario).
 */
export const FAILURE_KINDS = ['server', 'input'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** `bigint` comes back from pg as a string; file sizes fit a JS number comfortably. */
const bigintToNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

@Entity({ name: 'render_jobs' })
@Index('idx_render_jobs_user_created', ['userId', 'createdAt'])
@Index('idx_render_jobs_status', ['status'])
export class RenderJobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ type: 'enum', enum: RENDER_JOB_STATUSES, enumName: 'render_job_status', default: 'queued' })
  status: RenderJobStatus;

  /** 0..100 */
  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'text', nullable: true })
  phase: RenderJobPhase | null;

  @Column({ name: 'video_url', type: 'text' })
  videoUrl: string;

  @Column({ name: 'video_name', type: 'text' })
  videoName: string;

  @Column({ type: 'jsonb' })
  scenario: unknown;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  options: Record<string, unknown>;

  /** What renders other than as written (FONT_FALLBACK=warn: missing fonts, tofu). */
  @Column({ type: 'jsonb', default: () => `'[]'::jsonb` })
  warnings: string[];

  @Column({ name: 'callback_url', type: 'text', nullable: true })
  callbackUrl: string | null;

  @Column({ name: 'output_key', type: 'text', nullable: true })
  outputKey: string | null;

  @Column({ name: 'file_size', type: 'bigint', nullable: true, transformer: bigintToNumber })
  fileSize: number | null;

  @Column({ name: 'duration_sec', type: 'real', nullable: true })
  durationSec: number | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'failure_kind', type: 'text', nullable: true })
  failureKind: FailureKind | null;

  /** How many times a worker acquired the job (markProcessing successes). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId: string | null;

  @Column({ name: 'estimated_seconds', type: 'real', default: 0 })
  estimatedSeconds: number;

  /** sha256 of the canonical create request (see hashRequest). */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** When retention (OUTPUT_RETENTION_DAYS) deleted the output: the status answers `expired`. */
  @Column({ name: 'output_expired_at', type: 'timestamptz', nullable: true })
  outputExpiredAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
