import { Module, type DynamicModule } from '@nestjs/common';
import { BrowserPoolModule } from '../browser-pool/browser-pool.module.js';
import type { EngineConfig } from '../config/app-config.js';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { EncoderProbe } from '../encoder/encoder-probe.js';
import { FontsModule } from '../fonts/fonts.module.js';
import { EncoderModule } from '../encoder/encoder.module.js';
import { ENCODER_OPTIONS, type EncoderOptions } from '../encoder/encoder.options.js';
import { MediaProbe } from '../encoder/media-probe.js';
import { RenderEngine } from './render-engine.service.js';
import { StreamingPipeline } from './streaming-pipeline.js';

/** The encoder module, configured from the validated engine configuration. */
const ConfiguredEncoderModule: DynamicModule = {
  module: EncoderModule,
  providers: [
    {
      provide: ENCODER_OPTIONS,
      inject: [ENGINE_CONFIG],
      useFactory: (c: EngineConfig): EncoderOptions => ({
        preferred: c.encoder,
        ffmpegPath: c.ffmpegPath,
        ffprobePath: c.ffprobePath,
        nvencMaxSessions: c.nvencMaxSessions,
      }),
    },
    MediaProbe,
    EncoderProbe,
  ],
  exports: [ENCODER_OPTIONS, MediaProbe, EncoderProbe],
};

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
