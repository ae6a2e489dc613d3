#!/usr/bin/env bash
# Builds tests/fixtures/spread with a waxseal binary and lays its cards side
# by side, a sheet per theme and one of the sizes, to look at (ImageMagick's
# `montage`). Usage: tests/spread.sh [BINARY] [SHEETS_FOLDER]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../target/debug/waxseal}"
sheets="${2:-spread-sheets}"
site="$(mktemp -d)"
trap 'rm -rf "$site"' EXIT
cp -r "$here/fixtures/spread/." "$site/"
"$bin" build --root "$site" --quiet
mkdir -p "$sheets"
if ! command -v montage >/dev/null; then
  echo "built into $site/output; install ImageMagick for the sheets" >&2
  exit 0
fi
kinds="three-words two-sentences sixty-words story list long-title no-title german japanese arabic hebrew"
for theme in chocolate classic kraft minimal; do
  montage $(for k in $kinds; do echo "$site/output/cards/$theme/$k/thumb.png"; done) \
    -tile 6x2 -geometry +6+6 -background '#888' "$sheets/$theme.png"
done
montage "$site"/output/cards/sizes/*/thumb.png -tile 4x2 -geometry +6+6 -background '#888' "$sheets/sizes.png"
echo "sheets in $sheets/: chocolate.png classic.png kraft.png minimal.png sizes.png"
