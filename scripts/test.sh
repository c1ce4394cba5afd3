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
mkdir -p out
echo "== unit and browser tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=out/vitest.json
unit=$(node -p 'require("./out/vitest.json").numPassedTests')
echo "== package: the universal .vsix and the README"
node scripts/package-vsix.mjs
npx vitest run --config test/package/vitest.config.mjs --reporter=default --reporter=json --outputFile.json=out/vitest-package.json
pkg=$(node -p 'require("./out/vitest-package.json").numPassedTests')
echo "== extension-host tests in code-server"
npm run test:vscode 2>&1 | tee out/test-vscode.log
vscode=$(grep -Eo '^[0-9]+ passed, 0 failed$' out/test-vscode.log | awk '{n += $1} END {print n + 0}')
echo "== end-to-end test"
npm run test:e2e -- --no-package
echo "== all tests passed in $((SECONDS - start)) s: $unit unit and browser, $pkg package, $vscode extension-host, 1 end-to-end"
echo "total: $((unit + pkg + vscode + 1)) passed, 0 failed"
