// Rate limits (issue 12 #5): @nestjs/throttler, counting in Redis so every API pod shares them.
// Two throttlers on the expensive endpoints (create, uploads, parity, SSE and its ticket, dev
// tokens): per user (RATE_LIMIT_PER_MINUTE a minute, tracked by the verified `sub`) and per client
// IP (four times that). Beyond: 429 in the envelope, code RENDER_RATE_LIMITED, with Retry-After.
// The community Redis storages do not declare NestJS 12 yet, so the storage is ours: one atomic
// INCR + PEXPIRE per (route, throttler, tracker) window, on the shared SecurityRedis connection.
import { HttpStatus, Injectable, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import type { ThrottlerLimitDetail, ThrottlerStorage } from '@nestjs/throttler';

import type { AppConfig } from '../config/app-config.js';
import { ApiError, ERROR_CODES } from '../http/errors/api-error.js';
import { SecurityRedis } from './security-redis.js';

// @nestjs/throttler is CommonJS and requires @nestjs/common (ESM): loaded once @nestjs/common has
// been evaluated (a static import makes Jest's ESM runtime require it in a cycle).
const { ThrottlerGuard, ThrottlerModule } = await import('@nestjs/throttler');

const WINDOW = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}
`;

/** A fixed window per key: blocked from the (limit+1)-th hit until the window ends. */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: SecurityRedis) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    const [hits, pttl] = await this.count(this.redis.key('rl', throttlerName, key), ttl);
    const seconds = Math.max(1, Math.ceil(pttl / 1000));
    return { totalHits: hits, timeToExpire: seconds, isBlocked: hits > limit, timeToBlockExpire: seconds };
  }

  /**
   * One window's count. Redis down (or too slow) is a 503 in the envelope, fast, like the queue's
   * own outage: the limits are never skipped silently, and the caller knows to retry.
   */
  private async count(key: string, ttl: number): Promise<[number, number]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
    });
    try {
      return (await Promise.race([this.redis.client.eval(WINDOW, 1, key, String(ttl)), timeout])) as [number, number];
    } catch (err) {
      throw new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        ERROR_CODES.SERVICE_UNAVAILABLE,
        `rate limits cannot be checked (Redis: ${(err as Error).message}); try again shortly`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

/** How long a rate-limit count may take before the request is answered 503. */
const REDIS_TIMEOUT_MS = 500;

type Req = { user?: { userId: string }; ip?: string; socket?: { remoteAddress?: string } };

/** Throttles after JwtAuthGuard (list it second in @UseGuards), so the user throttler knows `sub`. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const who = detail.tracker.startsWith('user:') ? 'this user' : 'this address';
    throw new ApiError(
      HttpStatus.TOO_MANY_REQUESTS,
      ERROR_CODES.RATE_LIMITED,
      `too many requests from ${who}: ${detail.limit} per ${Math.round(detail.ttl / 1000)} s on this endpoint; retry in ${detail.timeToBlockExpire} s`,
      { retryAfterSeconds: detail.timeToBlockExpire },
    );
  }
}

export function rateLimitModule(config: AppConfig): DynamicModule {
  const perMinute = config.security.rateLimitPerMinute;
  return ThrottlerModule.forRootAsync({
    inject: [SecurityRedis],
    useFactory: (redis: SecurityRedis) => ({
      storage: new RedisThrottlerStorage(redis),
      throttlers: [
        {
          name: 'user',
          ttl: 60_000,
          limit: perMinute,
          skipIf: (ctx: ExecutionContext) => !ctx.switchToHttp().getRequest<Req>().user,
          getTracker: (req: Req) => `user:${req.user!.userId}`,
        },
        {
          name: 'ip',
          ttl: 60_000,
          limit: perMinute * 4,
          getTracker: (req: Req) => `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`,
        },
      ],
    }),
  });
}
