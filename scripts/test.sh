#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run them all.
#   bash scripts/test.sh [pytest arguments]
# Picks Python 3.12 (Community Cloud's default; 3.11 and 3.13 also work, 3.14
# has no TensorFlow wheel), or the interpreter named by $PYTHON, makes a virtual
# environment for it outside the checkout (in ~/.cache/keras-designer/, or
# $DESIGNER_VENVS: Streamlit's file watcher would otherwise scan its tens of
# thousands of files at every start of the app), installs the Python packages
# (requirements-dev.txt) and this checkout, editable (pip install -e .: the
# benchmarks import designer, ui and tests' helpers through it), into it and,
# for the browser and proxy tests, Debian's chromium and nginx packages
# (Playwright's own browser download is not used).
# Needs root or sudo for apt-get the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

supported() { "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; }

base=""
for candidate in "${PYTHON:-}" python3.12 "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.12*/bin/python3.12 python3.11 python3.13 python3; do
  if [ -n "$candidate" ] && supported "$candidate"; then base="$candidate"; break; fi
done
if [ -z "$base" ]; then
  echo "No Python 3.11 to 3.13 found (TensorFlow 2.21 has wheels for those only); set PYTHON=/path/to/python3.12" >&2
  exit 2
fi
version="$("$base" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
venv="${DESIGNER_VENVS:-${XDG_CACHE_HOME:-$HOME/.cache}/keras-designer}/py$version"
[ -x "$venv/bin/python" ] || "$base" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "Testing with $("$venv/bin/python" --version) in $venv"
exec "$venv/bin/python" -m pytest "$@"
