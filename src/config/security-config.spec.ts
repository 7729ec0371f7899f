// Issue 12: the start-up refusals of the security configuration, each naming its variable.
import { ConfigError, loadAppConfig } from './app-config.js';

const JWT = 'EcgRenderTestSecret0123456789abcdefABCDEF';
const URL_KEY = 'EcgRenderTestUrlSigning0123456789abcdefXYZ';
const HOOK = `whsec_${Buffer.from('a webhook key of more than 16 bytes').toString('base64')}`;
const base = { JWT_SECRET: JWT, URL_SIGNING_SECRET: URL_KEY, WEBHOOK_SECRET: HOOK };

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadAppConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('secrets (item 2)', () => {
  it('a complete configuration loads', () => {
    expect(problems(base)).toEqual([]);
  });

  it('URL_SIGNING_SECRET is required and must differ from JWT_SECRET', () => {
    expect(problems({ ...base, URL_SIGNING_SECRET: undefined })).toEqual([expect.stringMatching(/^URL_SIGNING_SECRET: required/)]);
    expect(problems({ ...base, URL_SIGNING_SECRET: JWT })).toEqual([
      expect.stringMatching(/^URL_SIGNING_SECRET: must differ from JWT_SECRET/),
    ]);
    expect(problems({ ...base, URL_SIGNING_SECRET: 'short' })).toEqual([expect.stringMatching(/^URL_SIGNING_SECRET: .*32/)]);
  });

  it('WEBHOOK_SECRET must differ from JWT_SECRET, also when it only encodes it', () => {
    expect(problems({ ...base, WEBHOOK_SECRET: JWT })).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: must differ from JWT_SECRET/)]);
    const encoded = `whsec_${Buffer.from(JWT).toString('base64')}`;
    expect(problems({ ...base, WEBHOOK_SECRET: encoded })).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: must differ/)]);
    expect(problems({ ...base, WEBHOOK_SECRET: 'not base64!' })).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: /)]);
  });

  it('without WEBHOOK_SECRET the service starts and never falls back to JWT_SECRET', () => {
    const cfg = loadAppConfig({ ...base, WEBHOOK_SECRET: undefined });
    expect(cfg.callbacks.secret).toBeUndefined();
    expect(cfg.storage.urlSigningSecret).toBe(URL_KEY);
  });
});

describe('dev tokens (item 3)', () => {
  it('ALLOW_DEV_TOKENS needs NODE_ENV=development: refused when NODE_ENV is unset, test or production', () => {
    for (const NODE_ENV of [undefined, 'test', 'production', 'staging']) {
      expect(problems({ ...base, NODE_ENV, ALLOW_DEV_TOKENS: 'true' })).toEqual([
        expect.stringMatching(/^ALLOW_DEV_TOKENS: needs .*NODE_ENV=development/),
      ]);
    }
    expect(loadAppConfig({ ...base, NODE_ENV: 'development', ALLOW_DEV_TOKENS: 'true' }).auth.allowDevTokens).toBe(true);
  });
});

describe('JWT policy (item 4)', () => {
  const jwks = { ...base, JWT_SECRET: undefined, WEBHOOK_SECRET: undefined };
  it('JWKS only over https', () => {
    expect(problems({ ...jwks, JWT_JWKS_URL: 'http://idp.example.com/jwks.json', JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'ecg' })).toEqual(
      [expect.stringMatching(/^JWT_JWKS_URL=.*https/)],
    );
  });

  it('issuer and audience are required with JWKS', () => {
    expect(problems({ ...jwks, JWT_JWKS_URL: 'https://idp.example.com/jwks.json' })).toEqual([
      'JWT_ISSUER: required with JWT_JWKS_URL',
      'JWT_AUDIENCE: required with JWT_JWKS_URL',
    ]);
    expect(
      problems({ ...jwks, JWT_JWKS_URL: 'https://idp.example.com/jwks.json', JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'ecg' }),
    ).toEqual([]);
  });

  it('token age cap and skew have bounded defaults', () => {
    const cfg = loadAppConfig(base);
    expect(cfg.security.jwtMaxAgeSeconds).toBe(86_400);
    expect(cfg.security.jwtClockSkewSeconds).toBe(30);
    expect(problems({ ...base, JWT_MAX_AGE_SECONDS: '0' })).toEqual([expect.stringMatching(/^JWT_MAX_AGE_SECONDS/)]);
  });
});

describe('ops and admin (items 6, 10)', () => {
  it('ADMIN_TOKEN needs 32+ characters; METRICS_TOKEN 16+; docs are off unless DOCS_ENABLED', () => {
    expect(problems({ ...base, ADMIN_TOKEN: 'short-admin-token' })).toEqual([expect.stringMatching(/^ADMIN_TOKEN: must be at least 32/)]);
    expect(problems({ ...base, METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN/)]);
    expect(loadAppConfig(base).security.docsEnabled).toBe(false);
    expect(loadAppConfig({ ...base, DOCS_ENABLED: 'true' }).security.docsEnabled).toBe(true);
  });
});
