import { Injectable, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error.js';
import { InvalidTokenError, TokenVerifier, type AuthenticatedUser } from './token-verifier.js';

type AuthedRequest = Request & { user?: AuthenticatedUser };

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    let header = req.headers.authorization;
    // EventSource cannot send headers: the SSE endpoint alone also takes ?access_token=.
    const queryToken = req.query?.access_token;
    if (!header && typeof queryToken === 'string' && req.method === 'GET' && req.path.endsWith('/events')) {
      header = `Bearer ${queryToken}`;
    }
    if (!header) throw ApiError.unauthorized('missing Authorization: Bearer token');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw ApiError.unauthorized('Authorization header must be "Bearer <token>"');
    try {
      req.user = await this.verifier.verify(match[1]);
      return true;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw ApiError.unauthorized(err.message);
      throw err;
    }
  }
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedUser => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().user!;
});
