// Bull job ids are stored in Redis: jobs enqueued by one release are found by the next, so the
// ids must not change shape.
import { bullJobId } from './queue.constants.js';

describe('bullJobId', () => {
  it('derives each kind of job id from what the job is for', () => {
    expect(bullJobId({ kind: 'render', renderId: 'r1' })).toBe('render:r1');
    expect(bullJobId({ kind: 'segment', renderId: 'r1', idx: 3 })).toBe('segment:r1:3');
    expect(bullJobId({ kind: 'join', renderId: 'r1' })).toBe('join:r1');
    expect(bullJobId({ kind: 'callback', webhookId: 'msg_r1_completed' })).toBe('callback:msg_r1_completed');
    expect(bullJobId({ kind: 'parity', renderId: 'r1', frames: 12 })).toBe('parity:r1:12');
  });
});
