// `npm run migration:run`: applies pending migrations to DATABASE_URL (optional DATABASE_SCHEMA).
// Safe when several pods run it at once: runMigrations() holds a PostgreSQL advisory lock.
import { pathToFileURL } from 'node:url';
import type { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../src/config/app-config.js';
import { createDataSource } from '../src/database/data-source.js';
import { runMigrations as runLocked } from '../src/database/migrate.js';

export { MIGRATION_LOCK_KEY } from '../src/database/migrate.js';

/** pg_advisory_lock(MIGRATION_LOCK_KEY) around the pending migrations; returns their names. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  return runLocked(dataSource);
}

async function main(): Promise<void> {
  const dataSource = createDataSource({ ...loadDatabaseConfig(), poolSize: 2 });
  try {
    await dataSource.initialize();
    const ran = await runMigrations(dataSource);
    console.log(ran.length ? `migrations applied: ${ran.join(', ')}` : 'migrations: up to date');
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main().catch((err) => {
    console.error('migration:run failed:', err);
    process.exit(1);
  });
}
