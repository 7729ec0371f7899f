// Providers of the security controls (issue 12) that the API and the worker share; CoreModule
// exports them to the HTTP controllers and the callback worker. Needs DatabaseModule.
import { Module } from '@nestjs/common';
import { SecurityRedis } from './security-redis.js';
import { SseTicketService } from './sse-ticket.service.js';
import { UploadGrantsRepository } from './upload-grants.repository.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

@Module({
  providers: [WebhookSecretsRepository, SecurityRedis, SseTicketService, UploadGrantsRepository],
  exports: [WebhookSecretsRepository, SecurityRedis, SseTicketService, UploadGrantsRepository],
})
export class SecurityModule {}
