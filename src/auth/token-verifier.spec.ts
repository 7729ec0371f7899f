// Issue 12 #3 and #4: the token policy, on real HS256 tokens signed with jose.
import { SignJWT } from 'jose';
import { loadAppConfig } from '../config/app-config.js';
import { DEV_TOKEN_ISSUER, InvalidTokenError, TokenVerifier } from './token-verifier.js';

const JWT = 'EcgRenderTestSecret0123456789abcdefABCDEF';
const base = { JWT_SECRET: JWT, URL_SIGNING_SECRET: 'EcgRenderTestUrlSigning0123456789abcdefXYZ' };
const key = new TextEncoder().encode(JWT);
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: { sub?: string; iat?: number; exp?: number; iss?: string }): Promise<string> {
  const jwt = new SignJWT({ ...(claims.iss ? { iss: claims.iss } : {}) }).setProtectedHeader({ alg: 'HS256' });
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}

async function reason(v: TokenVerifier, token: string): Promise<string> {
  try {
    await v.verify(token);
    return 'accepted';
  } catch (err) {
    if (err instanceof InvalidTokenError) return err.message;
    throw err;
  }
}

describe('JWT policy (item 4)', () => {
  const v = new TokenVerifier(loadAppConfig({ ...base, JWT_MAX_AGE_SECONDS: '3600', JWT_CLOCK_SKEW_SECONDS: '30' }));

  it('accepts a fresh token with iat and exp', async () => {
    expect(await reason(v, await sign({ sub: 'alice', iat: now(), exp: now() + 600 }))).toBe('accepted');
  });

  it('refuses a token without exp (it would be valid forever)', async () => {
    expect(await reason(v, await sign({ sub: 'alice', iat: now() }))).toBe('token has no "exp" claim');
  });

  it('refuses a token without iat (its age is unknown)', async () => {
    expect(await reason(v, await sign({ sub: 'alice', exp: now() + 600 }))).toBe('token has no "iat" claim');
  });

  it('refuses a token older than JWT_MAX_AGE_SECONDS whatever its exp', async () => {
    expect(await reason(v, await sign({ sub: 'alice', iat: now() - 7200, exp: now() + 365 * 86400 }))).toMatch(/older than 3600 s/);
  });

  it('refuses iat in the future beyond the skew, accepts it within', async () => {
    expect(await reason(v, await sign({ sub: 'alice', iat: now() + 120, exp: now() + 600 }))).toBe('token claim "iat" is invalid');
    expect(await reason(v, await sign({ sub: 'alice', iat: now() + 10, exp: now() + 600 }))).toBe('accepted');
  });
});

describe('dev: subject namespace (item 3)', () => {
  const off = new TokenVerifier(loadAppConfig(base));
  const on = new TokenVerifier(loadAppConfig({ ...base, NODE_ENV: 'development', ALLOW_DEV_TOKENS: 'true' }));

  it('mints dev:<name> tokens, accepted while dev tokens are enabled', async () => {
    const token = await on.mintDevToken('alice');
    expect(await on.verify(token)).toEqual({ userId: 'dev:alice' });
  });

  it('a dev token is refused by a service without dev tokens', async () => {
    const token = await on.mintDevToken('alice');
    expect(await reason(off, token)).toMatch(/dev tokens/);
  });

  it('a regular token can never claim a dev: subject, and a dev-issuer token never a regular one', async () => {
    expect(await reason(on, await sign({ sub: 'dev:alice', iat: now(), exp: now() + 60 }))).toMatch(/"dev:" subjects/);
    expect(await reason(on, await sign({ sub: 'alice', iat: now(), exp: now() + 60, iss: DEV_TOKEN_ISSUER }))).toMatch(/"dev:" subjects/);
  });

  it('minting is impossible when dev tokens are disabled', async () => {
    await expect(off.mintDevToken('alice')).rejects.toThrow(/disabled/);
  });
});
