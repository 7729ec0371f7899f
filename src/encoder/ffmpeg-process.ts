import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { FfmpegError } from './errors.js';

/** How long a failed write waits for ffmpeg's exit (status, stderr) before rejecting without it. */
const EXIT_WAIT_ON_WRITE_ERROR_MS = 2000;

export interface FfmpegProgress {
  /** Frames written to the output so far (ffmpeg's `frame=`). */
  frame: number;
  /** Output time in seconds, when ffmpeg reported it. */
  outTimeSec?: number;
  /** ffmpeg's `speed=`, e.g. 1.25 (×realtime), when known. */
  speed?: number;
  /** True on ffmpeg's final report (`progress=end`). */
  done: boolean;
}

export interface FfmpegStartOptions {
  signal?: AbortSignal;
  /** Called on each `-progress` report (needs `-progress pipe:1` in args, as the builders emit). */
  onProgress?: (progress: FfmpegProgress) => void;
  ffmpegPath?: string;
  /** Lines of stderr kept for FfmpegError. Default 20. */
  stderrLines?: number;
}

const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave an ffmpeg behind when node exits (its stdin would hold it in a half-written file).
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Number of ffmpeg processes started by FfmpegProcess that have not exited yet. */
export function liveFfmpegProcessCount(): number {
  return live.size;
}

/**
 * One running ffmpeg, fed on stdin. Thin: owns the process and its pipes, nothing else.
 *
 *   const ff = FfmpegProcess.start(buildCompositeArgs(...), { signal, onProgress });
 *   for (const png of frames) await ff.write(png);   // honours backpressure
 *   await ff.finish();                                // rejects with FfmpegError on failure
 *
 * Any failure (abort, write error, ffmpeg dying, finish rejecting) leaves no process running:
 * abort and kill() send SIGKILL; node reaps the child when it exits.
 */
