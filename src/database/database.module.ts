import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { buildDataSourceOptions } from './data-source.js';
import type { DatabaseOptions } from './data-source.js';

function toTypeOrm(opts: DatabaseOptions): TypeOrmModuleOptions {
  // entities + migrations listed explicitly; migrationsRun/synchronize forced off (see data-source.ts)
  return { ...buildDataSourceOptions(opts), migrationsRun: false, synchronize: false, retryAttempts: 5, retryDelay: 2000 };
}

/**
 * Global TypeORM connection: global because the repositories of several modules (jobs, quota,
 * security, retention) share the one pool of the process. Migrations are NOT run here: call `runMigrations(dataSource)`
 * (src/database/migrate.ts) explicitly at boot or via `npm run migration:run`.
 * `DataSource` is injectable everywhere afterwards.
 */
@Module({})
export class DatabaseModule {
  static forRoot(opts: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRootAsync({ useFactory: () => toTypeOrm(opts) })],
      exports: [TypeOrmModule],
    };
  }
}
