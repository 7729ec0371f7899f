// Bearer JWTs: HS256 with a shared secret, or an issuer's JWKS. `sub` is the user id.
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';

export interface AuthenticatedUser {
  userId: string;
}

export class InvalidTokenError extends Error {}

@Injectable()
export class TokenVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: JWTVerifyGetKey;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { jwtSecret, jwksUrl } = config.auth;
    if (jwtSecret) this.secret = new TextEncoder().encode(jwtSecret);
    if (jwksUrl) this.jwks = createRemoteJWKSet(new URL(jwksUrl));
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) throw new InvalidTokenError('malformed bearer token');
    const options = {
      issuer: this.config.auth.issuer,
      audience: this.config.auth.audience,
      clockTolerance: 5,
    };
    try {
      const { payload } = this.jwks
        ? await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'] })
        : await jwtVerify(token, this.secret!, { ...options, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 200) {
        throw new InvalidTokenError('token has no usable "sub" claim');
      }
      return { userId: payload.sub };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JWTExpired) throw new InvalidTokenError('token expired');
      if (err instanceof errors.JWSSignatureVerificationFailed) throw new InvalidTokenError('token signature is invalid');
      if (err instanceof errors.JWTClaimValidationFailed) throw new InvalidTokenError(`token claim "${err.claim}" is invalid`);
      throw new InvalidTokenError('malformed bearer token');
    }
  }

  /** Short-lived HS256 token for a user name: only when ALLOW_DEV_TOKENS=true (never in production). */
  async mintDevToken(userId: string, ttlSeconds = 3600): Promise<string> {
    if (!this.config.auth.allowDevTokens || !this.secret) throw new Error('dev tokens are disabled');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.secret);
  }
}
