// Short-lived tokens for the console's "dev token" button. Mounted only when ALLOW_DEV_TOKENS=true,
// which start-up accepts only with NODE_ENV=development; otherwise these routes do not exist (404).
// Even then they answer only requests made on this machine (loopback socket, no proxy headers),
// and mint `dev:<name>` subjects, which no real user id can equal (token-verifier.ts).
import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { isIP } from 'node:net';
import { devSubject, TokenVerifier } from '../auth/token-verifier.js';
import { ApiError, ERROR_CODES } from '../http/errors/api-error.js';
import { RateLimitGuard } from '../security/rate-limit.js';
import { DevTokenRequestDto, DevTokenResponse } from './console.dto.js';

export const DEV_TOKEN_TTL_SECONDS = 3600;

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** A request made on this machine: loopback socket and no sign of having passed a proxy. */
export function isLocalRequest(req: Request): boolean {
  const proxied = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host'].some((h) => req.headers[h] !== undefined);
  return !proxied && isLoopbackAddress(req.socket.remoteAddress);
}

function requireLocal(req: Request): void {
  if (!isLocalRequest(req)) {
    throw new ApiError(
      HttpStatus.FORBIDDEN,
      ERROR_CODES.FORBIDDEN,
      'dev tokens are only issued to requests from this machine (loopback, not proxied)',
    );
  }
}

@ApiTags('dev')
@UseGuards(RateLimitGuard)
@Controller('api/dev/token')
export class DevTokenController {
  constructor(private readonly tokens: TokenVerifier) {}

  /** 200 when dev tokens are enabled (the route is absent, 404, otherwise). */
  @Get()
  enabled(@Req() req: Request): { enabled: true; ttlSeconds: number } {
    requireLocal(req);
    return { enabled: true, ttlSeconds: DEV_TOKEN_TTL_SECONDS };
  }

  /** Mints an HS256 token for `dev:<userId>`, valid one hour. Development, loopback only. */
  @Post()
  @HttpCode(201)
  async mint(@Req() req: Request, @Body() body: DevTokenRequestDto): Promise<DevTokenResponse> {
    requireLocal(req);
    const token = await this.tokens.mintDevToken(body.userId, DEV_TOKEN_TTL_SECONDS);
    return { token, userId: devSubject(body.userId), expiresAt: new Date(Date.now() + DEV_TOKEN_TTL_SECONDS * 1000).toISOString() };
  }
}
