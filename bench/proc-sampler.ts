// Samples the memory and CPU of a process tree from /proc (Linux only).
//
// Memory is the proportional set size (PSS, `Pss:` of /proc/<pid>/smaps_rollup): each process's
// private pages plus its share of pages it maps together with others. PSS of a group of
// processes sums to what the group really occupies — RSS would count Chromium's shared pages
// (its binary, shared memory between browser, GPU and renderer processes) once per process.
//
// Every `intervalMs` the sampler finds the root's descendants (a scan of /proc/*/stat by parent
// pid, so grandchildren such as Chromium's renderers are included), reads each one's PSS and
// sums them by kind (node = the root itself, chromium, ffmpeg, other). The peak of each kind and
// the peak of the total are kept; the per-kind peaks need not fall on the same sample.
// CPU time (utime + stime) is accumulated per process, so a sampler also tells where CPU went.
import { readdirSync, readFileSync } from 'node:fs';
import { fork } from 'node:child_process';

export type ProcessKind = 'node' | 'chromium' | 'ffmpeg' | 'other';
export const PROCESS_KINDS: readonly ProcessKind[] = ['node', 'chromium', 'ffmpeg', 'other'];

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux (USER_HZ), fixed at 100 on every arch we run

export interface SampleReport {
  samples: number;
  /** Peak of the summed PSS of the whole tree, MB (1e6 bytes). */
  peakTotalMb: number;
  /** Peak PSS of each kind, MB (each kind's own peak). */
  peakByKindMb: Record<ProcessKind, number>;
  /** The split of the sample where the total peaked, MB. */
  atPeakByKindMb: Record<ProcessKind, number>;
  /** Most processes of each kind seen at once. */
  maxProcessesByKind: Record<ProcessKind, number>;
  /** CPU seconds (user + system) used by each kind while sampled. */
  cpuSecondsByKind: Record<ProcessKind, number>;
  /** Mean time one sample took, ms (the sampler's own overhead). */
  meanSampleMs: number;
}

interface StatLine {
  pid: number;
  ppid: number;
  comm: string;
  cpuTicks: number;
  startTime: string;
}

function zero(): Record<ProcessKind, number> {
  return { node: 0, chromium: 0, ffmpeg: 0, other: 0 };
}

function readStat(pid: number): StatLine | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const comm = text.slice(open + 1, close);
    const f = text.slice(close + 2).split(' ');
    // f[0] = state (field 3), so field n is f[n - 3].
    return { pid, ppid: Number(f[1]), comm, cpuTicks: Number(f[11]) + Number(f[12]), startTime: f[19] };
  } catch {
    return undefined; // exited between readdir and read
  }
}

