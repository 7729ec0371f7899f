// Bearer-token authentication for the public API and the console: the process's one TokenVerifier
// (one JWKS cache) and the guard that uses it. Imported by HttpApiModule and ConsoleModule.
import { Module } from '@nestjs/common';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { TokenVerifier } from './token-verifier.js';

/** Needs APP_CONFIG (ConfigModule); the guard takes SSE tickets when SecurityModule is in scope. */
@Module({ providers: [TokenVerifier, JwtAuthGuard], exports: [TokenVerifier, JwtAuthGuard] })
export class AuthModule {}
