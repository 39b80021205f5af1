#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests unless it is already there.
# Playwright drives this browser; it never downloads one of its own.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "chromium is not installed; install Debian's 'chromium' package (needs root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq chromium fonts-dejavu-core \
    || { apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core; }
