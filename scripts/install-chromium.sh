#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (examples/server/test/dashboard-browser.test.ts),
# which drives it with playwright-core. Idempotent: does nothing when a chromium is already on the PATH.
# In CI that test fails, rather than skips, when Chromium is missing: run this before the tests.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(command -v chromium)"
  exit 0
fi

sudo=''
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo='sudo'; else
    echo 'install-chromium: not root and no sudo; install the chromium package by hand' >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends chromium
command -v chromium
