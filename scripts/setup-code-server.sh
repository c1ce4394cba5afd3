#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20)
# into .tools/code-server, offline-friendly, idempotently. See /work/shared/TESTING.md
# for why each step exists. Prints nothing but progress; exits 0 when ready.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${GRADSCOPE_TOOLS_DIR:-$REPO_ROOT/.tools}"
INSTALL_DIR="$TOOLS_DIR/code-server"
BIN="$INSTALL_DIR/node_modules/.bin/code-server"

installed_version() {
  node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch{}' \
    "$INSTALL_DIR/node_modules/code-server/package.json" 2>/dev/null || true
}

if [[ -x "$BIN" && "$(installed_version)" == "$CODE_SERVER_VERSION" ]] && { [[ -n "${GRADSCOPE_SKIP_CHROMIUM:-}" ]] || [[ -x /usr/bin/chromium ]]; }; then
  echo "code-server $CODE_SERVER_VERSION already installed at $INSTALL_DIR"
  exit 0
fi

# 1. Debian packages: libkrb5-dev for a native module, ripgrep for the cache trick,
#    chromium for the tests that drive the workbench.
missing=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
# Chromium is only for the tests; the demo sets GRADSCOPE_SKIP_CHROMIUM=1.
[[ -n "${GRADSCOPE_SKIP_CHROMIUM:-}" || -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 2. @vscode/ripgrep downloads from GitHub unless it finds this cached archive.
RG_CACHE_DIR="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
RG_ARCHIVE="$RG_CACHE_DIR/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$RG_ARCHIVE" ]]; then
  mkdir -p "$RG_CACHE_DIR"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$RG_ARCHIVE" -C "$staging" rg
  rm -rf "$staging"
fi

if [[ -x "$BIN" && "$(installed_version)" == "$CODE_SERVER_VERSION" ]]; then
  echo "code-server $CODE_SERVER_VERSION already installed at $INSTALL_DIR"
  exit 0
fi

# 3. code-server itself, in its own tiny package so the repo's lockfile is untouched.
mkdir -p "$INSTALL_DIR"
if [[ ! -f "$INSTALL_DIR/package.json" ]]; then
  printf '{\n  "name": "gradscope-tools-code-server",\n  "private": true\n}\n' >"$INSTALL_DIR/package.json"
fi
echo "installing code-server $CODE_SERVER_VERSION into $INSTALL_DIR (a few minutes)"
(
  cd "$INSTALL_DIR"
  npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"
)
"$BIN" --version
