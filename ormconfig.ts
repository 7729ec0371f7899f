// DataSource for the TypeORM CLI (e.g. `typeorm migration:show -d dist/ormconfig.js`).
// Reads DATABASE_URL, DATABASE_SCHEMA and DATABASE_POOL_SIZE through the validated config
// (loadDatabaseConfig, src/config/app-config.ts: same variables and defaults as the app). Never
// synchronizes; migrations are hand-written in src/database/migrations and applied with
// `npm run migration:run` (advisory-locked).
import { loadDatabaseConfig } from './src/config/app-config.js';
import { createDataSource } from './src/database/data-source.js';

const dataSource = createDataSource(loadDatabaseConfig());
export default dataSource;
