import { Test } from '@nestjs/testing';
import { loadEngineConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { EncoderProbe } from './encoder-probe.js';
import { EncoderModule } from './encoder.module.js';
import { ENCODER_OPTIONS } from './encoder.options.js';
import { MediaProbe } from './media-probe.js';

describe('EncoderModule', () => {
  it('provides MediaProbe and EncoderProbe, with options from forRoot', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EncoderModule.forRoot({ preferred: 'x264' })] }).compile();
    expect(moduleRef.get(MediaProbe)).toBeInstanceOf(MediaProbe);
    expect(await moduleRef.get(EncoderProbe).select()).toEqual({ encoder: 'libx264', reason: 'forced by configuration' });
    await moduleRef.close();
  });

  it('forConfig takes the options from the validated engine configuration (ENCODER)', async () => {
    const engine = loadEngineConfig({ ENCODER: 'x264', FFPROBE_PATH: '/opt/ffprobe' });
    const moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forEngine(engine), EncoderModule.forConfig()] }).compile();
    expect(await moduleRef.get(EncoderProbe).select()).toEqual({ encoder: 'libx264', reason: 'forced by configuration' });
    expect(moduleRef.get(ENCODER_OPTIONS)).toMatchObject({ preferred: 'x264', ffprobePath: '/opt/ffprobe' });
    await moduleRef.close();
  });
});
