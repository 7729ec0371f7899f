import { DynamicModule, Module, type Provider } from '@nestjs/common';
import { LocalStorageDriver, type LocalStorageOptions } from './local-storage.driver.js';
import { S3SourceResolver, type S3SourceResolverOptions } from './s3-source-resolver.js';
import { S3StorageDriver, type S3StorageOptions } from './s3-storage.driver.js';
import { STORAGE_DRIVER, type StorageDriver } from './storage-driver.js';

export type StorageModuleOptions =
  | { driver: 's3'; s3: S3StorageOptions; sources?: S3SourceResolverOptions }
  | { driver: 'local'; local: LocalStorageOptions; sources?: S3SourceResolverOptions };

interface StorageBundle {
  driver: StorageDriver;
  sources: S3SourceResolver;
}

function build(o: StorageModuleOptions): StorageBundle {
  const driver = o.driver === 's3' ? new S3StorageDriver(o.s3) : new LocalStorageDriver(o.local);
  const sources = new S3SourceResolver(
    o.sources ?? (o.driver === 's3' ? { ...o.s3, client: (driver as S3StorageDriver).client, allowedBuckets: [] } : { allowedBuckets: [] }),
  );
  return { driver, sources };
}

const STORAGE_BUNDLE = Symbol('STORAGE_BUNDLE');

/**
 * Provides STORAGE_DRIVER (the configured StorageDriver) and S3SourceResolver.
 * The concrete LocalStorageDriver is also exported (null in S3 mode) for the signed-URL controller.
 */
@Module({})
export class StorageModule {
  static forRoot(options: StorageModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: STORAGE_BUNDLE, useFactory: () => build(options) },
      { provide: STORAGE_DRIVER, inject: [STORAGE_BUNDLE], useFactory: (b: StorageBundle) => b.driver },
      { provide: S3SourceResolver, inject: [STORAGE_BUNDLE], useFactory: (b: StorageBundle) => b.sources },
      {
        provide: LocalStorageDriver,
        inject: [STORAGE_BUNDLE],
        useFactory: (b: StorageBundle) => (b.driver instanceof LocalStorageDriver ? b.driver : null),
      },
    ];
    return { module: StorageModule, providers, exports: [STORAGE_DRIVER, S3SourceResolver, LocalStorageDriver] };
  }
}
