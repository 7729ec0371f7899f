import { DataSource } from 'typeorm';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseOptions {
  /** postgres://user:pass@host:port/db: the app's comes from the validated config (DATABASE_URL, src/config/app-config.ts). */
  url: string;
  /**
   * Optional schema. When set, every connection runs with `search_path=<schema>` so the
   * hand-written (unqualified) migration SQL and raw queries land in that schema. Tests use a
   * fresh `t_<random>` schema per file. Must be a plain identifier.
   */
  schema?: string;
  /** pg pool size (default 10). */
  poolSize?: number;
  logging?: LoggerOptions;
  applicationName?: string;
  connectTimeoutMS?: number;
  /** Passed through to pg (e.g. `{ rejectUnauthorized: false }`). */
  ssl?: boolean | Record<string, unknown>;
  /** Abort statements running longer than this (ms); 0 = no limit (default 30000). */
  statementTimeoutMs?: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function assertIdentifier(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid PostgreSQL identifier: ${JSON.stringify(name)}`);
  return name;
}

/**
 * The one place DataSource options are built: the Nest module, ormconfig.ts (CLI), the
 * migration script and tests all go through here (the first three with the settings of
 * loadAppConfig / loadDatabaseConfig, src/config/app-config.ts). Never `synchronize`, never `migrationsRun`:
 * schema changes only happen through runMigrations() (advisory-locked).
 */
export function buildDataSourceOptions(opts: DatabaseOptions): DataSourceOptions {
  const pgOptions: string[] = [];
  if (opts.schema) pgOptions.push(`-c search_path=${assertIdentifier(opts.schema)}`);
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  if (statementTimeout > 0) pgOptions.push(`-c statement_timeout=${Math.floor(statementTimeout)}`);
  return {
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    migrationsRun: false,
    synchronize: false,
    installExtensions: false,
    poolSize: opts.poolSize ?? 10,
    logging: opts.logging ?? ['error', 'warn', 'migration'],
    applicationName: opts.applicationName ?? 'ecg-render',
    connectTimeoutMS: opts.connectTimeoutMS ?? 10_000,
    ssl: opts.ssl as never,
    extra: pgOptions.length ? { options: pgOptions.join(' ') } : undefined,
  };
}

/** A not-yet-initialized DataSource. Call `.initialize()` (and `runMigrations` if wanted). */
export function createDataSource(opts: DatabaseOptions): DataSource {
  return new DataSource(buildDataSourceOptions(opts));
}
