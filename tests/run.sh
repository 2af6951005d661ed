#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite (arguments go to pytest).
# LibreOffice (with python3-uno), Gnumeric and poppler-utils come from Debian packages,
# installed with apt-get when they are missing and we are root; without them the engine
# tests skip, unless SHEETSIM_REQUIRE_ENGINES=1 makes them fail.
#
#   tests/run.sh                  # everything, as CI runs it
#   tests/run.sh -m "not slow"    # the quick local run: no full-size builds or engine runs
#                                 # of big workbooks (slow: the golden SHA-256 of every
#                                 # default and preset, full-size verifies and engines)
#   tests/run.sh -m "not engine"  # without LibreOffice, Gnumeric and Node.js
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v ssconvert >/dev/null 2>&1 || missing+=(gnumeric)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# UNO for Debian's python3: the interactive tests drive a running LibreOffice with it
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing+=(python3-uno)
# a Japanese font, so `sheetsim render` draws --lang ja workbooks legibly
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=ja 2>/dev/null)" ]; then
  missing+=(fonts-ipafont-gothic)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${missing[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed and not root: engine tests will skip" >&2
  fi
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
# HyperFormula, exceljs and SheetJS for tests/test_fidelity.py: test-only, pinned in
# tests/js/package-lock.json, never shipped
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
else
  echo "note: npm not installed: the HyperFormula and SheetJS tests will skip" >&2
fi
python3 -m ruff check .
lint-imports
python3 -m pytest "$@"
