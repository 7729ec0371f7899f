import { Module } from '@nestjs/common';
import { BrowserPool } from './browser-pool.service.js';

/** Needs ENGINE_CONFIG from the root module (see src/config). */
@Module({ providers: [BrowserPool], exports: [BrowserPool] })
export class BrowserPoolModule {}
