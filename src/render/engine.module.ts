import { Module, type DynamicModule } from '@nestjs/common';
import { BrowserPoolModule } from '../browser-pool/browser-pool.module.js';
import { FontsModule } from '../fonts/fonts.module.js';
import { EncoderModule } from '../encoder/encoder.module.js';
import { RenderEngine } from './render-engine.service.js';
import { StreamingPipeline } from './streaming-pipeline.js';

/** The encoder module, configured from the validated engine configuration. */
const ConfiguredEncoderModule: DynamicModule = EncoderModule.forConfig();

/**
 * The render engine: browser pool, encoder, streaming pipeline. Shared by the command line and
 * the worker; needs ConfigModule (ENGINE_CONFIG) from the root.
 */
@Module({
  imports: [BrowserPoolModule, ConfiguredEncoderModule, FontsModule],
  providers: [StreamingPipeline, RenderEngine],
  exports: [RenderEngine, StreamingPipeline, ConfiguredEncoderModule, BrowserPoolModule, FontsModule],
})
export class EngineModule {}
