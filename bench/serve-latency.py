#!/usr/bin/env python3
"""Save-to-reload latency of `waxseal serve`: file written -> reload event received.

    python3 bench/serve-latency.py WAXSEAL SITE [--runs N]

SITE is a site that has been built once (for example a corpus from
`bench/generate.py`). The script starts `WAXSEAL serve --root SITE` on a free
port, listens on the live-reload channel like a browser page does, and times
two kinds of save, N times each (default 15):

  message  one message rewritten in place (its text alternates), and
  css      the site's override of the chocolate theme's style.css rewritten
           (a comment changes; the first save makes the override and is not
           timed).

Each time runs from the moment the edited file is closed to the moment the
`build` event arrives. Prints the median, min and max, and the rebuild times
serve printed. Python 3 standard library only; nothing is written outside SITE.
"""

import argparse
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


class Events:
    """The reload channel, read on a thread: one entry per `build` event."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(f"GET /__waxseal/events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.builds = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = None
        for raw in self.sock.makefile("rb"):
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "build":
                with self.cond:
                    self.builds.append((time.perf_counter(), line[6:]))
                    self.cond.notify_all()

    def wait_after(self, count, timeout=60):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.builds) > count, timeout)
        if not ok:
            sys.exit("no reload event within %ss" % timeout)
        return self.builds[count]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("waxseal")
    ap.add_argument("site")
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    site = os.path.abspath(args.site)
    port = free_port()
    log = open(os.path.join(site, "serve-latency.log"), "w")
    server = subprocess.Popen(
        [args.waxseal, "serve", "--root", site, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.1)
        events = Events(port)
        time.sleep(0.5)

        messages = sorted(os.listdir(os.path.join(site, "content")))
        message = os.path.join(site, "content", messages[len(messages) // 2])
        original = open(message).read()
        builtin = open(os.path.join(os.path.dirname(__file__), "..", "themes", "chocolate", "style.css")).read()
        css = os.path.join(site, "themes", "chocolate", "style.css")
        os.makedirs(os.path.dirname(css), exist_ok=True)

        def save(path, text):
            with open(path, "w") as f:
                f.write(text)
            return time.perf_counter()

        def timed(path, texts):
            times = []
            for text in texts:
                count = len(events.builds)
                written = save(path, text)
                received, _ = events.wait_after(count)
                times.append((received - written) * 1000)
                time.sleep(0.3)  # let the next save be a save of its own
            return times

        # The first CSS save makes the override (all cards of the theme redrawn): untimed.
        count = len(events.builds)
        save(css, builtin + "\n/* 0 */\n")
        events.wait_after(count)
        results = {
            "message": timed(message, [original + ("\nAgain.\n" if i % 2 == 0 else "\n") for i in range(args.runs)]),
            "css": timed(css, [builtin + f"\n/* {i + 1} */\n" for i in range(args.runs)]),
        }
        save(message, original)
        os.remove(css)
        time.sleep(1)
        for name, times in results.items():
            print(f"{name:8} median {statistics.median(times):6.1f} ms  min {min(times):6.1f}  max {max(times):6.1f}  (n={len(times)})")
    finally:
        server.terminate()
        server.wait()
        log.close()
    lines = [l.strip() for l in open(os.path.join(site, "serve-latency.log")) if " ms" in l and "drew" in l]
    print("rebuild lines (serve's own timing), last 4:")
    for l in lines[-4:]:
        print("  " + l)


if __name__ == "__main__":
    main()