export class FfmpegProcess extends EventEmitter<{ progress: [FfmpegProgress] }> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly tail: string[] = [];
  private readonly maxTail: number;
  private stderrRest = '';
  private stdoutRest = '';
  private readonly progressFields = new Map<string, string>();
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private spawnError?: Error;
  private readonly exited: Promise<void>;
  private killedByUs = false;
  /** Set once aborted; boxed, so the reason is thrown as given. */
  private aborted?: { reason: unknown };
  private readonly detachAbort: () => void;
  /** Last progress report seen. */
  lastProgress?: FfmpegProgress;

  private constructor(args: string[], options: FfmpegStartOptions) {
    super();
    this.maxTail = options.stderrLines ?? 20;
    this.child = spawn(options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this.child);
    installExitHook();
    if (options.onProgress) this.on('progress', options.onProgress);

    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (error) => {
        this.spawnError = error;
        live.delete(this.child);
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this.child);
        resolve();
      });
    });
    // EPIPE on stdin when ffmpeg exits early is reported through write()/finish(), not thrown.
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => this.onStderr(chunk));
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));

    const signal = options.signal;
    const onAbort = () => {
      this.aborted = { reason: signal?.reason ?? new Error('aborted') };
      void this.kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.detachAbort = () => signal?.removeEventListener('abort', onAbort);
    void this.exited.then(() => this.detachAbort());
    if (signal?.aborted) onAbort();
  }

  static start(args: string[], options: FfmpegStartOptions = {}): FfmpegProcess {
    return new FfmpegProcess(args, options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once the process has exited (or failed to start). */
  get hasExited(): boolean {
    return this.exitInfo !== undefined || this.spawnError !== undefined;
  }

  /**
   * Writes one chunk (e.g. a raw frame) to ffmpeg's stdin. Resolves once the chunk has been handed
   * to the pipe whole, so the caller may then reuse its buffer (the render pools its frames); for a
   * frame far larger than the stream's buffer that is also when ffmpeg can take more. Rejects if
   * ffmpeg has exited or exits before taking it, or on abort.
   */
  async write(chunk: Buffer | Uint8Array): Promise<void> {
    this.throwIfFinished();
    const stdin = this.child.stdin;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error | null) => {
        if (settled) return;
        settled = true;
        stdin.off('close', onGone);
        stdin.off('error', onGone);
        this.child.off('close', onGone);
        if (!err) return resolve();
        // ffmpeg closed its input: it is exiting. Let it, so the error carries its exit status and
        // last stderr lines (the reason an encoder fallback names), within a bound.
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((r) => (timer = setTimeout(r, EXIT_WAIT_ON_WRITE_ERROR_MS)));
        void Promise.race([this.exited, bound]).then(() => {
          clearTimeout(timer);
          reject(this.failure('ffmpeg stopped reading its input'));
        });
      };
      const onGone = () => settle(new Error('gone'));
      stdin.once('close', onGone);
      stdin.once('error', onGone);
      this.child.once('close', onGone);
      stdin.write(chunk, settle);
    });
  }

  /** Ends stdin and waits for ffmpeg. Resolves on exit code 0; otherwise kills (if needed) and rejects. */
  async finish(): Promise<void> {
    if (!this.child.stdin.writableEnded && !this.child.stdin.destroyed) this.child.stdin.end();
    await this.exited;
    if (this.spawnError || this.aborted || this.exitInfo?.code !== 0) {
      throw this.failure('ffmpeg failed');
    }
  }

  /** Resolves when the process has exited, whatever the outcome. */
  wait(): Promise<void> {
    return this.exited;
  }

  /** SIGKILL. Idempotent; safe after exit. Resolves when the process is gone. */
  kill(): Promise<void> {
    if (!this.hasExited && !this.killedByUs) {
      this.killedByUs = true;
      this.child.stdin.destroy();
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  /** Last lines of ffmpeg's stderr. */
  get stderrTail(): string[] {
    const rest = this.stderrRest.trim();
    return rest ? [...this.tail, rest].slice(-this.maxTail) : [...this.tail];
  }

  private throwIfFinished(): void {
    if (this.aborted) throw this.aborted.reason;
    if (this.hasExited || this.killedByUs) throw this.failure('ffmpeg is not running');
    if (this.child.stdin.writableEnded || this.child.stdin.destroyed) throw this.failure('ffmpeg stdin is closed');
  }

  private failure(message: string): Error {
    if (this.aborted) {
      const { reason } = this.aborted;
      return reason instanceof Error ? reason : new Error(String(reason));
    }
    if (this.spawnError) return new FfmpegError(`could not start ffmpeg: ${this.spawnError.message}`, null, null, []);
    const info = this.exitInfo;
    const how = info
      ? info.signal
        ? `killed by ${info.signal}${this.killedByUs ? ' (kill requested)' : ''}`
        : `exit code ${info.code}`
      : 'still running';
    return new FfmpegError(`${message} (${how})`, info?.code ?? null, info?.signal ?? null, this.stderrTail);
  }

  private onStderr(chunk: string): void {
    const lines = (this.stderrRest + chunk).split(/\r?\n|\r/);
    this.stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      const l = line.trim();
      if (!l) continue;
      this.tail.push(l.length > 2000 ? `${l.slice(0, 2000)}…` : l);
      if (this.tail.length > this.maxTail) this.tail.shift();
    }
    if (this.stderrRest.length > 8192) this.stderrRest = this.stderrRest.slice(-8192);
  }

  private onStdout(chunk: string): void {
    const lines = (this.stdoutRest + chunk).split('\n');
    this.stdoutRest = lines.pop() ?? '';
    if (this.stdoutRest.length > 8192) this.stdoutRest = '';
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      if (key !== 'progress') {
        this.progressFields.set(key, value);
        continue;
      }
      const progress = parseProgressBlock(this.progressFields, value === 'end');
      this.progressFields.clear();
      if (progress) {
        this.lastProgress = progress;
        this.emit('progress', progress);
      }
    }
  }
}

/** Turns one `-progress` block (key=value lines ending in progress=continue|end) into a report. */
export function parseProgressBlock(fields: ReadonlyMap<string, string>, done: boolean): FfmpegProgress | undefined {
  const frame = Number(fields.get('frame'));
  if (!Number.isFinite(frame)) return undefined;
  const progress: FfmpegProgress = { frame, done };
  const outUs = Number(fields.get('out_time_us') ?? fields.get('out_time_ms'));
  if (Number.isFinite(outUs) && outUs >= 0) progress.outTimeSec = outUs / 1e6;
  const speed = Number.parseFloat(fields.get('speed') ?? '');
  if (Number.isFinite(speed)) progress.speed = speed;
  return progress;
}
