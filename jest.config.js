// ESM Jest, as the Nest 12 template runs it (node --experimental-vm-modules), in two projects:
//   unit         specs under src/ and libs/ that need no service: pure functions, Nest modules
//                with fakes, in-process HTTP servers. `npm run test:unit`, seconds.
//   integration  test/** (the e2e suites) and the src/libs specs that talk to a real PostgreSQL,
//                Redis, Chromium or ffmpeg (listed below). `npm run test:integration`.
// `npm test` runs both. A new spec that starts one of those services belongs in SERVICE_SPECS.

/** src/ and libs/ specs that need PostgreSQL, Redis, Chromium or ffmpeg/ffprobe. */
const SERVICE_SPECS = [
  'libs/caption-page/src/caption-page.spec.ts', // Chromium
  'libs/caption-page/src/editor-effects.spec.ts', // Chromium
  'libs/caption-page/src/load-options.spec.ts', // Chromium
  'src/browser-pool/chromium-launch.spec.ts', // Chromium
  'src/database/migrations.spec.ts', // PostgreSQL
  'src/encoder/ffmpeg-process.spec.ts', // ffmpeg
  'src/encoder/media-probe.spec.ts', // ffmpeg, ffprobe
  'src/jobs/jobs.repository.spec.ts', // PostgreSQL
  'src/ops/bull-board.spec.ts', // PostgreSQL, Redis
  'src/ops/health.spec.ts', // PostgreSQL, Redis, Chromium, ffmpeg
  'src/queue/start-processor.spec.ts', // Redis
  'src/quota/job-admission.spec.ts', // PostgreSQL
  'src/quota/quota.service.spec.ts', // PostgreSQL
];

/** What both projects share. */
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.spec.json', diagnostics: false }],
  },
  setupFiles: ['reflect-metadata'],
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...SERVICE_SPECS.map((p) => `<rootDir>/${p.replaceAll('.', '\\.')}$`)],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', ...SERVICE_SPECS.map((p) => `<rootDir>/${p}`)],
    },
  ],
  // Global options (Jest reads these from the root config only, not from a project).
  testTimeout: 120000,
  maxWorkers: 2,
  // A fresh worker process for (nearly) every test file: sockets, timers and child processes of
  // one e2e file can then never leak into the next one.
  workerIdleMemoryLimit: '64MB',
};
