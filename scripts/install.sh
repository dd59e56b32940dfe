#!/usr/bin/env bash
# Everything newscrawl needs, on a fresh Debian machine or any other: Debian's Chromium (for
# rendered pages; never a downloaded browser), Debian's redis-server (shared crawls and their
# tests), and the package with its test extras in a
# virtualenv of its own, .venv/ in the repository (Debian's own Python refuses `pip install`
# outside one: PEP 668, "externally-managed-environment"). Then .venv/bin/scrapy and
# .venv/bin/python are newscrawl's. Run it again at will: it reuses .venv/.
#
#   PYTHON=/usr/bin/python3 bash scripts/install.sh   # the interpreter to make .venv with
#                                                      # (default: python3 on PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
apt_updated=""

say() { echo "install.sh: $*" >&2; }

# apt-get install, as root only; false when this machine cannot (not root, or no apt-get).
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq "$@" >/dev/null
}

if ! command -v chromium >/dev/null 2>&1; then
  if ! apt_install chromium; then
    say "Debian's chromium is missing; run 'sudo apt-get install chromium'"
    say "(only -a render=auto|always needs it)"
  fi
fi

# Debian's Redis: only a crawl shared by many workers (NEWSCRAWL_REDIS_URL) needs a Redis, and
# its tests start their own redis-server on a loopback port.
if ! command -v redis-server >/dev/null 2>&1; then
  if ! apt_install redis-server; then
    say "Debian's redis-server is missing; run 'sudo apt-get install redis-server'"
    say "(only a crawl shared by many workers, and its tests, need it)"
  fi
fi

# Debian's valgrind: only the instruction-count benchmark (benchmarks/extraction_instructions.py,
# a figure the machine's speed does not move) and its smoke test need it.
if ! command -v valgrind >/dev/null 2>&1; then
  if ! apt_install valgrind; then
    say "Debian's valgrind is missing; run 'sudo apt-get install valgrind'"
    say "(only benchmarks/extraction_instructions.py needs it)"
  fi
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  apt_install python3 python3-venv || { say "no $PYTHON: run 'sudo apt-get install python3 python3-venv'"; exit 1; }
fi

# A virtualenv needs the venv and ensurepip modules, which Debian ships apart (python3-venv).
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3-venv || {
      say "$PYTHON cannot make a virtualenv: run 'sudo apt-get install python3-venv'"
      exit 1
    }
  fi
  "$PYTHON" -m venv --clear "$VENV"
fi

# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the playwright wheel never fetches a browser by itself,
# and this makes sure no later step does either.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
say "newscrawl is installed in $VENV/ ($("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')): run $VENV/bin/scrapy, $VENV/bin/python"
