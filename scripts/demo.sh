#!/usr/bin/env bash
# See it work: sets everything up on a fresh machine (Debian/Ubuntu, Node 20), then serves
# VS Code in your browser (code-server on 127.0.0.1) with Gradscope installed and the examples open.
#
#   npm run demo                     # or: bash scripts/demo.sh
#   GRADSCOPE_DEMO_PORT=9000 npm run demo
#   GRADSCOPE_DEMO_NO_SERVE=1 ...    # set up and install, print the URL, but do not start the server
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
PORT="${GRADSCOPE_DEMO_PORT:-8080}"
DEMO_DIR="$REPO_ROOT/.tools/demo"
WORKSPACE="$DEMO_DIR/examples"
CODE_SERVER="$REPO_ROOT/.tools/code-server/node_modules/.bin/code-server"
# One universal package for every platform (scripts/package-vsix.mjs).
VSIX="$REPO_ROOT/out/gradscope-$(node -p 'require("./package.json").version').vsix"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1/4 dependencies"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi

step "2/4 build and package the extension"
npm run --silent package

step "3/4 code-server (VS Code in the browser)"
GRADSCOPE_SKIP_CHROMIUM=1 bash scripts/setup-code-server.sh

step "4/4 install Gradscope into it"
mkdir -p "$DEMO_DIR/user-data/User" "$DEMO_DIR/extensions"
# A copy of the examples to play with, so edits never touch the repository's files.
if [[ ! -d "$WORKSPACE" ]]; then cp -r examples "$WORKSPACE"; fi
if [[ ! -f "$DEMO_DIR/user-data/User/settings.json" ]]; then
  cat >"$DEMO_DIR/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "git.openRepositoryInParentFolders": "never",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false
}
JSON
fi
"$CODE_SERVER" --extensions-dir "$DEMO_DIR/extensions" --user-data-dir "$DEMO_DIR/user-data" --install-extension "$VSIX" --force

URL="http://127.0.0.1:$PORT/?folder=$WORKSPACE"
cat <<MSG

Gradscope is ready.

  Open:  $URL
         then open chain-rule.ts and run "Gradscope: Visualize Backward Pass" (Ctrl+Shift+P),
         or click "Visualize" above loss.backward().

  Desktop VS Code instead:  code --install-extension $VSIX
MSG

if [[ -n "${GRADSCOPE_DEMO_NO_SERVE:-}" ]]; then exit 0; fi
echo
echo "Serving on 127.0.0.1:$PORT (Ctrl+C to stop)…"
# The examples are ours, so the folder is trusted (Gradscope runs model code only in trusted workspaces).
exec "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --extensions-dir "$DEMO_DIR/extensions" --user-data-dir "$DEMO_DIR/user-data" "$WORKSPACE"
