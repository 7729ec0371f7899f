import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FontsModule } from '../fonts/fonts.module.js';
import { QueueProducersModule } from '../queue/queue-producers.module.js';
import { PreflightController } from './preflight/preflight.controller.js';
import { RenderApiService } from './render/render-api.service.js';
import { RenderController } from './render/render.controller.js';
import { RenderEventsService } from './render/render-events.service.js';
import { LocalFilesController } from './uploads/local-files.controller.js';
import { UploadsController } from './uploads/uploads.controller.js';
import { WebhookSecretController } from './webhooks/webhook-secret.controller.js';
import { rateLimitModule } from '../security/rate-limit.js';

/** The public HTTP API (api and standalone roots). Needs CoreModule. */
@Module({})
export class HttpApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HttpApiModule,
      // rate limits (global ThrottlerModule, Redis-backed), used by RateLimitGuard here and in the console
      imports: [AuthModule, QueueProducersModule, FontsModule, rateLimitModule(config)],
      controllers: [
        RenderController,
        PreflightController,
        UploadsController,
        WebhookSecretController,
        // Signed local URLs are served by the API only when results are stored on local disk.
        ...(config.storage.driver === 'local' ? [LocalFilesController] : []),
      ],
      providers: [RenderApiService, RenderEventsService],
    };
  }
}
