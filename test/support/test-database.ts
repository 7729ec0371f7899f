// A fresh PostgreSQL schema per test file (or bench run), migrated. Shared by the tests and the bench
// (test/support/: node built-ins and production dependencies only — the bench compiles it).
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import type { DatabaseOptions } from '../../src/database/data-source.js';
import { runMigrations } from '../../src/database/migrate.js';

export interface TestDatabase {
  dataSource: DataSource;
  schema: string;
  url: string;
  /** Another DataSource (own pool) on the same schema — for multi-pod style races. */
  open(extra?: Partial<DatabaseOptions>): Promise<DataSource>;
  /** Drops the schema and closes every DataSource opened here. */
  destroy(): Promise<void>;
}

/** The tests' database (the app's default is another: DEFAULT_DATABASE_URL in src/config/app-config.ts). */
const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export const randomSchemaName = (): string => `t_${randomBytes(6).toString('hex')}`;

/**
 * A fresh schema `t_<random>` with all migrations applied, for one test file. Uses
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
export async function createTestDatabase(opts: { poolSize?: number; migrate?: boolean } = {}): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL || TEST_DATABASE_URL;
  const schema = randomSchemaName();
  const opened: DataSource[] = [];
  const open = async (extra: Partial<DatabaseOptions> = {}): Promise<DataSource> => {
    const ds = createDataSource({ url, schema, poolSize: 5, logging: ['error'], ...extra });
    await ds.initialize();
    opened.push(ds);
    return ds;
  };
  const dataSource = await open({ poolSize: opts.poolSize ?? 10 });
  if (opts.migrate !== false) await runMigrations(dataSource);
  else await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  return {
    dataSource,
    schema,
    url,
    open,
    async destroy() {
      try {
        await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        for (const ds of opened.reverse()) if (ds.isInitialized) await ds.destroy();
      }
    },
  };
}
