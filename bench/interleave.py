#!/usr/bin/env python3
"""Times commands in alternation, for close comparisons on a noisy machine.

    python3 bench/interleave.py --runs R --export-json FILE \
        --prepare 'rm -rf out' -n waxseal 'waxseal build ...' -n hugo 'hugo ...'

Round after round, every command runs once (the order is reversed each
round), each after the `--prepare` command (untimed). A burst of load from
other processes then hits both commands alike, where hyperfine runs all of
one command, then all of the next. Whole-process wall time and peak memory
(RSS, from wait4) of every run are written as JSON shaped like hyperfine's
(`results[].command`, `results[].times`, plus `max_rss_kb`), and the medians
are printed.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--prepare", default=None)
    p.add_argument("--export-json", required=True)
    p.add_argument("-n", "--name", action="append", default=[])
    p.add_argument("commands", nargs="+")
    a = p.parse_args()
    names = a.name + a.commands[len(a.name):]
    results = [{"command": n, "shell_command": c, "times": [], "max_rss_kb": []} for n, c in zip(names, a.commands)]

    def run(cmd):
        if a.prepare:
            subprocess.run(a.prepare, shell=True, check=True, executable="/bin/bash")
        start = time.perf_counter()
        proc = subprocess.Popen(["/bin/bash", "-c", "exec " + cmd])
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"command failed: {cmd}")
        return elapsed, usage.ru_maxrss

    for _ in range(a.warmup):
        for r in results:
            run(r["shell_command"])
    for i in range(a.runs):
        order = results if i % 2 == 0 else results[::-1]
        for r in order:
            t, rss = run(r["shell_command"])
            r["times"].append(t)
            r["max_rss_kb"].append(rss)
    for r in results:
        r["median"] = statistics.median(r["times"])
        print(f"{r['command']}: median {r['median']:.3f} s over {a.runs} runs "
              f"(min {min(r['times']):.3f}, max {max(r['times']):.3f}); "
              f"peak RSS median {statistics.median(r['max_rss_kb']) / 1024:.0f} MB", file=sys.stderr)
    with open(a.export_json, "w") as f:
        json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
