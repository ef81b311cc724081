#!/usr/bin/env bash
# Make sure the machine has what `make run` / `make test` need from the system:
# Python's venv module and, for the browser tests, Debian's Chromium.
# Installs with apt-get when run as root; otherwise says what to install.
set -euo pipefail

need_apt=()
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  need_apt+=("python3-venv")
fi
if [[ "${1:-}" == "--browser" ]] && ! command -v chromium >/dev/null 2>&1; then
  need_apt+=("chromium")
fi
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "Please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi
