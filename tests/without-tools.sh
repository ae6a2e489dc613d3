#!/usr/bin/env bash
# Runs a command as on a laptop without the outside programs some tests need:
# no chromium, no poppler tools, no GNU time, and a python3 that cannot
# import aiosmtpd (it runs without its site packages). Shows the skip rule at
# work (see tests/README.md):
#
#   tests/without-tools.sh cargo test                            # passes, with "skipped:" notices
#   WAXSEAL_REQUIRE_TOOLS=1 tests/without-tools.sh cargo test    # fails: CI's rule
#
# The PATH becomes a temporary folder of links to every other program on it.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }

hidden=" chromium chromium-browser google-chrome pdfinfo pdffonts pdftotext pdftoppm time python3 "
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT

python=$(command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; print(sys.executable)' || true)
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for program in "$dir"/*; do
    name=${program##*/}
    if [ -x "$program" ] && [ ! -d "$program" ] && [[ $hidden != *" $name "* ]] && [ ! -e "$bin/$name" ]; then
      ln -s "$program" "$bin/$name"
    fi
  done
done
if [ -n "$python" ]; then
  printf '#!/bin/sh\nexec %q -S "$@"\n' "$python" >"$bin/python3"
  chmod +x "$bin/python3"
fi

# GNU time is called by its path: point the tests at one that is not there.
PATH=$bin WAXSEAL_GNU_TIME=/nonexistent/time "$@"
