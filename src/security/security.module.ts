// Providers of the security controls (issue 12) that the API and the worker share. Global, so
// the HTTP controllers and the callback worker can inject them; needs DatabaseModule.
import { Global, Module } from '@nestjs/common';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

@Global()
@Module({
  providers: [WebhookSecretsRepository],
  exports: [WebhookSecretsRepository],
})
export class SecurityModule {}
