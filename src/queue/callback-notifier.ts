// Enqueues callback deliveries. One Bull job per (render, event), with the webhook id as its
// job id, so a duplicate render run or a repeated cancel enqueues nothing new.
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { CALLBACK_BACKOFF_STRATEGY } from '../callbacks/callback-sender.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { buildCallbackPayload, webhookIdFor, type CallbackPayloadInput } from '../callbacks/callback-payload.js';
import { CALLBACK_JOB, CALLBACK_JOB_OPTIONS, CALLBACK_QUEUE, bullJobId } from './queue.constants.js';

export interface CallbackJobData {
  url: string;
  webhookId: string;
  payload: ReturnType<typeof buildCallbackPayload>;
  /** For completed renders: the download URL is minted when the callback is sent, not queued. */
  outputKey?: string;
}

/** The events a callback is sent for. */
export type CallbackEvent = 'progress-25' | 'progress-50' | 'progress-75' | 'completed' | 'failed' | 'cancelled';

@Injectable()
export class CallbackNotifier {
  private readonly logger = new Logger(CallbackNotifier.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(CALLBACK_QUEUE) private readonly queue: Queue<CallbackJobData>,
  ) {}

  async notify(
    callbackUrl: string | null | undefined,
    event: CallbackEvent,
    input: Omit<CallbackPayloadInput, 'timestamp'>,
    outputKey?: string,
  ): Promise<void> {
    if (!callbackUrl) return;
    const webhookId = webhookIdFor(input.jobId, event);
    const data: CallbackJobData = { url: callbackUrl, webhookId, payload: buildCallbackPayload(input), outputKey };
    try {
      await this.queue.add(CALLBACK_JOB, data, {
        ...CALLBACK_JOB_OPTIONS,
        jobId: bullJobId({ kind: 'callback', webhookId }),
        attempts: this.config.callbacks.maxAttempts,
        backoff: { type: CALLBACK_BACKOFF_STRATEGY },
      });
    } catch (err) {
      // A callback is a notification: losing Redis must not fail the render it reports on.
      this.logger.warn(`could not enqueue callback ${webhookId}: ${(err as Error).message}`);
    }
  }
}
