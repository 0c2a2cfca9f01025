#!/usr/bin/env bash
# Run the whole test suite: set-up (test dependencies, and Debian's chromium for the
# browser tests when running as root), then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is not installed: browser tests will be skipped (they fail under CI=true)." >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
