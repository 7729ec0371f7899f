// A user's own webhook secret: POST creates or rotates it and is the only answer that shows it;
// GET says whether one exists; DELETE removes it (callbacks then need WEBHOOK_SECRET again).
import { Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RateLimitGuard } from '../../security/rate-limit.js';
import { WebhookSecretsRepository } from '../../security/webhook-secrets.repository.js';
import { CurrentUser, JwtAuthGuard } from '../../auth/jwt-auth.guard.js';
import type { AuthenticatedUser } from '../../auth/token-verifier.js';

export class WebhookSecretIssued {
  /** `whsec_<base64>`: verify callbacks with it (Standard Webhooks). Shown only in this answer. */
  secret!: string;
  createdAt!: string;
}

export class WebhookSecretInfo {
  configured!: boolean;
  createdAt?: string;
}

@ApiTags('webhooks')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/webhooks/secret')
export class WebhookSecretController {
  constructor(private readonly secrets: WebhookSecretsRepository) {}

  /** Creates or rotates the caller's webhook secret; the previous one stops signing at once. */
  @Post()
  @UseGuards(RateLimitGuard)
  @HttpCode(201)
  async rotate(@CurrentUser() user: AuthenticatedUser): Promise<WebhookSecretIssued> {
    const issued = await this.secrets.rotate(user.userId);
    return { secret: issued.secret, createdAt: issued.createdAt.toISOString() };
  }

  @Get()
  async describe(@CurrentUser() user: AuthenticatedUser): Promise<WebhookSecretInfo> {
    const info = await this.secrets.describe(user.userId);
    return info ? { configured: true, createdAt: info.createdAt.toISOString() } : { configured: false };
  }

  @Delete()
  @HttpCode(200)
  async remove(@CurrentUser() user: AuthenticatedUser): Promise<{ removed: boolean }> {
    return { removed: await this.secrets.remove(user.userId) };
  }
}
