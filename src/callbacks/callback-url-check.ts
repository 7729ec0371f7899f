// What the API checks of a callbackUrl when it creates a job, without the sender: the address
// policy the sender's guarded fetcher applies again at send time, and whether callbacks can be
// signed without the user's own secret.
import { Inject, Injectable } from '@nestjs/common';
import { GuardedFetcher } from '../net/guarded-fetcher.js';
import { CALLBACK_SENDER_OPTIONS, type CallbackSenderOptions } from './callback-sender.js';

@Injectable()
export class CallbackUrlCheck {
  constructor(
    private readonly fetcher: GuardedFetcher,
    @Inject(CALLBACK_SENDER_OPTIONS) private readonly options: Pick<CallbackSenderOptions, 'secret'>,
  ) {}

  /** Scheme and literal addresses, no network (DNS names are checked when connecting); throws when refused. */
  assertAllowed(url: string): void {
    this.fetcher.assertUrlAllowed(url);
  }

  /** True when callbacks can be signed without a per-user secret (WEBHOOK_SECRET is set). */
  get hasServiceSecret(): boolean {
    return this.options.secret !== undefined;
  }
}
