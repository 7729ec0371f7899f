// One Redis connection for the security controls (stream tickets, rate limits): opened on first
// use, closed at shutdown. Keys live under `${QUEUE_PREFIX}:sec:` so a test prefix isolates them.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';

@Injectable()
export class SecurityRedis implements OnApplicationShutdown {
  private redis?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get client(): Redis {
    this.redis ??= new Redis(this.config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
    return this.redis;
  }

  key(...parts: string[]): string {
    return [this.config.queuePrefix, 'sec', ...parts].join(':');
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
