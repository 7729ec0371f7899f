import { type DynamicModule, Module } from '@nestjs/common';
import { ENGINE_CONFIG } from '../config/config.tokens.js';
import { EncoderProbe } from './encoder-probe.js';
import { ENCODER_OPTIONS, type EncoderOptions, encoderOptionsFromConfig } from './encoder.options.js';
import { MediaProbe } from './media-probe.js';

/**
 * MediaProbe (the ffprobe gate) and EncoderProbe (NVENC or libx264). `EncoderModule.forConfig()`
 * takes the options from the validated engine configuration (ENGINE_CONFIG, provided by
 * ConfigModule); `EncoderModule.forRoot(options)` takes them explicitly (tests). FfmpegProcess
 * and the ffmpeg-args builders are plain exports, not providers.
 */
@Module({})
export class EncoderModule {
  static forRoot(options: EncoderOptions): DynamicModule {
    return {
      module: EncoderModule,
      providers: [{ provide: ENCODER_OPTIONS, useValue: options }, MediaProbe, EncoderProbe],
      exports: [ENCODER_OPTIONS, MediaProbe, EncoderProbe],
    };
  }

  static forConfig(): DynamicModule {
    return {
      module: EncoderModule,
      providers: [{ provide: ENCODER_OPTIONS, inject: [ENGINE_CONFIG], useFactory: encoderOptionsFromConfig }, MediaProbe, EncoderProbe],
      exports: [ENCODER_OPTIONS, MediaProbe, EncoderProbe],
    };
  }
}
