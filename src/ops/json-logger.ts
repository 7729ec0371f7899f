// JSON logs: one JSON object per line on stdout (pino), with level, time, context, msg and the
// jobId of the render being processed when there is one. `withJobContext(jobId, fn)` puts the
// jobId into an AsyncLocalStorage, so every log line written anywhere inside that job's async
// flow (Nest `Logger` instances included) carries it without passing it around.
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export interface JobLogContext {
  jobId: string;
  /** Extra fields stamped on every log line of the job (e.g. attempt, workerId). */
  fields?: Record<string, unknown>;
}

const jobContext = new AsyncLocalStorage<JobLogContext>();

/**
 * Runs `fn` with `jobId` as the log context of its whole async flow (awaits, timers, callbacks,
 * promises created inside). Returns what `fn` returns. Nested calls override the outer jobId.
 */
export function withJobContext<T>(jobId: string, fn: () => T, fields?: Record<string, unknown>): T {
  return jobContext.run({ jobId, fields }, fn);
}

/** The jobId of the current async flow, if inside `withJobContext`. */
export function currentJobId(): string | undefined {
  return jobContext.getStore()?.jobId;
}

// Nest level → pino level. Nest's `verbose` is below `debug`.
const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const NEST_ORDER: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

export interface JsonLoggerOptions {
  /** Minimum Nest level written. Default: LOG_LEVEL env (verbose|debug|log|info|warn|error|fatal) or `log`. */
  level?: LogLevel;
  /** Where lines go. Default: stdout (pino's synchronous sonic-boom on fd 1). */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ mode: 'worker', pod: HOSTNAME }`). */
  base?: Record<string, unknown>;
}

/** Field names the logger owns; an object message cannot overwrite them. */
const RESERVED = new Set(['level', 'time', 'pid', 'hostname']);

/**
 * Nest `LoggerService` over pino. Accepts what Nest's loggers pass:
 *  - `log('text', 'Context')`, `error('text', stack, 'Context')`, `error(err)`
 *  - an object message: `log({ msg: 'frame batch', jobId, frames: 30 }, 'Context')` — its fields
 *    become top-level JSON fields (`message` is accepted as an alias of `msg`).
 * Lines look like `{"level":"info","time":"2026-…Z","pid":1,"context":"Worker","jobId":"…","msg":"…"}`.
 */
export class JsonLogger implements LoggerService {
  readonly pino: PinoLogger;

  constructor(options: JsonLoggerOptions = {}) {
    const level = options.level ?? levelFromEnv(process.env.LOG_LEVEL) ?? 'log';
    this.pino = pino(
      {
        level: PINO_LEVEL[level],
        base: { pid: process.pid, ...(options.base ?? {}) },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        // Read at write time, so it follows the async flow of the caller.
        mixin: () => {
          const store = jobContext.getStore();
          return store ? { ...(store.fields ?? {}), jobId: store.jobId } : {};
        },
        // The object's own jobId (explicit) wins over the async context's.
        mixinMergeStrategy: (mergeObject, mixinObject) => ({ ...mixinObject, ...mergeObject }),
      },
      options.destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('log', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('verbose', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  /** Nest calls this with the enabled levels (`app.useLogger` / `logger: [...]`): keep the lowest. */
  setLogLevels(levels: LogLevel[]): void {
    const lowest = NEST_ORDER.find((l) => levels.includes(l));
    this.pino.level = lowest ? PINO_LEVEL[lowest] : 'silent';
  }

  /** Flushes buffered lines (a no-op for the default synchronous stdout). */
  flush(): void {
    this.pino.flush();
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const pinoLevel = PINO_LEVEL[level];
    if (!this.pino.isLevelEnabled(pinoLevel)) return;
    const args = [...params];
    const fields: Record<string, unknown> = {};
    // Nest appends the Logger instance's context as the last argument (a string).
    if (args.length > 0 && typeof args[args.length - 1] === 'string' && !(level === 'error' && args.length === 1 && isStack(args[0]))) {
      fields.context = args.pop();
    }
    if (level === 'error' || level === 'fatal') {
      // error(message, stack?, context?) — Nest passes `undefined` for a missing stack.
      if (args.length > 0 && (args[0] === undefined || isStack(args[0]))) {
        const stack = args.shift();
        if (stack !== undefined) fields.stack = stack;
      }
    }
    let msg: string | undefined;
    if (message instanceof Error) {
      msg = message.message;
      fields.err = message; // pino's err serializer: type, message, stack, cause, own fields
    } else if (message !== null && typeof message === 'object') {
      for (const [k, v] of Object.entries(message as Record<string, unknown>)) {
        if (k === 'msg' || k === 'message') msg = v === undefined ? undefined : typeof v === 'string' ? v : inspect(v);
        else if (!RESERVED.has(k)) fields[k] = v instanceof Error && k !== 'err' ? serializeError(v) : v;
      }
    } else {
      msg = typeof message === 'string' ? message : String(message);
    }
    // Anything else Nest was given (`logger.log('a', 'b', 'Ctx')`) is kept, not dropped.
    if (args.length > 0) fields.params = args.map((a) => (a instanceof Error ? serializeError(a) : a));
    this.pino[pinoLevel](fields, msg);
  }
}

function isStack(v: unknown): boolean {
  return typeof v === 'string' && /^(.)+\n\s+at .+:\d+:\d+/.test(v);
}

function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.cause instanceof Error) out.cause = serializeError(err.cause);
  return out;
}

function levelFromEnv(raw: string | undefined): LogLevel | undefined {
  const v = raw?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'info') return 'log';
  if (v === 'trace') return 'verbose';
  return (NEST_ORDER as string[]).includes(v) ? (v as LogLevel) : undefined;
}

/**
 * LOG_FORMAT=pretty: Nest's ConsoleLogger (colours, human timestamps) — and the current jobId is
 * shown after the context, `[Worker] [job 4f…]`.
 */
export class PrettyLogger extends ConsoleLogger {
  protected formatContext(context: string): string {
    const base = super.formatContext(context);
    const jobId = currentJobId();
    return jobId ? `${base}[job ${jobId}] ` : base;
  }
}

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT, else `json` when NODE_ENV=production, `pretty` otherwise. */
export function resolveLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const raw = env.LOG_FORMAT?.trim().toLowerCase();
  if (raw === 'json' || raw === 'pretty') return raw;
  if (raw) throw new Error(`LOG_FORMAT must be json or pretty (got '${env.LOG_FORMAT}')`);
  return env.NODE_ENV === 'production' ? 'json' : 'pretty';
}

/**
 * The application logger for `NestFactory.create(Root, { logger: createAppLogger() })`.
 * LOG_LEVEL (verbose|debug|log/info|warn|error|fatal, default log) sets the minimum level.
 */
export function createAppLogger(env: NodeJS.ProcessEnv = process.env, base?: Record<string, unknown>): LoggerService {
  const level = levelFromEnv(env.LOG_LEVEL) ?? 'log';
  if (resolveLogFormat(env) === 'json') return new JsonLogger({ level, base });
  const levels = NEST_ORDER.slice(NEST_ORDER.indexOf(level));
  return new PrettyLogger({ logLevels: levels });
}
