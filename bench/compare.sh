#!/usr/bin/env bash
# Times waxseal against its peers on one generated corpus, in one run.
#
#   bash bench/compare.sh [N] [--corpus plain|realistic] [--runs R] [--satori-cards M] [--big] [--no-build]
#
#   N               messages in the corpus (default 1000)
#   --corpus C      plain (default): bench/generate.py's corpus; realistic:
#                   bench/generate.py --realistic (emoji, bold, links, lists,
#                   four seal emblems, two themes, three sizes)
#   --runs R        whole-process runs per waxseal/Hugo measurement (default 3); medians are reported
#   --satori-cards M  Satori + resvg-js draws the first M cards of the same corpus
#                   (default 200: it takes ~0.2 s a card); its time for N cards is
#                   extrapolated from the per-card cost over M cards (see bench/README.md)
#   --big           also measure waxseal's peak memory on 10,000 cards (about 4 minutes more)
#   --no-build      use the waxseal binary and floor program already built
#   --no-floor      skip the floor and the warm-session edit (bench/floor)
#   WAXSEAL_BIN=PATH  (environment) time this waxseal binary instead of
#                   target/release/waxseal (with --no-build: a release build
#                   made with its own CARGO_TARGET_DIR)
#
# Everything it installs or writes is outside the repository:
#   /tmp/bench-peers/satori   satori + @resvg/resvg-js from the npm registry
#   /tmp/bench-peers/takumi   @takumi-rs/core from the npm registry
#   /tmp/bench-peers/typst-venv  the typst Python package (pip)
#   /tmp/bench-floor-target   the floor program's cargo target dir
#   $BENCH_WORK (default /tmp/waxseal-bench): corpora, outputs, hyperfine JSON, results.md
# Hugo and hyperfine come from Debian (apt-get) when missing.
set -euo pipefail

N=1000
RUNS=3
SATORI_CARDS=200
BIG=0
BUILD=1
CORPUS=plain
FLOOR_ON=1
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) CORPUS=$2; shift 2 ;;
    --no-floor) FLOOR_ON=0; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --satori-cards) SATORI_CARDS=$2; shift 2 ;;
    --big) BIG=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) N=$1; shift ;;
  esac
done
[ "$SATORI_CARDS" -gt "$N" ] && SATORI_CARDS=$N
case "$CORPUS" in
  plain) GEN_FLAG= ;;
  realistic) GEN_FLAG=--realistic ;;
  *) echo "--corpus is plain or realistic" >&2; exit 2 ;;
esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-/tmp/waxseal-bench}
PEERS=/tmp/bench-peers
FLOOR_TARGET=/tmp/bench-floor-target
FONTS=$REPO/themes/chocolate/fonts
mkdir -p "$WORK" "$PEERS"
log() { printf '\n== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------
need_apt=()
command -v hugo >/dev/null || need_apt+=(hugo)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} (apt-get)"
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v node >/dev/null || { echo "node and npm are needed for the Satori peer" >&2; exit 1; }

# --- waxseal and the floor program -------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "building waxseal (release) and the floor program"
  (cd "$REPO" && cargo build --release -q)
  [ "$FLOOR_ON" = 1 ] && (cd "$REPO/bench/floor" && CARGO_TARGET_DIR=$FLOOR_TARGET cargo build --release -q)
fi
# A private copy: other builds in the shared target dir cannot swap the
# binary (and its cache fingerprint) in the middle of the run.
mkdir -p "$WORK/bin"
cp "${WAXSEAL_BIN:-$REPO/target/release/waxseal}" "$WORK/bin/waxseal"
WAX_COMMIT="$(cd "$REPO" && git rev-parse --short HEAD)$(cd "$REPO" && git diff --quiet HEAD -- src Cargo.toml themes || echo ' (with uncommitted changes)')"
WAX=$WORK/bin/waxseal
FLOOR=$FLOOR_TARGET/release/waxseal-floor
EDITOR_BENCH=$FLOOR_TARGET/release/waxseal-edit

