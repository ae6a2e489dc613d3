"""The table of bench/lighthouse.sh: medians of each page's Lighthouse runs,
mobile and desktop, what Lighthouse still flags, the Nu checker's and
axe-core's findings and the private files a host would serve.

    python3 summary.py WORK N RUNS LABEL
"""
import glob
import json
import os
import statistics
import sys

work, n, runs, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
PAGES = ["gallery", "page-2", "tag", "card"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def load(preset, page):
    reports = []
    for path in sorted(glob.glob(os.path.join(work, "lh", f"{preset}-{page}-*.json"))):
        with open(path, encoding="utf-8") as f:
            reports.append(json.load(f))
    return reports


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def weights(report):
    """Bytes transferred by resource type (fonts, images, ...)."""
    items = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    by_type = {}
    for item in items:
        kind = item.get("resourceType", "Other")
        by_type[kind] = by_type.get(kind, 0) + item.get("transferSize", 0)
    return by_type


def row(preset, page):
    reports = load(preset, page)
    if not reports:
        return None
    score = lambda c: median([r["categories"][c]["score"] * 100 if r["categories"][c]["score"] is not None else None for r in reports])
    audit = lambda a: median([r["audits"][a].get("numericValue") for r in reports])
    font = median([weights(r).get("Font", 0) for r in reports])
    image = median([weights(r).get("Image", 0) for r in reports])
    return {
        "scores": [score(c) for c in CATEGORIES],
        "fcp": audit("first-contentful-paint") / 1000,
        "lcp": audit("largest-contentful-paint") / 1000,
        "tbt": audit("total-blocking-time"),
        "cls": audit("cumulative-layout-shift"),
        "weight": audit("total-byte-weight") / 1024,
        "font": font / 1024,
        "image": image / 1024,
        "runs": len(reports),
        "reports": reports,
    }


print(f"Lighthouse 12 on a {n}-card site (waxseal {label}), medians of {runs} runs per page and preset\n")
print("| page | preset | Performance | Accessibility | Best Practices | SEO | FCP | LCP | TBT | CLS | weight (fonts, images) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
flagged = {}
for preset in ["mobile", "desktop"]:
    for page in PAGES:
        r = row(preset, page)
        if r is None:
            continue
        s = " | ".join("-" if v is None else f"{v:.0f}" for v in r["scores"])
        print(
            f"| {page} | {preset} | {s} | {r['fcp']:.1f} s | {r['lcp']:.1f} s | {r['tbt']:.0f} ms | {r['cls']:.3f} | "
            f"{r['weight']:.0f} KiB ({r['font']:.0f}, {r['image']:.0f}) |"
        )
        # What the runs flag: an audit that counts in a category's score,
        # under 0.9, with Lighthouse's words.
        for report in r["reports"]:
            counted = {a["id"] for c in report["categories"].values() for a in c["auditRefs"] if a.get("weight", 0) > 0}
            for audit in report["audits"].values():
                if audit["id"] in counted and audit.get("score") is not None and audit["score"] < 0.9:
                    key = (preset, page, audit["id"])
                    flagged.setdefault(key, []).append(audit.get("displayValue") or audit["title"])

print("\nWhat Lighthouse flags (an audit that counts in a score, under 0.9; in how many runs):\n")
if not flagged:
    print("- nothing")
for (preset, page, audit), said in sorted(flagged.items()):
    print(f"- {preset} {page}: `{audit}` ({len(said)} of {runs}): {said[0]}")

try:
    with open(os.path.join(work, "vnu.json"), encoding="utf-8") as f:
        vnu = json.load(f).get("messages", [])
except (OSError, ValueError):
    vnu = None
pages = len(glob.glob(os.path.join(work, "site", "output", "**", "*.html"), recursive=True))
if vnu is None:
    print(f"\nNu checker: no report")
else:
    errors = [m for m in vnu if m.get("type") == "error"]
    print(f"\nNu checker, {pages} pages: {len(errors)} errors")
    for m in errors[:10]:
        print(f"- {m.get('url', '').split('/output/')[-1]}:{m.get('lastLine')}: {m.get('message')}")

print()
with open(os.path.join(work, "axe.jsonl"), encoding="utf-8") as f:
    for line in f:
        page = json.loads(line)
        found = ", ".join(f"{v['id']} ({v['impact']}, {v['nodes']})" for v in page["violations"]) or "none"
        print(f"axe-core {page['url'].split('/', 3)[-1] or '/'}: {len(page['violations'])} violations: {found}")

with open(os.path.join(work, "private-status.txt"), encoding="utf-8") as f:
    served = [line.split() for line in f if line.strip()]
print(f"\nwaxseal's own files under output/: {len(served)}")
for name, status in served:
    print(f"- /{name}: HTTP {status}")
