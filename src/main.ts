// Boots the service in the mode ECG_RENDER_MODE names (api | worker | standalone). The
// configuration is validated first; pending migrations run under an advisory lock.
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp } from './app/http-app.js';
import { mountBullBoard } from './ops/bull-board.js';
import { registerGracefulShutdown } from './ops/graceful-shutdown.js';
import { createAppLogger } from './ops/json-logger.js';
import { rootModuleFor } from './app/root-modules.js';
import { ConfigError, loadAppConfig, type AppConfig } from './config/app-config.js';
import { createDataSource } from './database/data-source.js';
import { runMigrations } from './database/migrate.js';

async function migrate(config: AppConfig): Promise<void> {
  const ds = createDataSource({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: 1 });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    if (applied.length) new Logger('Migrations').log(`applied: ${applied.join(', ')}`);
  } finally {
    await ds.destroy();
  }
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (config.migrateOnStart) await migrate(config);
  const app = await NestFactory.create<NestExpressApplication>(rootModuleFor(config), { logger: createAppLogger() });
  await configureHttpApp(app, config);
  // The Bull dashboard (behind ADMIN_TOKEN) belongs to the public API, not to worker pods.
  if (config.mode !== 'worker') mountBullBoard(app);
  // SIGTERM: stop taking jobs, let renders finish within the grace period, hand back the rest.
  registerGracefulShutdown(app, { graceMs: config.worker.shutdownGraceMs + 5_000 });
  const port = config.mode === 'worker' ? config.worker.healthPort : config.http.port;
  await app.listen(port);
  new Logger('Bootstrap').log(`ECG Render ${config.mode} listening on :${port}`);
}

void bootstrap();
