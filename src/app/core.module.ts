// The infrastructure every boot mode shares: configuration, PostgreSQL, the Bull queues, the
// guarded fetcher, storage and callback signing. Root modules add HTTP and/or the worker on top.
import { BullModule } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { CallbacksModule } from '../callbacks/callbacks.module.js';
import { callbackBackoff, CALLBACK_BACKOFF_STRATEGY } from '../callbacks/callback-sender.js';
import { DatabaseModule } from '../database/database.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NetModule } from '../net/net.module.js';
import { PluginsModule } from '../plugins/plugins.module.js';
import { CALLBACK_QUEUE, PARITY_QUEUE, RENDER_QUEUE, RENDER_QUEUE_SETTINGS } from '../queue/queue.constants.js';
import { QuotaModule } from '../quota/quota.module.js';
import { SecurityModule } from '../security/security.module.js';
import { StorageModule, type StorageModuleOptions } from '../storage/storage.module.js';

export function storageOptions(config: AppConfig): StorageModuleOptions {
  const s = config.storage;
  const sources = {
    allowedBuckets: s.s3SourceBuckets,
    region: s.s3Region,
    endpoint: s.s3Endpoint,
    forcePathStyle: s.s3ForcePathStyle,
    maxBytes: config.limits.maxVideoBytes,
    resultsBucket: s.driver === 's3' ? s.s3Bucket : undefined,
  };
  if (s.driver === 's3') {
    return {
      driver: 's3',
      s3: {
        bucket: s.s3Bucket!,
        region: s.s3Region,
        endpoint: s.s3Endpoint,
        publicEndpoint: s.s3PublicEndpoint,
        forcePathStyle: s.s3ForcePathStyle,
        defaultTtlSeconds: s.downloadUrlTtlSeconds,
      },
      sources,
    };
  }
  return {
    driver: 'local',
    local: {
      dir: s.localDir,
      publicBaseUrl: config.http.publicBaseUrl,
      secret: s.urlSigningSecret,
      defaultTtlSeconds: s.downloadUrlTtlSeconds,
    },
    sources,
  };
}

@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      // Global: the HTTP, console and worker modules of every root are its siblings and use these providers.
      global: true,
      imports: [
        ConfigModule.forApp(config),
        DatabaseModule.forRoot({ url: config.databaseUrl, schema: config.databaseSchema, applicationName: `ecg-render-${config.mode}` }),
        BullModule.forRoot({ url: config.redisUrl, prefix: config.queuePrefix }),
        BullModule.registerQueue(
          {
            name: RENDER_QUEUE,
            settings: {
              ...RENDER_QUEUE_SETTINGS,
              lockDuration: config.worker.lockDurationMs,
              stalledInterval: config.worker.stalledIntervalMs,
            },
          },
          { name: PARITY_QUEUE },
          {
            name: CALLBACK_QUEUE,
            settings: { backoffStrategies: { [CALLBACK_BACKOFF_STRATEGY]: (attemptsMade: number) => callbackBackoff(attemptsMade) } },
          },
        ),
        NetModule.forRoot({
          allowHttp: config.allowPrivateNetworks,
          allowPrivateNetworks: config.allowPrivateNetworks,
          maxBytes: config.limits.maxVideoBytes,
        }),
        StorageModule.forRoot(storageOptions(config)),
        PluginsModule.forRoot(config.plugins),
        CallbacksModule.forRoot({ secret: config.callbacks.secret }),
        JobsModule,
        QuotaModule.forRoot({ defaults: config.quota }),
        SecurityModule,
      ],
      exports: [BullModule, StorageModule, CallbacksModule, JobsModule, QuotaModule, SecurityModule],
    };
  }
}
