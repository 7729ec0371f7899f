import { captureInOrder, type QueuedRun } from './ordered-capture.js';

interface Run {
  id: number;
  count: number;
  visible: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runsOf = (n: number): Run[] => Array.from({ length: n }, (_, id) => ({ id, count: id + 1, visible: id % 3 !== 2 }));
const blank = Buffer.from('blank');

describe('captureInOrder', () => {
  it('captures on every page at once and pushes in run order, blanks included', async () => {
    const runs = runsOf(30);
    let inFlight = 0;
    let maxInFlight = 0;
    const usedPages = new Set<string>();
    const pushed: QueuedRun[] = [];
    await captureInOrder({
      pages: ['a', 'b'],
      runs,
      needsCapture: (r) => r.visible,
      grab: async (page, run) => {
        usedPages.add(page);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await sleep(((run.id * 7) % 5) + 1); // later runs may finish first
        inFlight--;
        return Buffer.from(`frame ${run.id}`);
      },
      blank,
      push: (item) => {
        pushed.push(item);
        return Promise.resolve();
      },
    });
    expect(pushed.map((p) => p.count)).toEqual(runs.map((r) => r.count));
    expect(pushed.map((p) => p.frame.toString())).toEqual(runs.map((r) => (r.visible ? `frame ${r.id}` : 'blank')));
    expect(maxInFlight).toBe(2);
    expect([...usedPages].sort()).toEqual(['a', 'b']);
  });

  it('with one page, captures strictly one after another', async () => {
    const order: string[] = [];
    await captureInOrder({
      pages: ['only'],
      runs: runsOf(6),
      needsCapture: (r) => r.visible,
      grab: async (_page, run) => {
        order.push(`start ${run.id}`);
        await sleep(2);
        order.push(`end ${run.id}`);
        return Buffer.from(String(run.id));
      },
      blank,
      push: (item) => {
        order.push(`push ${item.frame.toString()}`);
        return Promise.resolve();
      },
    });
    expect(order).toEqual([
      'start 0',
      'end 0',
      'push 0',
      'start 1',
      'end 1',
      'push 1',
      'push blank',
      'start 3',
      'end 3',
      'push 3',
      'start 4',
      'end 4',
      'push 4',
      'push blank',
    ]);
  });

  it('fails with the first failing capture, after the captures in flight have finished', async () => {
    let finished = 0;
    const pushed: string[] = [];
    const result = captureInOrder({
      pages: ['a', 'b'],
      runs: runsOf(10),
      needsCapture: (r) => r.visible,
      grab: async (_page, run) => {
        if (run.id === 3) throw new Error('page crashed at run 3');
        await sleep(5);
        finished++;
        return Buffer.from(String(run.id));
      },
      blank,
      push: (item) => {
        pushed.push(item.frame.toString());
        return Promise.resolve();
      },
    });
    await expect(result).rejects.toThrow('page crashed at run 3');
    expect(pushed).toEqual(['0', '1', 'blank']);
    // Run 4 was started beside run 3 and was allowed to finish before the failure surfaced.
    expect(finished).toBe(3);
  });

  it('stops when the signal is aborted', async () => {
    const ac = new AbortController();
    const result = captureInOrder({
      pages: ['a', 'b'],
      runs: runsOf(10),
      needsCapture: (r) => r.visible,
      grab: (_page, run) => {
        if (run.id === 1) ac.abort(new Error('cancelled'));
        return Promise.resolve(Buffer.from(String(run.id)));
      },
      blank,
      push: () => Promise.resolve(),
      signal: ac.signal,
    });
    await expect(result).rejects.toThrow('cancelled');
  });
});
