// Test-only helper: a small Nest app with real PostgreSQL (fresh schema) and Redis (own prefix).
import { randomBytes } from 'node:crypto';
import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BullModule, getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { DatabaseModule } from '../../src/database/database.module.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CALLBACK_QUEUE, RENDER_QUEUE } from '../../src/queue/queue.constants.js';

export interface OpsTestApp {
  app: INestApplication;
  db: TestDatabase;
  prefix: string;
  close(): Promise<void>;
}

export async function bootOpsTestApp(opts: {
  imports: Array<DynamicModule | Type<unknown>>;
  providers?: Provider[];
  redisUrl?: string;
  beforeInit?: (app: INestApplication) => void;
}): Promise<OpsTestApp> {
  const db = await createTestDatabase();
  const prefix = `ops-test-${randomBytes(4).toString('hex')}`;
  const redisUrl = opts.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const moduleRef = await Test.createTestingModule({
    imports: [
      DatabaseModule.forRoot({ url: db.url, schema: db.schema, poolSize: 2 }),
      BullModule.forRoot({ url: redisUrl, prefix }),
      BullModule.registerQueue({ name: RENDER_QUEUE }, { name: CALLBACK_QUEUE }),
      ...opts.imports,
    ],
    providers: opts.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  opts.beforeInit?.(app);
  await app.init();
  return {
    app,
    db,
    prefix,
    async close() {
      if (!opts.redisUrl) {
        // Leave nothing behind in the shared Redis: the test prefix is unique per app.
        for (const name of [RENDER_QUEUE, CALLBACK_QUEUE]) {
          const queue = app.get<Queue>(getQueueToken(name), { strict: false });
          await queue.obliterate({ force: true }).catch(() => undefined);
        }
      } else {
        // Redis unreachable: Bull's close() would wait for a connection forever; drop the clients.
        for (const name of [RENDER_QUEUE, CALLBACK_QUEUE]) {
          const queue = app.get<Queue>(getQueueToken(name), { strict: false });
          for (const c of (queue as unknown as { clients: Array<{ disconnect(): void }> }).clients) c.disconnect();
        }
      }
      await Promise.race([app.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
      await db.destroy();
    },
  };
}