function readPssKb(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const m = /^Pss:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function kindOf(p: StatLine, rootPid: number): ProcessKind {
  if (p.pid === rootPid) return 'node';
  const c = p.comm.toLowerCase();
  if (c.startsWith('ffmpeg') || c.startsWith('ffprobe')) return 'ffmpeg';
  if (c.includes('chrom')) return 'chromium'; // chromium, chrome_crashpad, chromium zygote…
  return 'other';
}

/** The root and all its descendants (but `excludePid` and its own), from one scan of /proc. */
export function processTree(rootPid: number, excludePid?: number): StatLine[] {
  const entries = readdirSync('/proc');
  const stats = entries
    .filter((e) => /^\d+$/.test(e))
    .map((e) => readStat(Number(e)))
    .filter((s): s is StatLine => s !== undefined);
  const children = new Map<number, StatLine[]>();
  let root: StatLine | undefined;
  for (const s of stats) {
    if (s.pid === rootPid) root = s;
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  if (!root) return [];
  const out: StatLine[] = [];
  const stack = [root];
  while (stack.length) {
    const s = stack.pop()!;
    if (s.pid === excludePid) continue;
    out.push(s);
    stack.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

export class ProcessSampler {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private samples = 0;
  private sampleMsTotal = 0;
  private peakTotalKb = 0;
  private readonly peakByKindKb = zero();
  private atPeakByKindKb = zero();
  private readonly maxProcs = zero();
  /** pid:starttime → [kind, first ticks seen, last ticks seen]. */
  private readonly cpu = new Map<string, { kind: ProcessKind; first: number; last: number }>();

  constructor(
    private readonly rootPid = process.pid,
    private readonly intervalMs = 200,
    /** A process left out with its descendants (the sampler's own, when it is a child of root). */
    private readonly excludePid?: number,
  ) {}

  start(): this {
    const tick = () => {
      if (this.stopped) return;
      try {
        this.sampleOnce();
      } catch {
        // a sample lost to a race with an exiting process; the next one counts
      }
      this.timer = setTimeout(tick, this.intervalMs);
    };
    tick();
    return this;
  }

  stop(): SampleReport {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.sampleOnce(); // a last sample, so CPU time up to now is counted
    const mb = (kb: number) => Math.round((kb * 1024) / 1e5) / 10;
    const cpuByKind = zero();
    for (const c of this.cpu.values()) cpuByKind[c.kind] += (c.last - c.first) / CLOCK_TICKS;
    const map = (r: Record<ProcessKind, number>, f: (v: number) => number) =>
      Object.fromEntries(PROCESS_KINDS.map((k) => [k, f(r[k])])) as Record<ProcessKind, number>;
    return {
      samples: this.samples,
      peakTotalMb: mb(this.peakTotalKb),
      peakByKindMb: map(this.peakByKindKb, mb),
      atPeakByKindMb: map(this.atPeakByKindKb, mb),
      maxProcessesByKind: { ...this.maxProcs },
      cpuSecondsByKind: map(cpuByKind, (v) => Math.round(v * 100) / 100),
      meanSampleMs: this.samples ? Math.round((this.sampleMsTotal / this.samples) * 10) / 10 : 0,
    };
  }

  /** Synchronous on purpose: run it in a process of its own (startSamplerProcess), off the event loop. */
  private sampleOnce(): void {
    const t0 = performance.now();
    const tree = processTree(this.rootPid, this.excludePid);
    const pss = tree.map((p) => readPssKb(p.pid));
    const byKind = zero();
    const count = zero();
    let total = 0;
    tree.forEach((p, i) => {
      const kind = kindOf(p, this.rootPid);
      byKind[kind] += pss[i];
      count[kind]++;
      total += pss[i];
      const key = `${p.pid}:${p.startTime}`;
      const seen = this.cpu.get(key);
      // A process first seen mid-run has spent its ticks since it started inside our window only
      // if it is younger than the sampler; we start sampling before each measured run, so a
      // process already there (the warm Chromium, node itself) counts from its first sample.
      if (seen) seen.last = p.cpuTicks;
      else this.cpu.set(key, { kind, first: this.samples === 0 ? p.cpuTicks : 0, last: p.cpuTicks });
    });
    for (const k of PROCESS_KINDS) {
      if (byKind[k] > this.peakByKindKb[k]) this.peakByKindKb[k] = byKind[k];
      if (count[k] > this.maxProcs[k]) this.maxProcs[k] = count[k];
    }
    if (total > this.peakTotalKb) {
      this.peakTotalKb = total;
      this.atPeakByKindKb = byKind;
    }
    this.samples++;
    this.sampleMsTotal += performance.now() - t0;
  }
}

export interface SamplerHandle {
  stop(): Promise<SampleReport & { samplerCpuSeconds: number }>;
}

/**
 * Runs a ProcessSampler in a child process of its own, so reading /proc (reading smaps_rollup
 * costs the kernel ~1.5 ms of CPU per 100 MB mapped) never blocks the event loop that drives the
 * render, and the sampler's own memory and CPU are not counted as the render's (in a worker
 * thread they were: ~40 MB of node's PSS). Its CPU time is reported apart (samplerCpuSeconds).
 */
export async function startSamplerProcess(rootPid = process.pid, intervalMs = 200): Promise<SamplerHandle> {
  const child = fork(new URL('./sampler-process.js', import.meta.url), [String(rootPid), String(intervalMs)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onReport!: (r: SampleReport & { samplerCpuSeconds: number }) => void;
  let onFailure!: (err: Error) => void;
  const done = new Promise<SampleReport & { samplerCpuSeconds: number }>((resolve, reject) => {
    onReport = resolve;
    onFailure = reject;
  });
  done.catch(() => undefined);
  // The first message says the first sample is taken (so what starts next is seen from its
  // beginning); the second is the report.
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: true } & SampleReport & { samplerCpuSeconds: number }) => {
      if (m.ready) resolve();
      else onReport(m);
    });
    const fail = (err: Error) => {
      reject(err);
      onFailure(err);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`sampler process exited (${code ?? signal})`)));
  });
  await ready;
  return {
    async stop() {
      child.send('stop');
      try {
        return await done;
      } finally {
        child.kill();
      }
    },
  };
}
