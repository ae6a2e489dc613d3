#!/usr/bin/env bash
# Builds the example site and every test fixture with two waxseal binaries
# and says whether they made the same files, byte for byte, with the same
# diagnostics and exit codes: the check that a change meant to keep
# behaviour (a refactoring) did.
#
#   tests/same-output.sh BEFORE_BINARY AFTER_BINARY
#
# Each site is built three ways (its own outputs; every output, emails
# included where the site has a sender; `check`) and printed (`print`).
# Only what waxseal keeps of its builds (the site's `.waxseal/`, or the
# `.waxseal-*` files an older waxseal kept in the output folder), whose
# cache names the binary, is left out of the comparison. Exit status 0
# when everything is the same.
set -euo pipefail
before=$(realpath "$1")
after=$(realpath "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sites=("$repo" "$repo"/tests/fixtures/{basic,broken,golden,merge} "$repo"/tests/fixtures/bad/*)

run_site() { # BINARY SITE DEST
  local bin=$1 site=$2 dest=$3
  mkdir -p "$dest/site"
  for part in waxseal.yaml content themes data static assets; do
    [ -e "$site/$part" ] && cp -a "$site/$part" "$dest/site/"
  done
  (
    cd "$dest/site"
    run() { # NAME ARGS...
      local name=$1; shift
      set +e
      "$bin" "$@" >"$dest/$name.stdout" 2>"$dest/$name.stderr" </dev/null
      echo "exit $?" >>"$dest/$name.stderr"
      set -e
      # Temporary folders and timings differ from run to run.
      sed -i -E -e "s#$dest#SITE#g" -e 's/in [0-9.]+ ?(ms|s)\b/in T/g' "$dest/$name.stdout" "$dest/$name.stderr"
    }
    run build build --drafts --output "$dest/out-default"
    run all build --drafts --outputs html,png,svg,pdf,email --output "$dest/out-all"
    if grep -q "emails are from no one" "$dest/all.stderr"; then
      run all build --drafts --outputs html,png,svg,pdf --output "$dest/out-all"
    fi
    run check check --drafts
    run print print --drafts
    [ -d output/print ] && mv output/print "$dest/print"
    rm -rf output
  )
  # The build cache names the binary that wrote it.
  find "$dest" \( -name '.waxseal' -o -name '.waxseal-*' \) -prune -exec rm -rf {} +
}

status=0
for site in "${sites[@]}"; do
  [ -f "$site/waxseal.yaml" ] || [ -d "$site/content" ] || continue
  name=${site#"$repo"}; name=${name#/}; name=${name:-example}; name=${name//\//_}
  run_site "$before" "$site" "$work/before/$name"
  run_site "$after" "$site" "$work/after/$name"
  if diff -r -q "$work/before/$name" "$work/after/$name" >"$work/diff" 2>&1; then
    echo "same: $name ($(find "$work/after/$name" -type f | wc -l) files)"
  else
    echo "DIFFERENT: $name"
    sed 's/^/  /' "$work/diff"
    status=1
  fi
done
exit $status
