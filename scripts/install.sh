#!/usr/bin/env bash
# Everything newscrawl needs on a fresh Debian machine: Debian's Chromium (for rendered pages;
# never a downloaded browser), Debian's redis-server (for shared crawls and their tests) and the
# package with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    echo "install.sh: Debian's chromium is missing; run 'sudo apt-get install chromium'" >&2
    echo "install.sh: (only -a render=auto|always needs it)" >&2
  fi
fi

# Debian's Redis: the shared-crawl tests start their own redis-server on a loopback port.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq redis-server >/dev/null
  else
    echo "install.sh: Debian's redis-server is missing; run 'sudo apt-get install redis-server'" >&2
    echo "install.sh: (only a crawl shared by many workers, and its tests, need it)" >&2
  fi
fi

# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the playwright wheel never fetches a browser by itself,
# and this makes sure no later step does either.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
