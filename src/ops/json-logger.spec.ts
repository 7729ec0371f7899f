import { Writable } from 'node:stream';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createAppLogger, currentJobId, JsonLogger, resolveLogFormat, withJobContext } from './json-logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
}

describe('JsonLogger', () => {
  it('writes one parseable JSON object per line with level, time, context and msg', () => {
    const out = capture();
    const logger = new JsonLogger({ destination: out.stream, level: 'debug' });
    logger.log('server started', 'Bootstrap');
    logger.warn('slow query', 'Database');
    logger.debug('details');
    logger.verbose('hidden below debug');
    expect(out.lines).toHaveLength(3);
    const [a, b, c] = out.records();
    expect(a).toMatchObject({ level: 'info', context: 'Bootstrap', msg: 'server started' });
    expect(new Date(String(a.time)).toISOString()).toBe(a.time);
    expect(b).toMatchObject({ level: 'warn', context: 'Database', msg: 'slow query' });
    expect(c).toMatchObject({ level: 'debug', msg: 'details' });
    expect(c.context).toBeUndefined();
  });

  it('accepts object messages with their own jobId and Error objects / stacks', () => {
    const out = capture();
    const logger = new JsonLogger({ destination: out.stream });
    logger.log({ msg: 'frame batch', jobId: 'job-1', frames: 30 }, 'Pipeline');
    const err = new Error('boom');
    logger.error(err, 'Worker');
    logger.error('render failed', err.stack, 'Worker');
    logger.error('no stack', undefined, 'Worker');
    const [a, b, c, d] = out.records();
    expect(a).toMatchObject({ level: 'info', context: 'Pipeline', msg: 'frame batch', jobId: 'job-1', frames: 30 });
    expect(b).toMatchObject({ level: 'error', context: 'Worker', msg: 'boom', err: { type: 'Error', message: 'boom' } });
    expect(c).toMatchObject({ level: 'error', context: 'Worker', msg: 'render failed' });
    expect(String(c.stack)).toContain('json-logger.spec');
    expect(d).toMatchObject({ level: 'error', context: 'Worker', msg: 'no stack' });
    expect(d.stack).toBeUndefined();
  });

  it('stamps jobId on every line inside withJobContext, across awaits and timers, and through Nest Logger', async () => {
    const out = capture();
    const json = new JsonLogger({ destination: out.stream });
    Logger.overrideLogger(json);
    try {
      const nest = new Logger('RenderProcessor');
      nest.log('outside');
      await withJobContext('job-42', async () => {
        expect(currentJobId()).toBe('job-42');
        nest.log('started');
        await new Promise((r) => setTimeout(r, 5));
        await Promise.all([
          (async () => json.log({ msg: 'in parallel branch' }, 'Capture'))(),
          new Promise<void>((r) => setImmediate(() => (nest.warn('after setImmediate'), r()))),
        ]);
        await withJobContext('job-43', async () => nest.log('nested job'));
        json.log({ msg: 'explicit wins', jobId: 'other' });
        nest.error('failed', new Error('x').stack);
      });
      nest.log('outside again');
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
    const recs = out.records();
    const byMsg = (m: string) => recs.find((r) => r.msg === m)!;
    expect(byMsg('outside').jobId).toBeUndefined();
    expect(byMsg('started')).toMatchObject({ jobId: 'job-42', context: 'RenderProcessor', level: 'info' });
    expect(byMsg('in parallel branch')).toMatchObject({ jobId: 'job-42', context: 'Capture' });
    expect(byMsg('after setImmediate')).toMatchObject({ jobId: 'job-42', level: 'warn' });
    expect(byMsg('nested job').jobId).toBe('job-43');
    expect(byMsg('explicit wins').jobId).toBe('other');
    expect(byMsg('failed')).toMatchObject({ jobId: 'job-42', level: 'error', context: 'RenderProcessor' });
    expect(byMsg('outside again').jobId).toBeUndefined();
    expect(currentJobId()).toBeUndefined();
  });

  it('setLogLevels follows Nest levels', () => {
    const out = capture();
    const logger = new JsonLogger({ destination: out.stream });
    logger.setLogLevels(['warn', 'error', 'fatal']);
    logger.log('dropped');
    logger.warn('kept');
    expect(out.records().map((r) => r.msg)).toEqual(['kept']);
  });

  it('LOG_FORMAT: json default in production, pretty otherwise, explicit value wins', () => {
    expect(resolveLogFormat({ NODE_ENV: 'production' })).toBe('json');
    expect(resolveLogFormat({})).toBe('pretty');
    expect(resolveLogFormat({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(resolveLogFormat({ LOG_FORMAT: 'json' })).toBe('json');
    expect(() => resolveLogFormat({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(createAppLogger({ LOG_FORMAT: 'json' })).toBeInstanceOf(JsonLogger);
    expect(createAppLogger({ LOG_FORMAT: 'pretty' })).toBeInstanceOf(ConsoleLogger);
  });
});
