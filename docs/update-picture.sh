#!/usr/bin/env bash
# Rebuilds the example site and copies the thank-you card into docs/ for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -- build --quiet
cp output/cards/thank-you-deb/card.png docs/card.png
echo "docs/card.png updated"
