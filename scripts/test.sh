#!/usr/bin/env bash
# The whole test suite, set-up included: what `npm test` and CI run.
#   unit (engine, runner, CLI, protocol) and browser (the panel in Chromium) tests with vitest,
#   extension-host suites in a real VS Code (code-server), and the end-to-end test of the installed .vsix.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS

bash scripts/setup.sh
echo "== build"
npm run build
echo "== record fixtures from real runs of the examples"
node scripts/record-fixtures.mjs
echo "== type-check"
npx tsc -p tsconfig.json
npx tsc -p webview/tsconfig.json
npx tsc -p src/extension/tsconfig.json
npx tsc -p test/browser/tsconfig.json
echo "== unit and browser tests"
npx vitest run
echo "== extension-host tests in code-server"
npm run test:vscode
echo "== end-to-end test"
npm run test:e2e
echo "== all tests passed in $((SECONDS - start)) s"