# --- Satori + resvg-js -------------------------------------------------------
log "installing satori + @resvg/resvg-js into $PEERS/satori (npm registry)"
mkdir -p "$PEERS/satori"
cp "$REPO/bench/satori/render.mjs" "$PEERS/satori/"
if ! cmp -s "$REPO/bench/satori/package.json" "$PEERS/satori/package.json" || [ ! -d "$PEERS/satori/node_modules/satori" ]; then
  cp "$REPO/bench/satori/package.json" "$PEERS/satori/"
  (cd "$PEERS/satori" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
SATORI_VERSION=$(node -p "require('$PEERS/satori/node_modules/satori/package.json').version")
RESVG_VERSION=$(node -p "require('$PEERS/satori/node_modules/@resvg/resvg-js/package.json').version")

# --- Takumi and Typst ----------------------------------------------------------
log "installing @takumi-rs/core into $PEERS/takumi (npm registry)"
mkdir -p "$PEERS/takumi"
cp "$REPO/bench/takumi/render.mjs" "$PEERS/takumi/"
if ! cmp -s "$REPO/bench/takumi/package.json" "$PEERS/takumi/package.json" || [ ! -d "$PEERS/takumi/node_modules/@takumi-rs/core" ]; then
  cp "$REPO/bench/takumi/package.json" "$PEERS/takumi/"
  (cd "$PEERS/takumi" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
TAKUMI_VERSION=$(node -p "require('$PEERS/takumi/node_modules/@takumi-rs/core/package.json').version")
log "installing the typst Python package into $PEERS/typst-venv (pip)"
[ -x "$PEERS/typst-venv/bin/python" ] || python3 -m venv "$PEERS/typst-venv"
"$PEERS/typst-venv/bin/pip" install -q -r "$REPO/bench/typst/requirements.txt"
TYPST_VERSION=$("$PEERS/typst-venv/bin/python" -c "import importlib.metadata as m; print(m.version('typst'))")

# --- the corpus ---------------------------------------------------------------
SITE=$WORK/site-$CORPUS-$N
log "generating $N messages ($CORPUS) into $SITE"
rm -rf "$SITE"
python3 "$REPO/bench/generate.py" "$N" "$SITE" $GEN_FLAG
HUGO_SITE=$WORK/hugo-$CORPUS-$N
rm -rf "$HUGO_SITE"
cp -r "$REPO/bench/hugo" "$HUGO_SITE"
cp -r "$SITE/content" "$HUGO_SITE/content"

J=$WORK/json
rm -rf "$J"
mkdir -p "$J"
OUT=$WORK/out-$CORPUS-$N
# What waxseal keeps of its builds into output folder $2 of site $1 (the
# lock, the manifest, the cache, the kept layers) is in the site's
# .waxseal/, named after the folder and, for a folder outside the site, a
# hash of its path: a glob of it, removed with the folder for a cold build.
state_of() { printf '%s/.waxseal/%s-????????' "$1" "$(basename "$2")"; }
HF=(hyperfine --style basic --shell=bash)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- measurements ----------------------------------------------------------------
log "waxseal full build, $N cards, clean output (default jobs: one per core)"
rm -f "$J/mem-full.txt"
"${HF[@]}" --runs "$RUNS" --prepare "rm -rf $OUT $(state_of "$SITE" "$OUT")" --export-json "$J/full.json" \
  "/usr/bin/time -a -o $J/mem-full.txt -f %M $WAX build --root $SITE --output $OUT -q"

log "waxseal no-op rebuild"
"${HF[@]}" --warmup 1 --runs 10 --export-json "$J/noop.json" "$WAX build --root $SITE --output $OUT -q"

log "waxseal one-card edit (a word appended to one message, then a rebuild)"
EDIT=$SITE/content/msg-$(printf '%05d' $(( (N + 1) / 2 ))).md
cp "$EDIT" "$WORK/edited-message.bak"
"${HF[@]}" --warmup 1 --runs 10 --prepare "echo again >> $EDIT" --export-json "$J/edit.json" \
  "$WAX build --root $SITE --output $OUT -q"
cp "$WORK/edited-message.bak" "$EDIT"

log "waxseal one-card edit in a warm session (as serve rebuilds; bench/floor's waxseal-edit)"
rm -f "$J/edit-session.txt"
[ "$FLOOR_ON" = 1 ] && for _ in $(seq "$RUNS"); do
  "$EDITOR_BENCH" "$SITE" "$OUT" --rounds 10 --message "content/$(basename "$EDIT")" | tee -a "$J/edit-session.txt"
done
"$WAX" build --root "$SITE" --output "$OUT" -q   # the output matches the corpus again (for the floor's --check)

log "waxseal full build --jobs 1"
"${HF[@]}" --runs "$RUNS" --prepare "rm -rf $OUT-j1 $(state_of "$SITE" "$OUT-j1")" --export-json "$J/jobs1.json" \
  "$WAX build --root $SITE --output $OUT-j1 --jobs 1 -q"
rm -rf "$OUT-j1" $(state_of "$SITE" "$OUT-j1")

# What the peers make: card PNGs (waxseal also makes each card's thumbnail
# and link-preview PNG), no pages. From a removed output folder and its
# state, so also without the cache of drawn artwork and seals: a cold build.
log "waxseal card PNGs only (--outputs png; card, thumbnail, share image), 2 jobs and 1 job"
rm -f "$J/mem-png.txt"
"${HF[@]}" --runs "$RUNS" --prepare "rm -rf $OUT-png $(state_of "$SITE" "$OUT-png")" --export-json "$J/png.json" \
  -n "png 2 jobs" "/usr/bin/time -a -o $J/mem-png.txt -f %M $WAX build --root $SITE --output $OUT-png --outputs png -q" \
  -n "png 1 job" "$WAX build --root $SITE --output $OUT-png --outputs png --jobs 1 -q"
rm -rf "$OUT-png" $(state_of "$SITE" "$OUT-png")

# Cold against warm, in alternation: a new output folder with no state (no
# kept bases or seals) against a folder whose kept layers stay while every message
# changes (a blank line added at its end), so every card is drawn again
# from the kept bases and seals. On a copy of the corpus, one job.
log "waxseal card PNGs, 1 job: cold (new folder) vs warm (layers kept, every card drawn again)"
SITE_W=$WORK/site-warm
rm -rf "$SITE_W" "$OUT-warm"
cp -r "$SITE" "$SITE_W"
rm -rf "$SITE_W/.waxseal"   # the states of the other outputs of $SITE
"$WAX" build --root "$SITE_W" --output "$OUT-warm" --outputs png -q
python3 "$REPO/bench/interleave.py" --warmup 1 --runs $((RUNS * 2 + 2)) --export-json "$J/cold-warm.json" \
  --prepare "rm -rf $OUT-cold $(state_of "$SITE_W" "$OUT-cold"); for f in $SITE_W/content/*.md; do echo >> \$f; done" \
  -n cold -n warm \
  "$WAX build --root $SITE_W --output $OUT-cold --outputs png --jobs 1 -q" \
  "$WAX build --root $SITE_W --output $OUT-warm --outputs png --jobs 1 -q"
rm -rf "$SITE_W" "$OUT-warm" "$OUT-cold"

log "HTML only: waxseal --outputs html vs Hugo (alternating runs)"
python3 "$REPO/bench/interleave.py" --warmup 1 --runs $((RUNS * 3 + 2)) --export-json "$J/html.json" \
  --prepare "rm -rf $OUT-html $(state_of "$SITE" "$OUT-html") $HUGO_SITE/public $HUGO_SITE/resources" \
  -n waxseal -n hugo \
  "$WAX build --root $SITE --output $OUT-html --outputs html -q" \
  "hugo --quiet -s $HUGO_SITE"

# The same, each run writing into a new folder: right after `rm -rf` of a
# thousand folders, ext4 skips the just-freed inodes while it allocates new
# ones, and that kernel work (the same for both) is most of the runs above.
log "HTML only into a new output folder each run (nothing removed just before)"
FRESH=$WORK/html-fresh
rm -rf "$FRESH" && mkdir -p "$FRESH"
python3 "$REPO/bench/interleave.py" --warmup 1 --runs $((RUNS * 3 + 2)) --export-json "$J/html-fresh.json" \
  -n waxseal -n hugo \
  "sh -c 'd=\$(mktemp -d -p $FRESH); $WAX build --root $SITE --output \$d --outputs html -q'" \
  "sh -c 'd=\$(mktemp -d -p $FRESH); hugo --quiet -s $HUGO_SITE -d \$d'"
# Each new folder had a state folder of its own (tmp.XXXXXXXXXX-HASH).
rm -rf "$FRESH" "$SITE"/.waxseal/tmp.*

log "Satori + resvg-js ($SATORI_VERSION, $RESVG_VERSION), first $SATORI_CARDS cards: sequential and 2 workers"
SAT_OUT=$WORK/satori-out
SAT="node $PEERS/satori/render.mjs $SITE/corpus.json $SAT_OUT --fonts $FONTS"
[ "$CORPUS" = realistic ] && SAT="node $PEERS/satori/render.mjs $SITE/corpus.json $SAT_OUT --themes $REPO/themes"
"${HF[@]}" --runs "$RUNS" --prepare "rm -rf $SAT_OUT" --export-json "$J/satori1.json" \
  -n "satori 1 card" "$SAT --limit 1"
SAT_RUNS=$RUNS
[ "$SATORI_CARDS" -ge 500 ] && SAT_RUNS=1
"${HF[@]}" --runs "$SAT_RUNS" --prepare "rm -rf $SAT_OUT" --export-json "$J/satori.json" \
  -n "satori sequential" "$SAT --limit $SATORI_CARDS" \
  -n "satori 2 workers" "$SAT --limit $SATORI_CARDS --workers 2"

# Takumi and Typst draw every card of the corpus (about 20 and 70 ms a card).
for peer in takumi typst; do
  P_OUT=$WORK/$peer-out
  if [ $peer = takumi ]; then
    P="node $PEERS/takumi/render.mjs $SITE/corpus.json $P_OUT --themes $REPO/themes"
    log "Takumi $TAKUMI_VERSION, $N cards: 1 card, sequential and 2 workers"
  else
    P="$PEERS/typst-venv/bin/python $REPO/bench/typst/render.py $SITE/corpus.json $P_OUT --themes $REPO/themes"
    log "Typst $TYPST_VERSION (Python package), $N cards: 1 card, sequential and 2 processes"
  fi
  "${HF[@]}" --runs "$RUNS" --prepare "rm -rf $P_OUT" --export-json "$J/$peer.json" \
    -n "$peer 1 card" "$P --limit 1" \
    -n "$peer sequential" "$P" \
    -n "$peer 2 workers" "$P --workers 2"
  rm -rf "$P_OUT"
done

rm -f "$J/floor.txt" "$J/floor-check.txt"
if [ "$FLOOR_ON" = 1 ]; then
  log "the floor: render + fast encode of the same card pixels, in process, 2 threads, $N cards"
  "$FLOOR" "$SITE" --check "$OUT" --threads 1 --variants layered --cards 20 | grep '^check' | tee "$J/floor-check.txt"
  for _ in $(seq "$RUNS"); do
    "$FLOOR" "$SITE" --threads 2 | grep '^FLOOR' >> "$J/floor.txt"
  done
fi

if [ "$BIG" = 1 ]; then
  log "peak memory at 10,000 cards"
  SITE_BIG=$WORK/site-10000
  rm -rf "$SITE_BIG" "$WORK/out-10000"
  python3 "$REPO/bench/generate.py" 10000 "$SITE_BIG" $GEN_FLAG
  # A few of 10,000 generated letters are too long for their card: the
  # build reports them and makes the rest, and exits 1 (any other failure
  # still stops the script).
  /usr/bin/time -o "$J/mem-10000.txt" -f "%e %M" "$WAX" build --root "$SITE_BIG" --output "$WORK/out-10000" -q || [ $? -eq 1 ]
  rm -rf "$WORK/out-10000"
fi

# --- the table ----------------------------------------------------------------
python3 - "$J" "$N" "$SATORI_CARDS" "$BIG" "$SATORI_VERSION" "$RESVG_VERSION" "$TAKUMI_VERSION" "$TYPST_VERSION" "$CORPUS" > "$WORK/results.md" <<'EOF'
import json, os, statistics, sys
J, N, M, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
sat_v, resvg_v, takumi_v, typst_v, corpus = sys.argv[5:10]
def runs(name):
    return {r["command"]: r for r in json.load(open(os.path.join(J, name)))["results"]}
def med(name, key=None):
    r = runs(name)
    r = r[key] if key else next(iter(r.values()))
    return statistics.median(r["times"]), len(r["times"])
full, n_full = med("full.json")
jobs1, n_j1 = med("jobs1.json")
noop, n_noop = med("noop.json")
edit, n_edit = med("edit.json")
# Each waxseal-edit run prints the median of its 10 rounds; the median of those.
path = os.path.join(J, "edit-session.txt")
session = [float(l.split(":")[1].split()[0]) for l in open(path) if l.startswith("median")] if os.path.exists(path) else []
html_w, n_html = med("html.json", "waxseal")
html_h, _ = med("html.json", "hugo")
fresh_w, n_fresh = med("html-fresh.json", "waxseal")
fresh_h, _ = med("html-fresh.json", "hugo")
s1, _ = med("satori1.json")
seq, n_sat = med("satori.json", "satori sequential")
par, _ = med("satori.json", "satori 2 workers")
# Satori for N cards: its fixed cost (one card) plus the per-card cost over M cards.
def extrapolate(t):
    if M >= N:
        return t
    per = (t - s1) / (M - 1) if M > 1 else t
    return s1 + per * (N - 1)
seq_n, par_n = extrapolate(seq), extrapolate(par)
png2, n_png = med("png.json", "png 2 jobs")
png1, _ = med("png.json", "png 1 job")
peers = {p: {k: med(p + ".json", f"{p} {k}")[0] for k in ("1 card", "sequential", "2 workers")} for p in ("takumi", "typst")}
floor = {}
for line in (open(os.path.join(J, "floor.txt")) if os.path.exists(os.path.join(J, "floor.txt")) else []):
    _, variant, threads, ms = line.split()
    floor.setdefault((variant, int(threads)), []).append(float(ms))
floor_runs = {k: len(v) for k, v in floor.items()}
floor = {k: statistics.median(v) for k, v in floor.items()}
mem = [int(x) / 1024 for x in open(os.path.join(J, "mem-full.txt")).read().split()]
print(f"| measurement (N = {N}, {corpus} corpus) | median | runs | target | result |")
print("|---|---|---|---|---|")
print(f"| waxseal card PNGs (`--outputs png`: card, thumbnail, share image), 2 jobs, cold | {png2:.2f} s ({png2 / N * 1000:.1f} ms/card) | {n_png} | | |")
print(f"| waxseal card PNGs, 1 job, cold | {png1:.2f} s ({png1 / N * 1000:.1f} ms/card) | {n_png} | | |")
cold, n_cw = med("cold-warm.json", "cold")
warm, _ = med("cold-warm.json", "warm")
print(f"| waxseal card PNGs, 1 job, warm (layers kept, every card drawn again) | {warm:.2f} s ({warm / N * 1000:.1f} ms/card) | {n_cw} | | |")
print(f"| cold per card against warm, 1 job, in alternation | {cold / N * 1000:.1f} vs {warm / N * 1000:.1f} ms | {n_cw} | cold <= 1.5x warm | {cold / warm:.2f}x {'met' if cold / warm <= 1.5 else 'MISSED'} |")
names = {"takumi": f"Takumi {takumi_v}", "typst": f"Typst {typst_v} (Python)"}
for p, t in peers.items():
    print(f"| {names[p]}, 1 card (fixed cost) | {t['1 card']:.2f} s | {n_png} | | |")
    for mode, wax, goal in (("2 workers", png2, 2), ("sequential", png1, 2)):
        r = t[mode] / wax
        target = f"waxseal PNGs >= {goal}x" if p == "takumi" else ""
        verdict = (" met" if r >= goal else " MISSED") if p == "takumi" else ""
        print(f"| {names[p]}, {mode}, {N} cards (vs waxseal {'2 jobs' if mode == '2 workers' else '1 job'}) | {t[mode]:.2f} s ({t[mode] / N * 1000:.1f} ms/card) | {n_png} | {target} | {r:.2f}x{verdict} |")
print(f"| waxseal full build (PNG+SVG+HTML+thumbs+gallery), default jobs | {full:.2f} s ({full / N * 1000:.1f} ms/card) | {n_full} | | |")
print(f"| waxseal full build, --jobs 1 | {jobs1:.2f} s | {n_j1} | | |")
print(f"| Satori {sat_v} + resvg-js {resvg_v}, sequential, {M} cards | {seq:.2f} s | {n_sat} | | |")
print(f"| Satori + resvg-js, 2 workers, {M} cards | {par:.2f} s | {n_sat} | | |")
print(f"| Satori + resvg-js, 1 card (fixed cost) | {s1:.2f} s | | | |")
note = "" if M >= N else " (extrapolated)"
print(f"| Satori sequential, {N} cards{note} | {seq_n:.1f} s | | waxseal >= 10x faster | {seq_n / full:.1f}x {'met' if seq_n / full >= 10 else 'MISSED'} |")
print(f"| Satori 2 workers, {N} cards{note} | {par_n:.1f} s | | waxseal >= 5x faster | {par_n / full:.1f}x {'met' if par_n / full >= 5 else 'MISSED'} |")
print(f"| Satori 2 workers vs waxseal card PNGs, 2 jobs | | | waxseal PNGs >= 10x | {par_n / png2:.1f}x {'met' if par_n / png2 >= 10 else 'MISSED'} |")
for variant in ("whole", "layered", "png-set"):
    if (variant, 2) in floor:
        f = floor[(variant, 2)] * N / 1000
        verdict = "met" if full / f <= 1.5 else "MISSED"
        if full < f:
            verdict = "the build is faster: not a floor"
        print(f"| floor `{variant}`, 2 threads, {N} cards | {f:.2f} s ({floor[(variant, 2)]:.1f} ms/card) | {floor_runs[(variant, 2)]} | full build <= 1.5x | {full / f:.2f}x {verdict} |")
print(f"| HTML only: waxseal --outputs html | {html_w:.3f} s | {n_html} | faster than Hugo | {html_h / html_w:.2f}x Hugo's speed {'met' if html_w < html_h else 'MISSED'} |")
print(f"| HTML only: Hugo | {html_h:.3f} s | {n_html} | | |")
print(f"| HTML only, into a new folder: waxseal | {fresh_w:.3f} s | {n_fresh} | faster than Hugo | {fresh_h / fresh_w:.2f}x Hugo's speed {'met' if fresh_w < fresh_h else 'MISSED'} |")
print(f"| HTML only, into a new folder: Hugo | {fresh_h:.3f} s | {n_fresh} | | |")
print(f"| no-op rebuild | {noop * 1000:.0f} ms | {n_noop} | < 200 ms | {'met' if noop < 0.2 else 'MISSED'} |")
print(f"| one-card edit, a new process (`waxseal build`) | {edit * 1000:.0f} ms | {n_edit} | < 60 ms | {'met' if edit < 0.06 else 'MISSED'} |")
if session:
    s_ms = statistics.median(session)
    print(f"| one-card edit, warm session (as `serve` rebuilds) | {s_ms:.0f} ms | {len(session)} x 10 | < 60 ms | {'met' if s_ms < 60 else 'MISSED'} |")
print(f"| peak memory, full build, {N} cards | {statistics.median(mem):.0f} MB | {len(mem)} | < 120 MB | {'met' if statistics.median(mem) < 120 else 'MISSED'} |")
mem_png = [int(x) / 1024 for x in open(os.path.join(J, "mem-png.txt")).read().split()]
print(f"| peak memory, card PNGs, 2 jobs, {N} cards | {statistics.median(mem_png):.0f} MB | {len(mem_png)} | < 120 MB | {'met' if statistics.median(mem_png) < 120 else 'MISSED'} |")
if big:
    # The last line: time writes "Command exited with non-zero status" first.
    secs, kb = open(os.path.join(J, "mem-10000.txt")).read().splitlines()[-1].split()
    mb = int(kb) / 1024
    print(f"| peak memory, full build, 10000 cards | {mb:.0f} MB ({float(secs):.0f} s) | 1 | < 120 MB, flat from {N} | {'met' if mb < 120 else 'MISSED'}; {mb / statistics.median(mem):.2f}x the {N}-card peak |")
EOF

log "machine"
{
  echo
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB; run started $STARTED; load average (1, 5, 15 min) before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "waxseal $WAX_COMMIT (at build time), hugo $(hugo version | cut -d' ' -f2), node $(node --version), $(hyperfine --version), $("$PEERS/typst-venv/bin/python" --version)"
  cat "$J/floor-check.txt" 2>/dev/null || true
} >> "$WORK/results.md"
cat "$WORK/results.md"
