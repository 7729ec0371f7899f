// Short-lived tokens for the console's "dev token" button. Mounted only when ALLOW_DEV_TOKENS=true
// (refused in production by the configuration): otherwise these routes do not exist (404).
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TokenVerifier } from '../http/auth/token-verifier.js';
import { DevTokenRequestDto, DevTokenResponse } from './console.dto.js';

export const DEV_TOKEN_TTL_SECONDS = 3600;

@ApiTags('dev')
@Controller('api/dev/token')
export class DevTokenController {
  constructor(private readonly tokens: TokenVerifier) {}

  /** 200 when dev tokens are enabled (the route is absent, 404, otherwise). */
  @Get()
  enabled(): { enabled: true; ttlSeconds: number } {
    return { enabled: true, ttlSeconds: DEV_TOKEN_TTL_SECONDS };
  }

  /** Mints an HS256 token for `userId`, valid one hour. Development only. */
  @Post()
  @HttpCode(201)
  async mint(@Body() body: DevTokenRequestDto): Promise<DevTokenResponse> {
    const token = await this.tokens.mintDevToken(body.userId, DEV_TOKEN_TTL_SECONDS);
    return { token, userId: body.userId, expiresAt: new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString() };
  }
}
