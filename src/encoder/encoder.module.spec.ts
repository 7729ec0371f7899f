import { Test } from '@nestjs/testing';
import { EncoderProbe } from './encoder-probe.js';
import { EncoderModule } from './encoder.module.js';
import { MediaProbe } from './media-probe.js';

describe('EncoderModule', () => {
  it('provides MediaProbe and EncoderProbe, with options from forRoot', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EncoderModule.forRoot({ preferred: 'x264' })] }).compile();
    expect(moduleRef.get(MediaProbe)).toBeInstanceOf(MediaProbe);
    expect(await moduleRef.get(EncoderProbe).select()).toEqual({ encoder: 'libx264', reason: 'forced by configuration' });
    await moduleRef.close();
  });

  it('works without options (environment defaults)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EncoderModule] }).compile();
    expect(moduleRef.get(EncoderProbe)).toBeInstanceOf(EncoderProbe);
    await moduleRef.close();
  });
});
