#!/usr/bin/env bash
# Create the project's virtual environment. On a fresh Debian, `python3 -m venv` fails until
# the python3-venv package is installed; as root we install it, otherwise we say what to do.
set -euo pipefail
python=${1:?python interpreter}
venv=${2:?venv directory}

if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "tracktwo needs Python 3.11 or newer (found: ${python:-none}). On Debian: apt-get install python3" >&2
    exit 2
fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian's python3-venv (needed to create $venv) ..."
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null; }
        "$python" -m venv "$venv"
    else
        echo "Cannot create a virtual environment: install Debian's python3-venv (sudo apt-get install python3-venv) and run make again." >&2
        exit 2
    fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
