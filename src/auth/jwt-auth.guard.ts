import { Injectable, Optional, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiError } from '../http/errors/api-error.js';
import { SseTicketService } from '../security/sse-ticket.service.js';
import { InvalidTokenError, TokenVerifier, type AuthenticatedUser } from './token-verifier.js';

type AuthedRequest = Request & { user?: AuthenticatedUser };

@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    @Optional() private readonly tickets?: SseTicketService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    // EventSource cannot send headers: the SSE endpoint alone takes a single-use ?ticket= (from
    // POST /api/render/:id/events/ticket). A bearer token is never accepted in the query.
    const ticket = req.query?.ticket;
    const jobId = (req.params as Record<string, string> | undefined)?.jobId;
    if (!header && typeof ticket === 'string' && req.method === 'GET' && req.path.endsWith('/events') && jobId && this.tickets) {
      const userId = await this.tickets.redeem(ticket, jobId);
      if (!userId) throw ApiError.unauthorized('stream ticket is invalid, expired, used, or for another job');
      req.user = { userId };
      return true;
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
