#!/usr/bin/env bash
# `npm test`: installs what is missing (ensure-deps.sh; it also regenerates the Swagger metadata
# when a DTO changed, which type-checks the app), checks PostgreSQL and Redis, then runs the
# whole Jest suite (both projects of jest.config.js: unit, and integration with real Chromium/
# ffmpeg/PostgreSQL/Redis/s3rver) and prints a closing line. Arguments go to Jest:
# `npm run test:integration` is `scripts/test.sh --selectProjects integration --no-watchman` (a
# flag after the project name ends its list, so paths and options can follow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/ensure-services.sh
mkdir -p .cache
report=.cache/jest-report.json
rm -f "$report"
set +e
node_modules/.bin/node --experimental-vm-modules node_modules/jest/bin/jest.js \
  --json --outputFile="$report" "$@"
rc=$?
set -e
if [ -f "$report" ]; then
  node_modules/.bin/node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$report"
fi
exit $rc
