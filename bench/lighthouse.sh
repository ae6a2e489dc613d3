#!/usr/bin/env bash
# Lighthouse on a generated site, as a phone and a desktop see it, with the
# W3C Nu checker and axe-core beside it (issue 22).
#
#   bash bench/lighthouse.sh [N] [--runs R] [--corpus realistic|plain] [--no-build]
#
#   N            messages in the site (default 120)
#   --runs R     Lighthouse runs per page and preset (default 3); medians are reported
#   --corpus C   realistic (default): bench/generate.py --realistic; plain: bench/generate.py
#   --no-build   use the waxseal binary already built (WAXSEAL_BIN, else target/release/waxseal)
#   LABEL=TEXT   (environment) how the table names the binary (default: at the repository's commit)
#
# The site is built into its output/ and served as it is by Python's
# http.server (no compression, no cache headers: what any static host does
# at least). Lighthouse 12 runs the mobile preset (simulated slow 4G and a
# 4x slower CPU) and the desktop one on the gallery, its page 2, the
# biggest tag's page and the newest card's page. Then: every page through
# the Nu checker, axe-core on those pages and the 404 page, and which of
# waxseal's own files a static host would publish.
#
# Everything it installs or writes is outside the repository:
#   /tmp/bench-peers/lighthouse   lighthouse, axe-core, puppeteer-core, vnu-jar (npm registry)
#   $BENCH_WORK (default /tmp/waxseal-lighthouse): the site, Lighthouse's JSON, results.md
# Chromium and a Java runtime (for the Nu checker) come from Debian when missing.
set -euo pipefail

N=120
RUNS=3
CORPUS=realistic
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) N=$1; shift ;;
  esac
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-/tmp/waxseal-lighthouse}
TOOLS=/tmp/bench-peers/lighthouse
WAX=${WAXSEAL_BIN:-$REPO/target/release/waxseal}
log() { echo "== $*" >&2; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} (apt-get)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
log "installing lighthouse, axe-core and the Nu checker into $TOOLS (npm registry)"
mkdir -p "$TOOLS"
cp "$REPO/bench/lighthouse/axe.mjs" "$TOOLS/"
if ! cmp -s "$REPO/bench/lighthouse/package.json" "$TOOLS/package.json" || [ ! -d "$TOOLS/node_modules/lighthouse" ]; then
  cp "$REPO/bench/lighthouse/package.json" "$TOOLS/"
  # --ignore-scripts: nothing here needs an install script (puppeteer-core
  # drives Debian's Chromium; none is downloaded).
  (cd "$TOOLS" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
fi

if [ "$BUILD" = 1 ]; then
  log "building waxseal (release)"
  (cd "$REPO" && cargo build --release --quiet)
fi

rm -rf "$WORK" && mkdir -p "$WORK/lh"
flag=()
[ "$CORPUS" = realistic ] && flag=(--realistic)
log "generating $N messages ($CORPUS) into $WORK/site"
python3 "$REPO/bench/generate.py" "$N" "$WORK/site" "${flag[@]}" >/dev/null
log "building the site"
"$WAX" build --root "$WORK/site" -q || true
OUT=$WORK/site/output

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 -d "$OUT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
BASE=http://127.0.0.1:$PORT
for _ in $(seq 50); do curl -fs "$BASE/" >/dev/null && break; sleep 0.1; done

# The pages: the gallery, its page 2, the tag with the most cards, the newest card.
read -r TAG CARD < <(python3 - "$OUT" <<'PY'
import os, re, sys
out = sys.argv[1]
tags = [(sum(len(f) for _, _, f in os.walk(os.path.join(out, 'tags', t))), t) for t in os.listdir(os.path.join(out, 'tags'))]
gallery = open(os.path.join(out, 'index.html'), encoding='utf-8').read()
card = re.search(r'<ul class="gallery">.*?href="/?([^"]*cards/[^"]*)"', gallery, re.S).group(1)
print(max(tags)[1], card)
PY
)
PAGES=("gallery $BASE/" "page-2 $BASE/page/2/" "tag $BASE/tags/$TAG/" "card $BASE/$CARD")

export CHROME_PATH=$(command -v chromium)
FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
for preset in mobile desktop; do
  for page in "${PAGES[@]}"; do
    set -- $page
    for run in $(seq "$RUNS"); do
      log "lighthouse $preset $1 (run $run of $RUNS)"
      extra=()
      [ "$preset" = desktop ] && extra=(--preset=desktop)
      node "$TOOLS/node_modules/lighthouse/cli/index.js" "$2" "${extra[@]}" --quiet \
        --chrome-flags="$FLAGS --user-data-dir=$WORK/profile-$preset-$1-$run" \
        --only-categories=performance,accessibility,best-practices,seo \
        --output=json --output-path="$WORK/lh/$preset-$1-$run.json" || log "lighthouse failed on $2"
    done
  done
done

log "Nu checker on every page"
java -jar "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" --errors-only --skip-non-html --format json "$OUT" \
  2> "$WORK/vnu.json" || true
log "axe-core"
(cd "$TOOLS" && node axe.mjs "$BASE/" "$BASE/page/2/" "$BASE/tags/$TAG/" "$BASE/$CARD" "$BASE/404.html") > "$WORK/axe.jsonl"
log "waxseal's own files under output/"
find "$OUT" -name '.waxseal*' -maxdepth 2 | sed "s|^$OUT/||" > "$WORK/private.txt" || true
while read -r f; do
  echo "$f $(curl -s -o /dev/null -w '%{http_code}' "$BASE/$f")"
done < "$WORK/private.txt" > "$WORK/private-status.txt"

python3 "$REPO/bench/lighthouse/summary.py" "$WORK" "$N" "$RUNS" "${LABEL:-at $(cd "$REPO" && git rev-parse --short HEAD)}" | tee "$WORK/results.md"
