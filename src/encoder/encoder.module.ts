import { type DynamicModule, Module } from '@nestjs/common';
import { EncoderProbe } from './encoder-probe.js';
import { ENCODER_OPTIONS, type EncoderOptions, encoderOptionsFromEnv } from './encoder.options.js';
import { MediaProbe } from './media-probe.js';

/**
 * MediaProbe (the ffprobe gate) and EncoderProbe (NVENC or libx264). `EncoderModule` alone reads
 * ECG_RENDER_ENCODER / FFMPEG_PATH / FFPROBE_PATH; `EncoderModule.forRoot(options)` takes them
 * explicitly. FfmpegProcess and the ffmpeg-args builders are plain exports, not providers.
 */
@Module({
  providers: [{ provide: ENCODER_OPTIONS, useFactory: () => encoderOptionsFromEnv() }, MediaProbe, EncoderProbe],
  exports: [ENCODER_OPTIONS, MediaProbe, EncoderProbe],
})
export class EncoderModule {
  static forRoot(options: EncoderOptions): DynamicModule {
    return {
      module: EncoderModule,
      providers: [{ provide: ENCODER_OPTIONS, useValue: options }, MediaProbe, EncoderProbe],
      exports: [ENCODER_OPTIONS, MediaProbe, EncoderProbe],
    };
  }
}
