import { MigrationExecutor } from 'typeorm';
import type { DataSource } from 'typeorm';
import { assertIdentifier } from './data-source.js';

/**
 * Fixed key for pg_advisory_lock: 'ECGRMIGR' as ASCII → one 64-bit value shared by every pod,
 * so pods starting together run migrations one at a time (the later ones find nothing pending).
 */
export const MIGRATION_LOCK_KEY = '4990911230866179922';

/**
 * Runs pending migrations under a session-level advisory lock. The lock and the migrations use
 * the SAME connection (so a pool of 1 works and a dead pod releases the lock with its
 * session). Creates the DataSource's schema first when one is configured.
 * Returns the names of the migrations that ran (empty when up to date).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const qr = dataSource.createQueryRunner('master');
  await qr.connect();
  try {
    await qr.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const schema = (dataSource.options as { schema?: string }).schema;
      if (schema) await qr.query(`CREATE SCHEMA IF NOT EXISTS "${assertIdentifier(schema)}"`);
      const executor = new MigrationExecutor(dataSource, qr);
      executor.transaction = 'all';
      const ran = await executor.executePendingMigrations();
      return ran.map((m) => m.name);
    } finally {
      await qr.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await qr.release();
  }
}
