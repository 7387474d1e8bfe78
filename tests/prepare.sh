#!/usr/bin/env bash
# Makes sure what the test suite talks to is here: a running PostgreSQL on 127.0.0.1:5432
# and Debian's Chromium for the browser tests. Safe to run again; does nothing when all is set.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "Installing Chromium from Debian's packages..."
  apt_install chromium
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages..."
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf="/etc/postgresql/$version/main"
  # Tests connect as postgres over TCP without a password, as on the development machines.
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$conf/pg_hba.conf"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf/pg_hba.conf"
  fi
  echo "Starting PostgreSQL $version..."
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

# Schemathesis, the API fuzzer of tests/api/openapi_fuzz_test.ts, in its own virtualenv. Python 3.11.7's
# ast module has a bug (CPython gh-106905) that makes Hypothesis fail at random, so the newest Python 3.12+
# found is used, and the machine's python3 only when there is none.
SCHEMATHESIS_VERSION=4.32.5
fuzz_venv=.venv/fuzz
if ! "$fuzz_venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python=""
  for candidate in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3 2>/dev/null | sort -rV) \
    "$(command -v python3 || true)"; do
    if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
      python=$candidate
      break
    fi
  done
  if [ -z "$python" ]; then
    command -v python3 >/dev/null || apt_install python3 python3-venv
    python=$(command -v python3)
  fi
  echo "Installing schemathesis $SCHEMATHESIS_VERSION into $fuzz_venv (with $("$python" --version))..."
  rm -rf "$fuzz_venv"
  "$python" -m venv "$fuzz_venv" || { apt_install python3-venv && "$python" -m venv "$fuzz_venv"; }
  "$fuzz_venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" 2>&1 |
    grep -v "^WARNING: Location" || true
  "$fuzz_venv/bin/st" --version
fi
