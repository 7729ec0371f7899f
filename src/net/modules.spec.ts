import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbacksModule } from '../callbacks/callbacks.module.js';
import { CallbackSender } from '../callbacks/callback-sender.js';
import { LocalStorageDriver } from '../storage/local-storage.driver.js';
import { S3SourceResolver } from '../storage/s3-source-resolver.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { StorageModule } from '../storage/storage.module.js';
import { GuardedFetcher } from './guarded-fetcher.js';
import { NetModule } from './net.module.js';

describe('Nest modules', () => {
  it('wire NetModule, StorageModule (local) and CallbacksModule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mod-'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        NetModule.forRoot({ timeoutMs: 1000 }),
        StorageModule.forRoot({
          driver: 'local',
          local: { dir, publicBaseUrl: 'http://localhost:3000', secret: 'module-test-secret-123456' },
        }),
        CallbacksModule.forRoot({ secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}` }),
      ],
    }).compile();
    expect(moduleRef.get(GuardedFetcher)).toBeInstanceOf(GuardedFetcher);
    expect(moduleRef.get(CallbackSender)).toBeInstanceOf(CallbackSender);
    const storage = moduleRef.get<StorageDriver>(STORAGE_DRIVER);
    expect(storage.kind).toBe('local');
    expect(moduleRef.get(LocalStorageDriver)).toBe(storage);
    expect(moduleRef.get(S3SourceResolver)).toBeInstanceOf(S3SourceResolver);
    await moduleRef.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
