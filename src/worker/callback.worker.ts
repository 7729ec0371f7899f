// Delivers callbacks from the `render-callbacks` queue: signed, never following redirects,
// retried by Bull with jittered backoff on 429/5xx/timeouts, stopped for good on 410.
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { CallbackDeliveryError, CallbackSender } from '../callbacks/callback-sender.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import type { CallbackJobData } from '../queue/callback-notifier.js';
import { CALLBACK_JOB, CALLBACK_QUEUE } from '../queue/queue.constants.js';
import { WebhookSecretsRepository } from '../security/webhook-secrets.repository.js';
import { STORAGE_DRIVER, type StorageDriver } from '../storage/storage-driver.js';
import { startProcessor } from '../queue/start-processor.js';

const CALLBACK_CONCURRENCY = 4;

@Injectable()
export class CallbackWorker implements OnApplicationBootstrap {
  private readonly logger = new Logger(CallbackWorker.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @InjectQueue(CALLBACK_QUEUE) private readonly queue: Queue<CallbackJobData>,
    private readonly sender: CallbackSender,
    // Optional: a callback-only context (tests) has no database; WEBHOOK_SECRET signs then.
    @Optional() private readonly secrets?: WebhookSecretsRepository,
  ) {}

  onApplicationBootstrap(): void {
    startProcessor(this.queue, CALLBACK_JOB, CALLBACK_CONCURRENCY, (job) => this.deliver(job), this.logger);
  }

  async deliver(job: Job<CallbackJobData>): Promise<string> {
    const { url, webhookId, outputKey } = job.data;
    const payload = { ...job.data.payload };
    if (outputKey) {
      // Minted at each attempt: a retry hours later still carries a working link.
      payload.download_url = (await this.storage.getDownloadUrl(outputKey, { ttlSeconds: this.config.storage.downloadUrlTtlSeconds })).url;
    }
    // The job owner's own secret (looked up at each attempt: a rotation applies to retries too).
    const secret = await this.secrets?.secretForJob(payload.job_id);
    const outcome = await this.sender.send(url, payload, webhookId, secret);
    if (outcome.result === 'delivered') return 'delivered';
    if (outcome.result === 'retry') throw new CallbackDeliveryError(outcome);
    // 410 (stop) or a permanent refusal (give-up): no more attempts.
    this.logger.warn(`callback ${webhookId} not delivered: ${outcome.result} (${outcome.reason})`);
    await job.discard();
    return outcome.result;
  }
}
