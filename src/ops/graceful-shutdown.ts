// Graceful shutdown for every role. What registerGracefulShutdown does:
//   1. app.enableShutdownHooks(signals, { useProcessExit: true }): on SIGTERM/SIGINT Nest runs
//      app.close() — onModuleDestroy → beforeApplicationShutdown → HTTP server close →
//      onApplicationShutdown — then process.exit(0). Nest's listener ignores repeated signals.
//   2. A hard deadline: graceMs + 5 s after the first signal the process exits with code 1
//      whatever is still pending (a hook that hangs, a socket that never closes). The timer is
//      unref'd: it never keeps an otherwise finished process alive.
//   3. A second signal while closing (Ctrl-C twice) exits at once with code 130/143.
// Stopping the intake of jobs and waiting up to graceMs for the running render is the worker's
// business (its onModuleDestroy/beforeApplicationShutdown: Bull `queue.close()` waits for active
// jobs); readiness turns 503 as soon as closing starts (HealthModule's ShutdownState).
// Kubernetes: set terminationGracePeriodSeconds ≥ (graceMs + 5 s) / 1000 + a little.
import { Logger, type INestApplicationContext } from '@nestjs/common';

export interface GracefulShutdownOptions {
  /** Time the app's hooks may take (e.g. the worker finishing its render). The process exits at graceMs + 5 s at the latest. */
  graceMs: number;
  /** Default ['SIGTERM', 'SIGINT']. */
  signals?: NodeJS.Signals[];
  /** Replaces process.exit (tests). */
  exit?: (code: number) => void;
}

export const SHUTDOWN_MARGIN_MS = 5_000;

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export interface GracefulShutdownHandle {
  /** Milliseconds from the first signal to the forced exit. */
  readonly deadlineMs: number;
  /** Removes the extra signal listeners (Nest's own are removed by app.close()). */
  dispose(): void;
}

export function registerGracefulShutdown(
  app: INestApplicationContext,
  { graceMs, signals = ['SIGTERM', 'SIGINT'], exit = (code) => process.exit(code) }: GracefulShutdownOptions,
): GracefulShutdownHandle {
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error(`graceMs must be a non-negative number (got ${graceMs})`);
  const logger = new Logger('Shutdown');
  const deadlineMs = graceMs + SHUTDOWN_MARGIN_MS;
  app.enableShutdownHooks(signals, { useProcessExit: true });

  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      logger.warn(`${signal} received again while shutting down: exiting now`);
      exit(SIGNAL_CODES[signal] ?? 1);
      return;
    }
    started = true;
    logger.log(`${signal} received: closing (grace ${graceMs} ms, forced exit after ${deadlineMs} ms)`);
    const timer = setTimeout(() => {
      logger.error(`shutdown did not finish within ${deadlineMs} ms: forcing exit`);
      exit(1);
    }, deadlineMs);
    timer.unref();
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    deadlineMs,
    dispose: () => {
      for (const s of signals) process.removeListener(s, onSignal);
    },
  };
}
