"""The Typst peer of bench/compare.sh: draws every message of a
bench/generate.py corpus (plain or --realistic) as the card bench/satori and
bench/takumi draw (card.typ beside this file), with the `typst` Python
package (Typst's compiler in process), and writes SLUG.png at 300 dpi.

    python render.py CORPUS_JSON OUT_DIR --themes THEMES_DIR [--workers N] [--limit N]

One compiler is made per process and reused for every card (fonts loaded
once, only the theme's and Twemoji, no system fonts); each card is one
compile with the message as JSON in sys.inputs. --workers 0 (default) draws
the cards one after the other; --workers N starts N processes
(multiprocessing), each with its own compiler, handing cards out one at a
time. Installed outside the repository by bench/compare.sh (pip, into a
virtual environment in /tmp/bench-peers/typst-venv).
"""

import argparse
import json
import multiprocessing
import os
import sys
import time

import typst

HERE = os.path.dirname(os.path.abspath(__file__))
# Typst picks faces by family (the fonts' typographic names) and weight.
FAMILIES = {
    "EBGaramond": ("EB Garamond", "regular"),
    "DancingScript": ("Dancing Script", "semibold"),
    "AnonymousPro": ("Anonymous Pro", "regular"),
    "PermanentMarker": ("Permanent Marker", "regular"),
    "Caveat": ("Caveat", "bold"),
}
# The plain corpus's cards: the chocolate theme.
CHOCOLATE = {
    "palette": {"paper": "#fbf4e6", "ink": "#3b2417", "accent": "#a63d5e", "border": "#8a5a3b"},
    "fonts": {"body": "chocolate/fonts/EBGaramond-Regular.ttf", "title": "chocolate/fonts/DancingScript-SemiBold.ttf",
              "script": "chocolate/fonts/DancingScript-SemiBold.ttf"},
}


def family(path):
    return FAMILIES[os.path.basename(path).split("-")[0]]


def card_input(m):
    """The message as card.typ reads it: the plain corpus's cards get chocolate on A6."""
    theme = m if "palette" in m else CHOCOLATE
    fonts = theme["fonts"]
    title, title_weight = family(fonts["title"])
    script, script_weight = family(fonts["script"])
    return json.dumps({
        "width": m.get("width", 1240), "height": m.get("height", 1748),
        "palette": theme["palette"], "seal": m.get("seal", {"hex": "#5a3a22"}),
        "family": {"body": family(fonts["body"])[0], "title": title, "title_weight": title_weight,
                   "script": script, "script_weight": script_weight},
        "title": m["title"], "signature": m["signature"], "paragraphs": m["paragraphs"],
        "runs": [[{"text": r["text"], "em": r["em"], "strong": r.get("strong", False)} for r in p] for p in m["runs"]],
    }, ensure_ascii=False)


COMPILER = None


def start(themes):
    global COMPILER
    fonts = sorted({os.path.join(themes, d, "fonts") for d in ("chocolate", "kraft")})
    COMPILER = typst.Compiler(os.path.join(HERE, "card.typ"), root=HERE, font_paths=fonts, ignore_system_fonts=True)


def draw(job):
    m, out = job
    png = COMPILER.compile(format="png", ppi=300, sys_inputs={"card": card_input(m)})
    with open(os.path.join(out, m["slug"] + ".png"), "wb") as f:
        f.write(png)
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--themes", required=True)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--limit", type=int)
    a = ap.parse_args()
    with open(a.corpus, encoding="utf-8") as f:
        messages = json.load(f)["messages"][: a.limit]
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()
    jobs = [(m, a.out) for m in messages]
    if a.workers == 0:
        start(a.themes)
        for job in jobs:
            draw(job)
    else:
        with multiprocessing.Pool(a.workers, initializer=start, initargs=(a.themes,)) as pool:
            sum(pool.imap_unordered(draw, jobs, chunksize=1))
    secs = time.perf_counter() - t0
    print(f"typst: {len(jobs)} cards, {a.workers or 'no'} workers, {secs:.2f} s ({secs * 1000 / max(1, len(jobs)):.1f} ms per card)", file=sys.stderr)


if __name__ == "__main__":
    main()
