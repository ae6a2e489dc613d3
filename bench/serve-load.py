#!/usr/bin/env python3
"""Many clients at once against `waxseal serve`: answers, latency, memory.

    python3 bench/serve-load.py WAXSEAL SITE [--clients 200] [--requests 50] [--rounds 5]

SITE is a site that has been built once. The script starts `WAXSEAL serve
--root SITE --quiet` on a free loopback port and runs ROUNDS rounds; in each,
CLIENTS threads open one keep-alive connection each and make REQUESTS
requests in turn: the gallery page, a card's PNG, a missing page (404) and a
HEAD of the PNG. Every answer is checked (status and bytes, as first served).
Prints per round the wall time, requests per second, the median and 99th
percentile latency, wrong answers, and the server's resident memory (VmRSS,
Linux) after the round. The client is Python threads, so requests per
second says as much about the client as about the server; memory and wrong
answers are the server's own. Python 3 standard library only.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resident_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def first_card(site):
    cards = os.path.join(site, "output", "cards")
    for root, _dirs, files in sorted(os.walk(cards)):
        if "card.png" in files:
            return "/" + os.path.relpath(os.path.join(root, "card.png"), os.path.join(site, "output"))
    sys.exit("no card.png under output/cards: build the site first")


def fetch(port, method, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request(method, path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def client(port, requests, expected, offset, latencies, wrong, start):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start.wait()
    for i in range(requests):
        method, path, status, body = expected[(offset + i) % len(expected)]
        t = time.perf_counter()
        try:
            conn.request(method, path)
            r = conn.getresponse()
            got = r.read()
            ok = r.status == status and (body is None or got == body)
        except OSError as e:
            ok, got = False, str(e).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - t)
        if not ok:
            wrong.append(f"{method} {path}")
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("waxseal")
    ap.add_argument("site")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen(
        [args.waxseal, "serve", "--root", args.site, "--port", str(port), "--quiet"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in server.stderr:
            if "serving http://" in line:
                break
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
        png = first_card(args.site)
        expected = [
            ("GET", "/", 200, fetch(port, "GET", "/")[1]),
            ("GET", png, 200, fetch(port, "GET", png)[1]),
            ("GET", "/cards/nobody-here/", 404, None),
            ("HEAD", png, 200, b""),
        ]
        print(f"{args.clients} clients x {args.requests} requests a round; server pid {server.pid}, "
              f"resident {resident_kib(server.pid)} KiB before")
        print("round | wall s | req/s | median ms | p99 ms | wrong | resident KiB")
        for n in range(1, args.rounds + 1):
            latencies, wrong = [], []
            start = threading.Barrier(args.clients + 1)
            threads = [
                threading.Thread(target=client, args=(port, args.requests, expected, c, latencies, wrong, start))
                for c in range(args.clients)
            ]
            for t in threads:
                t.start()
            start.wait()
            t0 = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            latencies.sort()
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            print(f"{n} | {wall:.2f} | {len(latencies) / wall:.0f} | {statistics.median(latencies) * 1000:.1f} | "
                  f"{p99 * 1000:.1f} | {len(wrong)} | {resident_kib(server.pid)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
