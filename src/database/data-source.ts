import { DataSource } from 'typeorm';
import type { DataSourceOptions, LoggerOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface DatabaseOptions {
  /** postgres://user:pass@host:port/db (default DEFAULT_DATABASE_URL). */
  url?: string;
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
 * migration script and tests all go through here. Never `synchronize`, never `migrationsRun`:
 * schema changes only happen through runMigrations() (advisory-locked).
 */
export function buildDataSourceOptions(opts: DatabaseOptions = {}): DataSourceOptions {
  const pgOptions: string[] = [];
  if (opts.schema) pgOptions.push(`-c search_path=${assertIdentifier(opts.schema)}`);
  const statementTimeout = opts.statementTimeoutMs ?? 30_000;
  if (statementTimeout > 0) pgOptions.push(`-c statement_timeout=${Math.floor(statementTimeout)}`);
  return {
    type: 'postgres',
    url: opts.url ?? DEFAULT_DATABASE_URL,
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
export function createDataSource(opts: DatabaseOptions = {}): DataSource {
  return new DataSource(buildDataSourceOptions(opts));
}

/** DatabaseOptions from the environment: DATABASE_URL, DATABASE_SCHEMA, DATABASE_POOL_SIZE. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  const pool = env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : undefined;
  return {
    url: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    schema: env.DATABASE_SCHEMA || undefined,
    poolSize: pool && Number.isFinite(pool) && pool > 0 ? pool : undefined,
  };
}
