#!/usr/bin/env bash
# End-to-end test of the seedls VS Code extension in real VS Code: code-server
# (VS Code 1.100) driven by Debian's Chromium through playwright-core.
#
# Installs what it needs on a fresh machine (apt: chromium ripgrep libkrb5-dev curl; npm:
# code-server into a cache folder, the test's and the extension's node_modules), packages
# the extension as users get it (seedls-linux-x64-<version>.vsix, with a stripped copy of
# $SEEDLS_BIN bundled), installs it into a throwaway code-server profile with no
# seedls.server.path (so the bundled server runs), opens a copy of seeds/ and runs e2e.mjs.
#
#   bash tests/editors/run-vscode.sh
#
# Environment:
#   SEEDLS_BIN            the server to test (default: target/release/seedls of this repo)
#   SEEDLS_EDITOR_OUT     output folder for screenshots and logs (default: target/editor-tests)
#   SEEDLS_EDITOR_CACHE   cache for code-server and apt/npm leftovers (default: /tmp/seedls-editor-cache)
#   SEEDLS_UPDATE_README_SCREENSHOT=1  also refresh editors/vscode/images/screenshot.png
#   SEEDLS_VSCODE_E2E_TIMEOUT  seconds for the whole run (default 840)
#
# Prints `vscode-e2e: N passed, M failed` last; exits non-zero when anything failed.
# Every step is bounded by `timeout`; code-server's process group is always killed.

set -uo pipefail

# One deadline for the whole run (default 14 minutes), on top of each step's own.
if [[ -z "${SEEDLS_VSCODE_E2E_UNDER_DEADLINE:-}" ]]; then
  export SEEDLS_VSCODE_E2E_UNDER_DEADLINE=1
  exec timeout -k 30 "${SEEDLS_VSCODE_E2E_TIMEOUT:-840}" bash "${BASH_SOURCE[0]}" "$@"
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SEEDLS_BIN=${SEEDLS_BIN:-$REPO/target/release/seedls}
OUT_ROOT=${SEEDLS_EDITOR_OUT:-$REPO/target/editor-tests}
OUT=$OUT_ROOT/vscode
CACHE=${SEEDLS_EDITOR_CACHE:-/tmp/seedls-editor-cache}
CODE_SERVER_VERSION=4.100.3
# The @vscode/ripgrep version code-server 4.100.3 depends on, and the rg archive it asks for.
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
CODE_SERVER=$CODE_SERVER_DIR/node_modules/.bin/code-server

SCRIPT_START=$(date +%s)
WORK=""
CODE_SERVER_PGID=""
VSIX=""
EXTENSION_VERSION=""

log() { printf '[vscode-e2e %4ss] %s\n' "$(($(date +%s) - SCRIPT_START))" "$*"; }

# A failure before the driver runs still ends with the summary line.
fail_setup() {
  log "SETUP FAILED: $*"
  echo "FAIL setup — $*"
  echo "vscode-e2e: 0 passed, 1 failed"
  exit 1
}

