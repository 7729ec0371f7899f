// Bearer JWTs: HS256 with a shared secret, or an issuer's JWKS. `sub` is the user id.
// Policy (issue 12 #4): exp and iat are required, a token older than JWT_MAX_AGE_SECONDS is
// refused whatever its exp, iat in the future beyond the skew is refused; with JWKS, issuer and
// audience are required (at boot). Dev tokens (#3) carry sub `dev:<name>` and the dev issuer: a
// `dev:` subject is accepted only from a dev token while dev tokens are enabled.
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';

export interface AuthenticatedUser {
  userId: string;
}

export class InvalidTokenError extends Error {}

/** Issuer of the tokens POST /api/dev/token mints; `sub` of such a token is `dev:<name>`. */
export const DEV_TOKEN_ISSUER = 'urn:ecg-render:dev-token';
export const DEV_SUBJECT_PREFIX = 'dev:';

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
      clockTolerance: this.config.security.jwtClockSkewSeconds,
      maxTokenAge: this.config.security.jwtMaxAgeSeconds,
      requiredClaims: ['exp', 'iat'],
    };
    try {
      const { payload } = this.jwks
        ? await jwtVerify(token, this.jwks, { ...options, algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'] })
        : await jwtVerify(token, this.secret!, { ...options, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 200) {
        throw new InvalidTokenError('token has no usable "sub" claim');
      }
      const devSubject = payload.sub.startsWith(DEV_SUBJECT_PREFIX);
      const devIssuer = payload.iss === DEV_TOKEN_ISSUER;
      if (devSubject !== devIssuer || (devSubject && !this.config.auth.allowDevTokens)) {
        throw new InvalidTokenError('"dev:" subjects belong to dev tokens, which this service does not accept');
      }
      return { userId: payload.sub };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JWTExpired) {
        throw new InvalidTokenError(
          err.claim === 'iat' ? `token is older than ${this.config.security.jwtMaxAgeSeconds} s (iat)` : 'token expired',
        );
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) throw new InvalidTokenError('token signature is invalid');
      if (err instanceof errors.JWTClaimValidationFailed) {
        throw new InvalidTokenError(
          err.reason === 'missing' ? `token has no "${err.claim}" claim` : `token claim "${err.claim}" is invalid`,
        );
      }
      throw new InvalidTokenError('malformed bearer token');
    }
  }

  /** Short-lived HS256 token for `dev:<name>`: only with ALLOW_DEV_TOKENS=true and NODE_ENV=development. */
  async mintDevToken(name: string, ttlSeconds = 3600): Promise<string> {
    if (!this.config.auth.allowDevTokens || !this.secret) throw new Error('dev tokens are disabled');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(DEV_TOKEN_ISSUER)
      .setSubject(devSubject(name))
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.secret);
  }
}

/** The subject of a dev token for a typed name: never equal to a real user's id. */
export function devSubject(name: string): string {
  return `${DEV_SUBJECT_PREFIX}${name}`;
}
