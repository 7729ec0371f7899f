// Real Bull on the real Redis: a queue closed right after its processor started must leave no
// unhandled rejection behind (Jest fails the test that is running when one happens).
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import Bull from 'bull';
import { randomBytes } from 'node:crypto';
import { startProcessor } from './start-processor.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('startProcessor', () => {
  it('closing a queue 0-4 ms after its processor started leaves no unhandled rejection', async () => {
    const prefix = `start-processor-${randomBytes(4).toString('hex')}`;
    const logger = { error: jest.fn<(message: string) => void>() };
    for (let i = 0; i < 15; i++) {
      const queue = new Bull(`q${i}`, REDIS_URL, { prefix });
      startProcessor(queue, 'work', 1, () => Promise.resolve(), logger);
      await new Promise((r) => setTimeout(r, i % 5));
      await queue.close();
    }
    await new Promise((r) => setTimeout(r, 300)); // late rejections land inside this test
    expect(logger.error).not.toHaveBeenCalled(); // a close is not an error
  });

  it('processes jobs', async () => {
    const queue = new Bull('work', REDIS_URL, { prefix: `start-processor-${randomBytes(4).toString('hex')}` });
    try {
      const done = new Promise<number>((resolve) =>
        startProcessor<{ n: number }>(queue, 'work', 1, (job) => Promise.resolve(resolve(job.data.n)), new Logger('test')),
      );
      await queue.add('work', { n: 7 });
      expect(await done).toBe(7);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
