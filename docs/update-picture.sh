#!/usr/bin/env bash
# Rebuilds the example site and copies two of its cards into docs/ for the
# README: the thank-you card and the shop's card with logo, photo,
# signature and QR code.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -- build --quiet
cp output/cards/thank-you-deb/card.png docs/card.png
cp output/cards/orders/vase-for-mira/card.png docs/shop-card.png
echo "docs/card.png and docs/shop-card.png updated"
