// DataSource for the TypeORM CLI (e.g. `typeorm migration:show -d dist/ormconfig.js`).
// Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and optional
// DATABASE_SCHEMA / DATABASE_POOL_SIZE. Never synchronizes; migrations are hand-written in
// src/database/migrations and applied with `npm run migration:run` (advisory-locked).
import { createDataSource, databaseOptionsFromEnv } from './src/database/data-source.js';

const dataSource = createDataSource(databaseOptionsFromEnv());
export default dataSource;
