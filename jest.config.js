// ESM Jest, as the Nest 12 template runs it (node --experimental-vm-modules).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 120000,
  maxWorkers: 2,
  // A fresh worker process for (nearly) every test file: sockets, timers and child processes of
  // one e2e file can then never leak into the next one.
  workerIdleMemoryLimit: '64MB',
};
