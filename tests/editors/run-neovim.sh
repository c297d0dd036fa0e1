#!/usr/bin/env bash
# End-to-end test of seedls in headless Neovim 0.7 (Debian's; UTF-16 positions only):
# diagnostics, hover, definition, references, completion and rename on a temp copy of
# seeds/, through editors/neovim/seedls.lua and Neovim's own LSP client.
#
#   bash tests/editors/run-neovim.sh
#
# Environment:
#   SEEDLS_BIN         the server to test (default: target/release/seedls of this repo)
#   SEEDLS_EDITOR_OUT  output folder for results and the LSP log (default: target/editor-tests)
#
# Prints `neovim-e2e: N passed, M failed` last; exits non-zero when anything failed.

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SEEDLS_BIN=${SEEDLS_BIN:-$REPO/target/release/seedls}
OUT=${SEEDLS_EDITOR_OUT:-$REPO/target/editor-tests}/neovim
START=$(date +%s)
WORK=""

log() { printf '[neovim-e2e %3ss] %s\n' "$(($(date +%s) - START))" "$*"; }

fail_setup() {
  log "SETUP FAILED: $*"
  echo "FAIL setup — $*"
  echo "neovim-e2e: 0 passed, 1 failed"
  exit 1
}

cleanup() {
  [[ -n "$WORK" && -d "$WORK" ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"
rm -f "$OUT/results.tsv" "$OUT/lsp.log" "$OUT/nvim.log"
[[ -x "$SEEDLS_BIN" ]] || fail_setup "no server at $SEEDLS_BIN: run \`cargo build --release\` first, or set SEEDLS_BIN"
SEEDLS_BIN=$(cd "$(dirname "$SEEDLS_BIN")" && pwd)/$(basename "$SEEDLS_BIN")

if ! command -v nvim >/dev/null; then
  log "apt-get install neovim"
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo -n)
  { DEBIAN_FRONTEND=noninteractive timeout 300 "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive timeout 300 "${sudo[@]}" apt-get install -y -qq neovim; } >"$OUT/apt.log" 2>&1 ||
    fail_setup "apt-get install neovim failed (see $OUT/apt.log)"
fi
log "$(nvim --version | head -n 1), server $SEEDLS_BIN"

WORK=$(mktemp -d /tmp/seedls-neovim-e2e.XXXXXX)
cp -r "$REPO/seeds" "$WORK/seeds"
chmod -R u+w "$WORK/seeds" # the repository keeps the seeds read-only
mkdir -p "$WORK/cache" "$WORK/config" "$WORK/data" "$WORK/state"

status=0
XDG_CACHE_HOME=$WORK/cache XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_STATE_HOME=$WORK/state \
  SEEDLS_BIN=$SEEDLS_BIN SEEDLS_REPO=$REPO SEEDLS_NVIM_WORKSPACE=$WORK/seeds SEEDLS_NVIM_RESULTS=$OUT/results.tsv \
  timeout -k 5 240 nvim --headless -u NONE -i NONE -n \
  -c "luafile $REPO/tests/editors/neovim/e2e.lua" </dev/null >"$OUT/nvim.log" 2>&1 || status=$?
cp "$WORK"/cache/nvim/lsp.log "$WORK"/state/nvim/lsp.log "$OUT/" 2>/dev/null

passed=0
failed=0
if [[ -f "$OUT/results.tsv" ]]; then
  while IFS=$'\t' read -r verdict name detail; do
    if [[ "$verdict" == ok ]]; then
      passed=$((passed + 1))
      printf 'ok   %s%s\n' "$name" "${detail:+ — $detail}"
    else
      failed=$((failed + 1))
      printf 'FAIL %s%s\n' "$name" "${detail:+ — $detail}"
    fi
  done <"$OUT/results.tsv"
fi
if [[ "$status" -eq 124 || "$status" -eq 137 ]]; then
  failed=$((failed + 1))
  echo "FAIL nvim timed out (see $OUT/nvim.log)"
elif [[ "$status" -ne 0 && "$failed" -eq 0 ]]; then
  failed=$((failed + 1))
  echo "FAIL nvim exited with status $status (see $OUT/nvim.log)"
fi
if [[ $((passed + failed)) -eq 0 ]]; then
  failed=1
  echo "FAIL no check ran (see $OUT/nvim.log)"
fi
log "finished in $(($(date +%s) - START)) s; results in $OUT"
echo "neovim-e2e: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
