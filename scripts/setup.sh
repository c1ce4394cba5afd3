#!/usr/bin/env bash
# Everything the tests and the demo need on a fresh machine, idempotently:
# npm packages (from the lockfile), Debian's Chromium, and code-server in .tools/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi
echo "== code-server and Chromium"
bash scripts/setup-code-server.sh
