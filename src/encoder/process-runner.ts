import { spawn } from 'node:child_process';

export interface RunResult {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process was SIGKILLed because it outlived `timeoutMs`. */
  timedOut: boolean;
  /** True when stdout/stderr exceeded `maxOutputBytes` and the process was killed. */
  outputOverflow: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  /** Per stream; the process is killed past it. Default 4 MiB. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

/** Runs a short-lived process to completion (no stdin), killed on timeout / abort / output overflow. */
export type ProcessRunner = (command: string, args: string[], options: RunOptions) => Promise<RunResult>;

export const runProcess: ProcessRunner = (command, args, options) =>
  new Promise<RunResult>((resolve, reject) => {
    const maxBytes = options.maxOutputBytes ?? 4 * 1024 * 1024;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let outputOverflow = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) kill();

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        outputOverflow = true;
        kill();
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes > maxBytes) {
        outputOverflow = true;
        kill();
      } else err.push(chunk);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        outputOverflow,
      });
    });
  });
