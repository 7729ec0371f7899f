// Stream tickets (issue 12 #9): EventSource cannot send an Authorization header, and a bearer
// token in the query string lands in proxy logs and browser history. The client trades its token
// for a ticket (POST /api/render/:id/events/ticket) that opens that job's stream once, within
// SSE_TICKET_TTL_SECONDS. Only a hash of the ticket is stored; GETDEL makes it single-use.
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { SecurityRedis } from './security-redis.js';

export const SSE_TICKET_TTL_SECONDS = 60;

const hash = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

@Injectable()
export class SseTicketService {
  constructor(private readonly redis: SecurityRedis) {}

  async issue(userId: string, jobId: string): Promise<{ ticket: string; expiresAt: Date }> {
    const ticket = randomBytes(32).toString('base64url');
    await this.redis.client.set(this.redis.key('sse', hash(ticket)), JSON.stringify({ userId, jobId }), 'EX', SSE_TICKET_TTL_SECONDS);
    return { ticket, expiresAt: new Date(Date.now() + SSE_TICKET_TTL_SECONDS * 1000) };
  }

  /** The ticket's user when it is valid for this job; it is consumed whatever the answer. */
  async redeem(ticket: string, jobId: string): Promise<string | null> {
    if (!/^[\w-]{43}$/.test(ticket)) return null;
    const raw = await this.redis.client.getdel(this.redis.key('sse', hash(ticket)));
    if (!raw) return null;
    const data = JSON.parse(raw) as { userId: string; jobId: string };
    return data.jobId === jobId ? data.userId : null;
  }
}
