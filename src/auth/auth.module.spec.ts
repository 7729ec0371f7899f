// The API and the console both authenticate: they share the process's one TokenVerifier (one
// JWKS cache), provided by AuthModule, instead of each providing its own.
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadAppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { TokenVerifier } from './token-verifier.js';

@Injectable()
class ApiSide {
  constructor(
    readonly verifier: TokenVerifier,
    readonly guard: JwtAuthGuard,
  ) {}
}
@Module({ imports: [AuthModule], providers: [ApiSide], exports: [ApiSide] })
class ApiLike {}

@Injectable()
class ConsoleSide {
  constructor(
    readonly verifier: TokenVerifier,
    readonly guard: JwtAuthGuard,
  ) {}
}
@Module({ imports: [AuthModule], providers: [ConsoleSide], exports: [ConsoleSide] })
class ConsoleLike {}

describe('AuthModule', () => {
  it('gives every importing module the same TokenVerifier and guard', async () => {
    const config = loadAppConfig({
      JWT_SECRET: 'EcgRenderTestSecret0123456789abcdefABCDEF',
      URL_SIGNING_SECRET: 'EcgRenderTestUrlSigning0123456789abcdefXYZ',
    });
    const ref = await Test.createTestingModule({ imports: [ConfigModule.forApp(config), ApiLike, ConsoleLike] }).compile();
    const api = ref.get(ApiSide);
    const console = ref.get(ConsoleSide);
    expect(api.verifier).toBeInstanceOf(TokenVerifier);
    expect(console.verifier).toBe(api.verifier);
    expect(console.guard).toBe(api.guard);
    await ref.close();
  });
});
