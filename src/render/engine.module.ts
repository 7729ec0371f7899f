import { Module } from '@nestjs/common';
import { BrowserPoolModule } from '../browser-pool/browser-pool.module.js';
import { EncoderModule } from '../encoder/encoder.module.js';
import { RenderEngine } from './render-engine.service.js';
import { StreamingPipeline } from './streaming-pipeline.js';

/**
 * The render engine: browser pool, encoder, streaming pipeline. Shared by the command line and
 * the worker; needs ConfigModule (ENGINE_CONFIG) from the root.
 */
@Module({
  imports: [BrowserPoolModule, EncoderModule],
  providers: [StreamingPipeline, RenderEngine],
  exports: [RenderEngine, StreamingPipeline, EncoderModule, BrowserPoolModule],
})
export class EngineModule {}