cleanup() {
  if [[ -n "$CODE_SERVER_PGID" ]]; then
    kill -TERM -- "-$CODE_SERVER_PGID" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 -- "-$CODE_SERVER_PGID" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$CODE_SERVER_PGID" 2>/dev/null
  fi
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    # Chromium runs in its own process group; anything still using this run's
    # private folder belongs to this run.
    local pid
    for pid in $(grep -lsF -- "$WORK" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
      [[ "$pid" != "$$" ]] && kill -KILL "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'echo "FAIL interrupted or out of time"; echo "vscode-e2e: 0 passed, 1 failed"; exit 1' INT TERM

# ---------------------------------------------------------------------------------
# 1. System packages
# ---------------------------------------------------------------------------------
install_system_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v rg >/dev/null || missing+=(ripgrep)
  command -v curl >/dev/null || missing+=(curl)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "apt-get install ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo -n)
  DEBIAN_FRONTEND=noninteractive timeout 300 "${sudo[@]}" apt-get update -qq >"$OUT/apt.log" 2>&1 ||
    fail_setup "apt-get update failed (see $OUT/apt.log)"
  DEBIAN_FRONTEND=noninteractive timeout 600 "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >>"$OUT/apt.log" 2>&1 ||
    fail_setup "apt-get install ${missing[*]} failed (see $OUT/apt.log)"
}

# ---------------------------------------------------------------------------------
# 2. code-server, into the cache (a half-done install is never reused)
# ---------------------------------------------------------------------------------
install_code_server() {
  if [[ -x "$CODE_SERVER" ]]; then
    return 0
  fi
  log "npm install code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes on a fresh machine)"
  mkdir -p "$CACHE"
  local staging
  staging=$(mktemp -d "$CACHE/code-server-staging.XXXXXX")
  # @vscode/ripgrep downloads rg at install time, which cannot work here: hand it
  # Debian's rg in the archive it looks for.
  local npm_tmp=$staging/tmp rg_dir
  rg_dir=$npm_tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION
  mkdir -p "$rg_dir" "$staging/rg"
  cp "$(command -v rg)" "$staging/rg/rg"
  tar -czf "$rg_dir/$RIPGREP_ARCHIVE" -C "$staging/rg" rg
  echo '{ "name": "seedls-code-server", "private": true }' >"$staging/package.json"
  # node-pty's postinstall runs `npx node-gyp`: npm must say yes by itself.
  if ! (cd "$staging" && TMPDIR=$npm_tmp npm_config_yes=true timeout 720 \
    npm install --unsafe-perm --foreground-scripts --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION") >"$OUT/code-server-install.log" 2>&1; then
    rm -rf "$staging"
    fail_setup "npm install code-server@$CODE_SERVER_VERSION failed (see $OUT/code-server-install.log)"
  fi
  rm -rf "$npm_tmp" "$staging/rg"
  rm -rf "$CODE_SERVER_DIR"
  mv "$staging" "$CODE_SERVER_DIR" || fail_setup "could not move code-server into $CODE_SERVER_DIR"
  [[ -x "$CODE_SERVER" ]] || fail_setup "code-server installed but $CODE_SERVER is missing"
}

# ---------------------------------------------------------------------------------
# 3. The test driver's and the extension's npm packages; the .vsix
# ---------------------------------------------------------------------------------
install_driver() {
  log "npm ci in tests/editors/vscode (playwright-core, vscode-textmate)"
  (cd "$REPO/tests/editors/vscode" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 \
    npm ci --no-audit --no-fund --loglevel=error) >"$OUT/driver-npm.log" 2>&1 ||
    fail_setup "npm ci in tests/editors/vscode failed (see $OUT/driver-npm.log)"
}

package_extension() {
  log "npm ci && npm run package in editors/vscode (bundling $SEEDLS_BIN)"
  local extension=$REPO/editors/vscode
  rm -f "$extension"/seedls*.vsix
  (cd "$extension" && timeout 300 npm ci --no-audit --no-fund --loglevel=error &&
    SEEDLS_BUNDLE_SERVER=$SEEDLS_BIN timeout 300 npm run package) >"$OUT/extension-package.log" 2>&1 ||
    fail_setup "packaging the extension failed (see $OUT/extension-package.log)"
  VSIX=$extension/$(cd "$extension" && node scripts/package.mjs --print-name)
  [[ -f "$VSIX" ]] || fail_setup "npm run package made no $VSIX"
  EXTENSION_VERSION=$(node -p 'require(process.argv[1]).version' "$extension/package.json")
  log "packaged $(basename "$VSIX") ($(du -k "$VSIX" | cut -f1) KiB)"
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# ---------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------
mkdir -p "$OUT"
rm -f "$OUT"/*.png "$OUT/results.json"
log "server under test: $SEEDLS_BIN"
[[ -x "$SEEDLS_BIN" ]] || fail_setup "no server at $SEEDLS_BIN: run \`cargo build --release\` first, or set SEEDLS_BIN"
SEEDLS_BIN=$(cd "$(dirname "$SEEDLS_BIN")" && pwd)/$(basename "$SEEDLS_BIN")
command -v node >/dev/null || fail_setup "node is not installed"

install_system_packages
install_code_server
install_driver
package_extension
log "setup done"

WORK=$(mktemp -d /tmp/seedls-vscode-e2e.XXXXXX)
WORKSPACE=$WORK/seeds
cp -r "$REPO/seeds" "$WORKSPACE"
chmod -R u+w "$WORKSPACE" # the repository keeps the seeds read-only
USER_DATA=$WORK/user-data
EXTENSIONS=$WORK/extensions
mkdir -p "$USER_DATA/User" "$EXTENSIONS" "$WORK/xdg-config" "$WORK/xdg-data" "$WORK/xdg-cache" "$WORK/chromium"
export XDG_CONFIG_HOME=$WORK/xdg-config XDG_DATA_HOME=$WORK/xdg-data XDG_CACHE_HOME=$WORK/xdg-cache

node -e '
  // No seedls.server.path: the server bundled in the .vsix runs, as for users.
  const settings = {
    // A hint is not listed in the Problems panel: raising heading-spacing (a hint by
    // default) checks that the setting reaches the server.
    "seedls.diagnostics.severity": { "heading-spacing": "warning" },
    // Problems of closed seeds too (pull diagnostics: workspace/diagnostic).
    "seedls.diagnostics.scope": "workspace",
    "editor.gotoLocation.multipleDefinitions": "goto",
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "update.mode": "none",
    "git.enabled": false,
    "window.restoreWindows": "none",
    "editor.hover.delay": 300,
    "editor.minimap.enabled": false,
    "workbench.colorTheme": "Default Dark Modern",
    "chat.commandCenter.enabled": false
  };
  require("fs").writeFileSync(process.argv[1], JSON.stringify(settings, null, 2));
 ' "$USER_DATA/User/settings.json" || fail_setup "could not write the code-server settings"

log "installing $(basename "$VSIX") into code-server"
timeout 180 "$CODE_SERVER" --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" \
  --install-extension "$VSIX" >"$OUT/extension-install.log" 2>&1 ||
  fail_setup "code-server --install-extension failed (see $OUT/extension-install.log)"

PORT=$(free_port)
log "starting code-server on 127.0.0.1:$PORT"
setsid "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none \
  --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  "$WORKSPACE" >"$OUT/code-server.log" 2>&1 </dev/null &
CODE_SERVER_PGID=$!

ready=""
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    ready=yes
    break
  fi
  kill -0 "$CODE_SERVER_PGID" 2>/dev/null || break
  sleep 0.5
done
[[ -n "$ready" ]] || fail_setup "code-server did not answer /healthz within 60 s (see $OUT/code-server.log)"
log "code-server ready"

readme_screenshot=()
if [[ "${SEEDLS_UPDATE_README_SCREENSHOT:-}" == 1 ]]; then
  readme_screenshot=(SEEDLS_E2E_README_SCREENSHOT="$REPO/editors/vscode/images/screenshot.png")
fi

driver_status=0
env SEEDLS_E2E_URL="http://127.0.0.1:$PORT" SEEDLS_E2E_WORKSPACE="$WORKSPACE" SEEDLS_E2E_OUT="$OUT" \
  SEEDLS_E2E_PROFILE="$WORK/chromium" SEEDLS_E2E_USER_DATA="$USER_DATA" SEEDLS_E2E_VERSION="$EXTENSION_VERSION" \
  SEEDLS_E2E_EXTENSIONS="$EXTENSIONS" \
  "${readme_screenshot[@]}" \
  timeout -k 10 420 node "$REPO/tests/editors/vscode/e2e.mjs" 2>&1 | tee "$OUT/e2e.log" ||
  driver_status=$?

# Keep the logs that tell why a check failed.
cp "$USER_DATA"/logs/*/exthost*/*seedls* "$OUT/" 2>/dev/null
find "$USER_DATA/logs" -name '*seedls*' -exec cp {} "$OUT/" \; 2>/dev/null

if [[ -f "$OUT/results.json" ]]; then
  read -r passed failed < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.passed, r.failed);' "$OUT/results.json")
else
  passed=0
  failed=1
  echo "FAIL the e2e driver did not finish (exit status $driver_status; see $OUT/e2e.log)"
fi
if [[ "$driver_status" -ne 0 && "$failed" -eq 0 ]]; then
  failed=1
  echo "FAIL the e2e driver exited with status $driver_status"
fi
log "screenshots and logs in $OUT"
log "finished in $(($(date +%s) - SCRIPT_START)) s"
echo "vscode-e2e: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
