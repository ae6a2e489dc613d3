#!/usr/bin/env bash
# Mail merge at scale: one message whose `recipients:` CSV has N rows, built
# from an empty output folder; wall time and peak memory for each N.
#
#   bash bench/merge.sh [N ...] [--outputs LIST] [--runs R] [--no-build]
#
#   N ...          row counts (default: 1000 10000); memory must stay flat as N grows
#   --outputs LIST what each card makes, as `waxseal build --outputs` takes it
#                  (default png: the print card, thumbnail and link preview;
#                  `png,pdf` once PDF output is there; `html,png,svg` for everything)
#   --runs R       builds per N (default 1); the median time and the highest peak are reported
#   --no-build     use the release binary already built
#
# Writes only outside the repository, in $BENCH_WORK (default /tmp/waxseal-bench):
#   merge-N/       the site: content/thanks.md and content/orders.csv (fixed seed)
#   merge.md       the table
# and the output, merge-N-out/, in $BENCH_OUT (default $BENCH_WORK), removed
# once measured: 10,000 A6 cards as PNG take about 7 GB.
set -euo pipefail

ROWS=()
OUTPUTS=png
RUNS=1
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --outputs) OUTPUTS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) ROWS+=("$1"); shift ;;
  esac
done
[ ${#ROWS[@]} -eq 0 ] && ROWS=(1000 10000)

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-/tmp/waxseal-bench}
OUT_DIR=${BENCH_OUT:-$WORK}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
mkdir -p "$WORK/bin"
log() { printf '\n== %s\n' "$*" >&2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package time)" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then
  log "building waxseal (release)"
  (cd "$REPO" && cargo build --release -q)
fi
# A private copy: another build in the shared target folder cannot swap the
# binary in the middle of the run.
cp "$TARGET/release/waxseal" "$WORK/bin/waxseal-merge"
WAX=$WORK/bin/waxseal-merge
COMMIT="$(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- src Cargo.toml themes || echo ' (with uncommitted changes)')"

# One site per row count: the same message, N generated rows (fixed seed).
make_site() {
  local n=$1 dir=$2
  rm -rf "$dir"
  mkdir -p "$dir/content"
  printf 'title: Merge benchmark\n' > "$dir/waxseal.yaml"
  cat > "$dir/content/thanks.md" <<'EOF'
---
recipients: orders.csv
title: Thank you, {{ recipient.name }}
to: "{{ recipient.name }}"
from: Beverly
date: "{{ recipient.shipped }}"
slug: thanks/{{ recipient.order_id }}
tags: [thank-you]
---
Dear {{ recipient.nickname | default(value=recipient.name) }},

your {{ recipient.items }} {{ recipient.items | plural(one="record", other="records") }}
left the shop on {{ date | date(format="%A, %B %o") }}, wrapped in brown paper
and tied with *string*, the way we like to send them.

Thank you for shopping with us: every order keeps the lights on in our
little studio, and we hope the music sounds as good as it did when we
played it for you. Come back and tell us what you thought.
EOF
  python3 - "$n" "$dir/content/orders.csv" <<'EOF'
import csv, datetime, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261124)
first = ["Deb", "Amélie", "Jürgen", "Noor", "Sam", "Oksana", "Chloé", "Tomás", "Ingrid", "Priya",
         "Ruth", "Björn", "Zoë", "Hamid", "Lucía", "Ελένη", "Дмитрий", "Mateo", "Søren", "Gwen"]
last = ["Archer", "Okafor", "Lindqvist", "García", "Nakamura", "Novak", "Brennan", "Haddad", "Kowalski", "Dubois"]
start = datetime.date(2026, 6, 1)
with open(path, "w", newline="", encoding="utf-8") as f:
    out = csv.writer(f)
    out.writerow(["name", "nickname", "order_id", "items", "shipped"])
    for i in range(n):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        nickname = rng.choice(first) if rng.random() < 0.2 else ""
        day = start + datetime.timedelta(days=rng.randrange(120))
        out.writerow([name, nickname, f"A-{100000 + i}", rng.randint(1, 6), day.isoformat()])
EOF
}

STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=()
for n in "${ROWS[@]}"; do
  site=$WORK/merge-$n
  out=$OUT_DIR/merge-$n-out
  log "generating $n rows into $site"
  make_site "$n" "$site"
  times=()
  peak=0
  for run in $(seq "$RUNS"); do
    log "building $n cards (--outputs $OUTPUTS), run $run of $RUNS"
    rm -rf "$out" "$site/.waxseal"   # the folder and its state: a cold build
    /usr/bin/time -v -o "$WORK/merge-$n.time" "$WAX" build --root "$site" --output "$out" --outputs "$OUTPUTS" -q
    wall=$(grep 'Elapsed (wall clock)' "$WORK/merge-$n.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$WORK/merge-$n.time" | awk '{print $NF}')
    # m:ss.ss or h:mm:ss to seconds.
    secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    times+=("$secs")
    [ "$rss" -gt "$peak" ] && peak=$rss
    cards=$(find "$out/cards/thanks" -mindepth 1 -maxdepth 1 -type d | wc -l)
    [ "$cards" -eq "$n" ] || { echo "expected $n cards, found $cards" >&2; exit 1; }
    rm -rf "$out" "$site/.waxseal"
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  RESULTS+=("$n $median $peak")
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "Merge benchmark: waxseal $COMMIT, --outputs $OUTPUTS, $RUNS run(s) per row count"
  echo "started $STARTED on $(nproc) cores; load average $LOAD_BEFORE before, $LOAD_AFTER after; output on $(df --output=fstype "$OUT_DIR" | tail -1)"
  echo
  echo "| rows | time (median) | per card | peak memory |"
  echo "|---|---|---|---|"
  for r in "${RESULTS[@]}"; do
    read -r n secs kb <<<"$r"
    awk -v n="$n" -v s="$secs" -v kb="$kb" 'BEGIN { printf "| %d | %.2f s | %.1f ms | %.1f MB |\n", n, s, s * 1000 / n, kb / 1000 }'
  done
  read -r n0 _ kb0 <<<"${RESULTS[0]}"
  read -r n1 _ kb1 <<<"${RESULTS[${#RESULTS[@]}-1]}"
  if [ "$n0" != "$n1" ]; then
    awk -v a="$kb0" -v b="$kb1" -v n0="$n0" -v n1="$n1" \
      'BEGIN { printf "\npeak memory at %d rows is %.2fx that at %d rows\n", n1, b / a, n0 }'
  fi
} | tee "$WORK/merge.md"
