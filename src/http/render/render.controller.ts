import {
  Body,
  Controller,
  DefaultValuePipe,
  Get,
  HttpCode,
  createParamDecorator,
  type ExecutionContext,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Sse,
  UseGuards,
  type MessageEvent,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CurrentUser, JwtAuthGuard } from '../../auth/jwt-auth.guard.js';
import type { AuthenticatedUser } from '../../auth/token-verifier.js';
import { CreateRenderDto } from './dto/create-render.dto.js';
import { CancelResponse, CreateRenderResponse, HistoryItem, RenderStatusResponse } from './dto/render-responses.dto.js';
import { RenderApiService } from './render-api.service.js';
import { RenderEventsService } from './render-events.service.js';
import { RateLimitGuard } from '../../security/rate-limit.js';
import { SseTicketService } from '../../security/sse-ticket.service.js';

export class EventsTicketResponse {
  /** Opens GET /api/render/:jobId/events?ticket=… once, within 60 s. */
  ticket!: string;
  expiresAt!: string;
  /** The stream URL with the ticket, relative to the API. */
  url!: string;
}

/** The optional Idempotency-Key header (read directly so Swagger documents it once, as optional). */
const IdempotencyKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => {
  const value = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers['idempotency-key'];
  return Array.isArray(value) ? value[0] : value;
});

@ApiTags('render')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/render')
export class RenderController {
  constructor(
    private readonly api: RenderApiService,
    private readonly events: RenderEventsService,
    private readonly tickets: SseTicketService,
  ) {}

  /** Starts a render. The same Idempotency-Key with the same body answers the same job. */
  @Post('create')
  @UseGuards(RateLimitGuard)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateRenderDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<CreateRenderResponse> {
    return this.api.create(user.userId, body, idempotencyKey);
  }

  /** The user's latest jobs, newest first. */
  @Get('history')
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Query('limit', new DefaultValuePipe(10), ParseIntPipe) limit: number,
  ): Promise<HistoryItem[]> {
    return this.api.history(user.userId, limit);
  }

  @Get(':jobId/status')
  status(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<RenderStatusResponse> {
    return this.api.status(user.userId, jobId);
  }

  /**
   * A single-use ticket that opens this job's event stream once, within 60 s:
   * `new EventSource(\`/api/render/${jobId}/events?ticket=${ticket}\`)` (no token in the URL).
   */
  @Post(':jobId/events/ticket')
  @UseGuards(RateLimitGuard)
  @HttpCode(201)
  async eventsTicket(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<EventsTicketResponse> {
    await this.api.requireJob(user.userId, jobId);
    const { ticket, expiresAt } = await this.tickets.issue(user.userId, jobId);
    return { ticket, expiresAt: expiresAt.toISOString(), url: `/api/render/${encodeURIComponent(jobId)}/events?ticket=${ticket}` };
  }

  /** Progress as Server-Sent Events (`status` events) until the job ends. EventSource passes `?ticket=` (see events/ticket). */
  @Sse(':jobId/events')
  @UseGuards(RateLimitGuard)
  async eventsStream(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<Observable<MessageEvent>> {
    await this.api.requireJob(user.userId, jobId);
    return this.events.stream(user.userId, jobId);
  }

  /** Cancels a queued or running render; a finished one answers success: false. */
  @Post(':jobId/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthenticatedUser, @Param('jobId') jobId: string): Promise<CancelResponse> {
    return this.api.cancel(user.userId, jobId);
  }
}
