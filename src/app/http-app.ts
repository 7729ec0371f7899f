// HTTP set-up shared by main.ts and the e2e tests: CORS, body limits, the error envelope,
// validation, Swagger.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config.js';
import swaggerMetadata from '../swagger-metadata.js';
import { ApiExceptionFilter } from '../http/errors/api-exception.filter.js';
import { createValidationPipe } from '../http/validation.js';

export async function configureHttpApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // The scenario rides in the JSON body: room for the largest accepted scenario, no more.
  app.useBodyParser('json', { limit: config.limits.maxScenarioBytes + 64 * 1024 });
  app.enableCors({
    origin: config.http.corsOrigins.length ? config.http.corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Content-Disposition', 'Content-Length'],
    maxAge: 600,
  });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  // Docs only when asked for (DOCS_ENABLED): they map every route for whoever can reach the port.
  if (config.mode !== 'worker' && config.security.docsEnabled) {
    // DTO schemas and descriptions come from the @nestjs/swagger CLI plugin (npm run swagger:metadata).
    await SwaggerModule.loadPluginMetadata(swaggerMetadata);
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('ECG Render API')
        .setDescription('Burns MotionText captions into videos. Errors: {"detail": {"error", "message", "code", "details"?}}.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  }
}
