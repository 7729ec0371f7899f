import { createDataSource } from './data-source.js';
import { MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './migrate.js';
import { createTestDatabase, randomSchemaName } from '../../test/support/test-database.js';
import type { TestDatabase } from '../../test/support/test-database.js';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('run twice concurrently (separate pools, like two pods) is safe: applied once', async () => {
    const others = await Promise.all([db.open({ poolSize: 1 }), db.open({ poolSize: 1 }), db.open({ poolSize: 2 })]);
    const results = await Promise.all([db.dataSource, ...others].map((ds) => runMigrations(ds)));
    const applied = results.filter((r) => r.length > 0);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toEqual(MIGRATIONS.map((m) => new m().name));
    const rows = await db.dataSource.query(`SELECT name FROM "${db.schema}".migrations`);
    expect(rows).toHaveLength(MIGRATIONS.length);
    // and once more: nothing pending
    expect(await runMigrations(db.dataSource)).toEqual([]);
  });

  it('creates the tables, indexes and enum in the configured schema only', async () => {
    const tables: Array<{ table_name: string }> = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [db.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'idempotency_keys',
      'migrations',
      'render_jobs',
      'render_segments',
      'upload_grants',
      'user_quota_overrides',
      'user_webhook_secrets',
    ]);
    const idx: Array<{ indexname: string }> = await db.dataSource.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'render_jobs'`,
      [db.schema],
    );
    expect(idx.map((i) => i.indexname)).toEqual(expect.arrayContaining(['idx_render_jobs_user_created', 'idx_render_jobs_status']));
    const enums: Array<{ labels: string }> = await db.dataSource.query(
      `SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = $1 AND t.typname = 'render_job_status'`,
      [db.schema],
    );
    expect(enums[0].labels).toBe('queued,processing,completed,failed,cancelled');
  });

  it('runMigrations creates a missing schema itself and the down migrations revert cleanly', async () => {
    const schema = randomSchemaName();
    const ds = createDataSource({ url: db.url, schema, poolSize: 1, logging: ['error'] });
    await ds.initialize();
    try {
      expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'all' });
      const left: unknown[] = await ds.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations'`,
        [schema],
      );
      expect(left).toHaveLength(0);
    } finally {
      await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await ds.destroy();
    }
  });
});
