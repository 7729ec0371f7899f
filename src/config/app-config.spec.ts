// The settings read outside loadAppConfig (the migration script, the TypeORM CLI, the command
// lines) follow the same variables, defaults and refusals as the app.
import { CAPTURE_PAGE_LIMITS } from '../render/render-limits.js';
import { ConfigError, DEFAULT_DATABASE_URL, loadAppConfig, loadDatabaseConfig, loadEngineConfig, loadPluginConfig } from './app-config.js';

const base = {
  JWT_SECRET: 'EcgRenderTestSecret0123456789abcdefABCDEF',
  URL_SIGNING_SECRET: 'EcgRenderTestUrlSigning0123456789abcdefXYZ',
  WEBHOOK_SECRET: `whsec_${Buffer.from('a webhook key of more than 16 bytes').toString('base64')}`,
};

describe('database settings', () => {
  it('the migration script and the TypeORM CLI default to the database the app uses', () => {
    expect(DEFAULT_DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/ecg_render');
    expect(loadDatabaseConfig({})).toEqual({ url: DEFAULT_DATABASE_URL, schema: undefined, poolSize: 10 });
    expect(loadAppConfig(base).databaseUrl).toBe(DEFAULT_DATABASE_URL);
  });

  it('DATABASE_URL, DATABASE_SCHEMA and DATABASE_POOL_SIZE are read and validated', () => {
    const env = { DATABASE_URL: 'postgresql://u:p@db:5433/x', DATABASE_SCHEMA: 's1', DATABASE_POOL_SIZE: '3' };
    expect(loadDatabaseConfig(env)).toEqual({ url: 'postgresql://u:p@db:5433/x', schema: 's1', poolSize: 3 });
    expect(loadAppConfig({ ...base, ...env })).toMatchObject({ databaseUrl: 'postgresql://u:p@db:5433/x', databaseSchema: 's1' });
    const bad = () => loadDatabaseConfig({ DATABASE_URL: 'mysql://db/x', DATABASE_POOL_SIZE: '0' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /- DATABASE_URL="mysql:\/\/db\/x": must be a postgres: or postgresql: URL\n {2}- DATABASE_POOL_SIZE="0": must be an integer from 1 to 1000$/,
    );
  });
});

describe('ALLOW_PRIVATE_NETWORKS', () => {
  it('is honoured outside production by the app and by the plugin settings alone', () => {
    expect(loadAppConfig({ ...base, ALLOW_PRIVATE_NETWORKS: 'true' }).allowPrivateNetworks).toBe(true);
    expect(loadPluginConfig({ ALLOW_PRIVATE_NETWORKS: 'true' }).allowPrivateNetworks).toBe(true);
    expect(loadPluginConfig({}).allowPrivateNetworks).toBe(false);
    expect(loadEngineConfig({ ALLOW_PRIVATE_NETWORKS: 'true' }).fonts.allowPrivateNetworks).toBe(true);
    expect(loadEngineConfig({}).fonts.allowPrivateNetworks).toBe(false);
  });

  it('is refused when NODE_ENV=production, by both', () => {
    const env = { ALLOW_PRIVATE_NETWORKS: 'true', NODE_ENV: 'production' };
    expect(() => loadAppConfig({ ...base, ...env })).toThrow(/- ALLOW_PRIVATE_NETWORKS: refused when NODE_ENV=production/);
    expect(() => loadPluginConfig(env)).toThrow(/^invalid configuration:\n {2}- ALLOW_PRIVATE_NETWORKS: refused when NODE_ENV=production$/);
    // The font fetcher's settings (the command line's engine config) follow the same rule, reported once.
    expect(() => loadEngineConfig(env)).toThrow(/^invalid configuration:\n {2}- ALLOW_PRIVATE_NETWORKS: refused when NODE_ENV=production$/);
    const problems = (() => {
      try {
        loadAppConfig({ ...base, ...env });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    })();
    expect(problems.filter((p) => p.startsWith('ALLOW_PRIVATE_NETWORKS'))).toHaveLength(1);
  });
});

describe('CAPTURE_PAGES', () => {
  it('defaults to the render limits table, reaches the engine settings of the app and the command line, and is bounded', () => {
    expect(loadEngineConfig({}).capturePages).toBe(CAPTURE_PAGE_LIMITS.default);
    expect(loadEngineConfig({ CAPTURE_PAGES: '1' }).capturePages).toBe(1);
    expect(loadAppConfig({ ...base, CAPTURE_PAGES: '3' }).engine.capturePages).toBe(3);
    expect(() => loadEngineConfig({ CAPTURE_PAGES: '5' })).toThrow(/CAPTURE_PAGES="5": must be an integer from 1 to 4/);
    expect(() => loadEngineConfig({ CAPTURE_PAGES: '0' })).toThrow(ConfigError);
  });
});
