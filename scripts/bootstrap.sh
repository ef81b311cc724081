#!/usr/bin/env bash
# Make sure the machine has what `make run` / `make test` need from the system:
# Python's venv module, ICU's headers for PyICU and, for the tests (--browser), Debian's Chromium, LibreOffice
# Calc without a GUI (a CSV export must open in it with Kazakh letters intact) and OpenSSL's GOST engine (the
# tests check that OpenSSL and Dauys agree on GOST signatures).
# Installs with apt-get when run as root; otherwise says what to install.
set -euo pipefail

need_apt=()
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  need_apt+=("python3-venv")
fi
# PyICU (collation) builds against ICU: its headers, pkg-config and a C++ compiler.
if ! pkg-config --exists icu-i18n >/dev/null 2>&1; then
  need_apt+=("libicu-dev" "pkg-config")
fi
if ! command -v g++ >/dev/null 2>&1; then
  need_apt+=("g++")
fi
if ! python3 -c "import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))"; then
  need_apt+=("python3-dev")
fi
# The chaos tests run a PostgreSQL server (initdb, pg_ctl) and a redis-server of their own.
if [[ "${1:-}" == "--browser" ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_apt+=("postgresql")
fi
if [[ "${1:-}" == "--browser" ]] && ! command -v redis-server >/dev/null 2>&1; then
  need_apt+=("redis-server")
fi
if [[ "${1:-}" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
  need_apt+=("chromium")
fi
if [[ "${1:-}" == "--browser" ]] && ! openssl engine gost >/dev/null 2>&1; then
  need_apt+=("libengine-gost-openssl")
fi
lean_apt=()  # installed without their recommended packages
if [[ "${1:-}" == "--browser" ]] && ! command -v soffice >/dev/null 2>&1; then
  lean_apt+=("libreoffice-calc-nogui")
fi
if ((${#need_apt[@]} + ${#lean_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need_apt[*]} ${lean_apt[*]} with apt-get"
    apt-get update -qq
    if ((${#need_apt[@]})); then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
    if ((${#lean_apt[@]})); then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${lean_apt[@]}" >/dev/null
    fi
  else
    echo "Please install: ${need_apt[*]} ${lean_apt[*]} (e.g. sudo apt-get install ${need_apt[*]} ${lean_apt[*]})" >&2
    exit 1
  fi
fi
