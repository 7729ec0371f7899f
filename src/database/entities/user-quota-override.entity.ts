import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per-user quota overrides. A NULL limit means "use the configured default";
 * a set limit beats the default (it may be higher or lower).
 */
@Entity({ name: 'user_quota_overrides' })
export class UserQuotaOverrideEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ name: 'daily_limit', type: 'integer', nullable: true })
  dailyLimit: number | null;

  @Column({ name: 'monthly_limit', type: 'integer', nullable: true })
  monthlyLimit: number | null;

  @Column({ name: 'concurrent_limit', type: 'integer', nullable: true })
  concurrentLimit: number | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
