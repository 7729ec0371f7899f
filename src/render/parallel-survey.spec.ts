import { surveyOnPages, type Surveyor } from './parallel-survey.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake page: signature of t is `s{t}`, a 1×1 box at (t, t); records what it surveyed. */
function fakePage(name: string, seen: Map<string, number[]>, delayMs = 1): Surveyor {
  seen.set(name, []);
  return {
    async survey(times) {
      await sleep(delayMs);
      seen.get(name)!.push(...times);
      return { signatures: times.map((t) => `s${t}`), bbox: times.length ? { x: times[0], y: times[0], width: 1, height: 1 } : null };
    },
  };
}

describe('surveyOnPages', () => {
  const times = Array.from({ length: 1000 }, (_, i) => i);

  it('shares the frames between pages and returns signatures in frame order with the union box', async () => {
    const seen = new Map<string, number[]>();
    const late = sleep(20).then(() => fakePage('late', seen));
    const result = await surveyOnPages([Promise.resolve(fakePage('first', seen)), late], times, undefined, 50);
    expect(result.signatures).toEqual(times.map((t) => `s${t}`));
    expect(result.bbox).toEqual({ x: 0, y: 0, width: 951, height: 951 });
    const first = seen.get('first')!;
    const second = seen.get('late')!;
    expect(first.length + second.length).toBe(1000);
    // The page that opened later still took part, and no frame was surveyed twice.
    expect(second.length).toBeGreaterThan(0);
    expect(new Set([...first, ...second]).size).toBe(1000);
  });

  it('with one page surveys everything there; with no frames returns nothing', async () => {
    const seen = new Map<string, number[]>();
    const one = await surveyOnPages([Promise.resolve(fakePage('only', seen))], times, undefined, 300);
    expect(one.signatures).toHaveLength(1000);
    expect(seen.get('only')).toEqual(times);
    expect(await surveyOnPages([Promise.resolve(fakePage('idle', seen))], [])).toEqual({ signatures: [], bbox: null });
  });

  it('fails when a page fails, or when a page could not be opened', async () => {
    const seen = new Map<string, number[]>();
    await expect(
      surveyOnPages(
        [
          Promise.resolve(fakePage('a', seen)),
          Promise.resolve({ survey: () => sleep(5).then(() => Promise.reject(new Error('b crashed'))) }),
        ],
        times,
        undefined,
        50,
      ),
    ).rejects.toThrow('b crashed');
    await expect(
      surveyOnPages([Promise.resolve(fakePage('c', seen)), Promise.reject(new Error('page did not open'))], times),
    ).rejects.toThrow('page did not open');
  });
});
