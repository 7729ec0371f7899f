// The bench's command line: `npm run bench -- --help` prints USAGE.
import { parseArgs } from 'node:util';
import { WORKLOADS, allWorkloadNames, findWorkload, type Workload } from './workloads.js';

export const USAGE =
  'usage: npm run bench -- [--json] [--workload NAME[,NAME…]] [--seconds N] [--repeat N] [--sample-ms MS] [--no-breakdown] [--no-transcode]\n' +
  '       npm run bench -- --workers 1,2 [--workload long] [--seconds 180] [--segment-seconds 60] [--json]';
/** Source length of the --workers mode unless --seconds says otherwise. */
export const WORKERS_DEFAULT_SECONDS = 180;

export class UsageError extends Error {}

export interface Args {
  json: boolean;
  workloads: Workload[];
  seconds?: number;
  repeat: number;
  sampleMs: number;
  breakdown: boolean;
  transcode: boolean;
  workers?: number[];
  segmentSeconds: number;
}

export function parseCommandLine(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      workload: { type: 'string' },
      seconds: { type: 'string' },
      repeat: { type: 'string' },
      'sample-ms': { type: 'string' },
      breakdown: { type: 'boolean', default: true },
      transcode: { type: 'boolean', default: true },
      workers: { type: 'string' },
      'segment-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowNegative: true,
    strict: true,
  });
  if (values.help) throw new UsageError('');
  let workloads = [...WORKLOADS];
  if (values.workers !== undefined) workloads = [findWorkload('long')!];
  if (values.workload !== undefined) {
    workloads = values.workload.split(',').map((name) => {
      const w = findWorkload(name.trim());
      if (!w) throw new UsageError(`unknown workload '${name}' (known: ${allWorkloadNames().join(', ')})`);
      return w;
    });
  }
  let workers: number[] | undefined;
  if (values.workers !== undefined) {
    workers = values.workers.split(',').map((x) => Number(x.trim()));
    if (!workers.length || workers.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) {
      throw new UsageError(`--workers takes worker counts from 1 to 8, e.g. 1,2 (got ${JSON.stringify(values.workers)})`);
    }
    if (workloads.length !== 1) throw new UsageError('--workers runs one workload');
  }
  const positive = (name: string, raw: string | undefined, integer: boolean, max: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'} up to ${max}, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  return {
    json: values.json,
    workloads,
    seconds: positive('seconds', values.seconds, false, 3600),
    repeat: positive('repeat', values.repeat, true, 20) ?? 1,
    sampleMs: positive('sample-ms', values['sample-ms'], true, 10_000) ?? 200,
    breakdown: values.breakdown,
    transcode: values.transcode,
    workers,
    segmentSeconds: positive('segment-seconds', values['segment-seconds'], true, 3600) ?? 60,
  };
}
