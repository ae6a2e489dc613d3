"""The realistic corpus of `bench/generate.py N DIR --realistic`.

Messages as shops and friends write them (Python 3 standard library only,
fixed seed): a quarter short notes of 20-50 words on A7 cards, most 40-160
words on A6, and one in ten a long letter of 240-290 words (up to about 330
with its list and link) on a 5x7 card, about the most any size holds at the
themes' minimum text size (300-500 words fit no card: waxseal reports them
as errors); emoji (a few in about half the messages), **bold** and *italic*
runs, a link in about a third, a short list on a fifth of the cards (on A6); seals with a heart,
a star, a flower or a monogram (initials) in five colours; the chocolate and
kraft themes.

DIR/corpus.json carries, per message, what a peer needs to draw the same
card: the theme's palette and font files, the size in pixels at 300 dpi,
the seal (emblem, colour, initials), the signature with the theme's sign-off,
and every block (paragraph or list item) as runs {text, em, strong, link},
emoji left in the text. `paragraphs` and `runs` keep the shape of the plain
corpus (list items become paragraphs starting with a bullet), so a peer
written for it still draws these cards.
"""

import json
import os
import random

import generate  # the plain corpus's vocabulary (bench/generate.py)

SEED = 20261204

EMOJI = ["🌿", "🍫", "❤️", "✨", "🎉"]
THEMES = {
    # What a peer needs of each theme: its colours, its font files (under
    # themes/NAME/, the fallbacks under themes/chocolate/fonts), its sign-off.
    "chocolate": {
        "palette": {"paper": "#fbf4e6", "ink": "#3b2417", "accent": "#a63d5e", "border": "#8a5a3b"},
        "fonts": {
            "body": "chocolate/fonts/EBGaramond-Regular.ttf",
            "italic": "chocolate/fonts/EBGaramond-Italic.ttf",
            "bold": "chocolate/fonts/EBGaramond-SemiBold.ttf",
            "title": "chocolate/fonts/DancingScript-SemiBold.ttf",
            "script": "chocolate/fonts/DancingScript-SemiBold.ttf",
        },
        "sign_off": "with love,",
    },
    "kraft": {
        "palette": {"paper": "#d3b48c", "ink": "#2a1d14", "accent": "#8a210f", "border": "#3b2a1e"},
        "fonts": {
            "body": "kraft/fonts/AnonymousPro-Regular.ttf",
            "italic": "kraft/fonts/AnonymousPro-Italic.ttf",
            "bold": "kraft/fonts/AnonymousPro-Bold.ttf",
            "title": "kraft/fonts/PermanentMarker-Regular.ttf",
            "script": "kraft/fonts/Caveat-Bold.ttf",
        },
        "sign_off": "sent with care,",
    },
}
EMOJI_FONT = "chocolate/fonts/Twemoji.ttf"
SIZES = {"a6": (1240, 1748), "a7": (874, 1240), "5x7": (1500, 2100)}  # pixels at 300 dpi
EMBLEMS = ["heart", "star", "flower", "monogram"]
COLORS = {  # src/seal's named wax colours
    "chocolate": "#5a3a22", "burgundy": "#7a1f2b", "gold": "#b8862b",
    "forest": "#2f5a3a", "navy": "#22345a",
}
SHOP_NAMES = ["Mossbrook Studio", "Hazel & Fern", "The Cocoa Room", "Kiln Street", "Paper Moth"]
BOLD = [
    "thank you", "free shipping", "10 % off", "handmade", "your next order", "gift wrap",
    "Saturday", "the whole team", "spring market", "refill",
]
LINKS = [
    ("our shop", "https://shop.example/"), ("the care guide", "https://shop.example/care"),
    ("leave a review", "https://shop.example/review"), ("the workshop page", "https://shop.example/workshops"),
    ("our newsletter", "https://shop.example/news"),
]
LIST_ITEMS = [
    "rinse in cool water", "keep away from direct sun", "store it flat", "hand wash only",
    "two bars of dark chocolate", "one linen tea towel", "a jar of wildflower honey",
    "a spare button", "the pattern notes", "oil the wood once a month", "a sprig of lavender",
]


def words(rng, n):
    """n words as runs [(text, style)]: filler with *italic*, **bold** and a little non-ASCII."""
    out = []
    while len(out) < n:
        r = rng.random()
        if r < 0.05:
            out.append((rng.choice(generate.EMPHASIS), "em"))
        elif r < 0.075:
            out.append((rng.choice(BOLD), "strong"))
        elif r < 0.12:
            out.append((rng.choice(generate.NON_ASCII), ""))
        else:
            out.append((rng.choice(generate.WORDS), ""))
    if out[0][0] == "—":
        out[0] = (rng.choice(generate.WORDS), "")
    if out[-1][0] == "—":
        out[-1] = (rng.choice(generate.WORDS), "")
    first, style = out[0]
    out[0] = (first[:1].upper() + first[1:], style)
    return out


def paragraph(rng, size, emoji_rate, link):
    """One paragraph of about `size` words, sentence by sentence, as runs."""
    runs = []
    left = size
    while left > 0:
        s = words(rng, min(left, rng.randint(6, 16)))
        left -= len(s)
        runs.extend(s)
        runs.append((rng.choice([".", ".", ".", "!"]), "punct"))
        if rng.random() < emoji_rate:
            runs.append((rng.choice(EMOJI), ""))
    if link:
        text, _ = rng.choice(LINKS)
        runs.extend([("More at", ""), (text, "link"), (".", "punct")])
    return runs


def message(rng, index):
    kind = rng.random()
    long_letter = kind < 0.10
    if long_letter:
        total, size = rng.randint(240, 290), "5x7"
    elif kind < 0.35:
        total, size = rng.randint(20, 50), "a7"
    else:
        total, size = rng.randint(40, 160), "a6"
    theme = rng.choice(list(THEMES))
    emoji_rate = 0.35 if rng.random() < 0.5 else 0.0
    n_par = min(rng.randint(1, 3 if long_letter else 4), max(1, total // 12))
    cuts = sorted(rng.sample(range(6, total - 5), n_par - 1)) if n_par > 1 else []
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [total])]
    link_at = rng.randrange(len(sizes)) if rng.random() < 0.33 else -1
    blocks = [("p", paragraph(rng, s, emoji_rate, i == link_at)) for i, s in enumerate(sizes)]
    if size == "a6" and rng.random() < 0.3:  # an A7 note or a long letter has no room for one
        items = [("li", [(item, "")]) for item in rng.sample(LIST_ITEMS, rng.randint(2, 4))]
        at = rng.randint(1, len(blocks))
        blocks[at:at] = items
    to = rng.choice(generate.FIRST_NAMES)
    sender = rng.choice(generate.SIGNERS + SHOP_NAMES)
    emblem = rng.choice(EMBLEMS)
    color = rng.choice(list(COLORS))
    initials = "".join(w[0] for w in sender.replace("&", "").split()[:2]).upper() if emblem == "monogram" else ""
    return {
        "slug": "msg-{:05d}".format(index),
        "title": rng.choice(generate.TITLES).format(to=to) + (" " + rng.choice(EMOJI) if emoji_rate and rng.random() < 0.3 else ""),
        "to": to,
        "from": sender,
        "date": "20{:02d}-{:02d}-{:02d}".format(rng.randint(20, 26), rng.randint(1, 12), rng.randint(1, 28)),
        "tags": sorted(set(rng.sample(generate.TAGS, rng.randint(1, 2)))),
        "theme": theme,
        "size": size,
        "seal": {"emblem": emblem, "color": color, "hex": COLORS[color], "initials": initials},
        "blocks": blocks,
    }


def markdown(blocks, links):
    """The body: paragraphs, then a list's items as one `-` list."""
    out = []
    for kind, runs in blocks:
        parts = []
        for text, style in runs:
            if style == "punct":
                parts[-1] += text
            elif style == "em":
                parts.append("*{}*".format(text))
            elif style == "strong":
                parts.append("**{}**".format(text))
            elif style == "link":
                parts.append("[{}]({})".format(text, links[text]))
            else:
                parts.append(text)
        line = " ".join(parts)
        if kind == "li":
            first = not out or not out[-1].startswith(("- ", "\n- "))
            out.append(("\n" if first and out else "") + "- " + line)
        else:
            out.append(("\n" if out else "") + line)
    return "\n".join(out).strip("\n")


def json_runs(runs):
    """[(text, style)] -> [{text, em, strong, link}], neighbours of one style joined."""
    out = []

    def add(text, style):
        flags = {"em": style == "em", "strong": style == "strong", "link": style == "link"}
        if out and all(out[-1][k] == v for k, v in flags.items()):
            out[-1]["text"] += text
        else:
            out.append(dict(text=text, **flags))

    for i, (text, style) in enumerate(runs):
        if i > 0 and style != "punct":
            add(" ", "")
        add(text, "" if style == "punct" else style)
    return out


def front_matter(m):
    seal = m["seal"]
    initials = ", initials: {}".format(seal["initials"]) if seal["initials"] else ""
    return "\n".join([
        "---",
        "title: " + json.dumps(m["title"], ensure_ascii=False),
        "to: " + json.dumps(m["to"], ensure_ascii=False),
        "from: " + json.dumps(m["from"], ensure_ascii=False),
        "date: " + m["date"],
        "tags: [" + ", ".join(m["tags"]) + "]",
        "theme: " + m["theme"],
        "size: " + m["size"],
        "seal: {{ emblem: {}, color: {}{} }}".format(seal["emblem"], seal["color"], initials),
        "---",
    ])


def write(n, root):
    """Writes DIR/waxseal.yaml, DIR/content/msg-NNNNN.md and DIR/corpus.json."""
    content = os.path.join(root, "content")
    os.makedirs(content, exist_ok=True)
    rng = random.Random(SEED)
    links = dict(LINKS)
    with open(os.path.join(root, "waxseal.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Benchmark cards (realistic)\n")
    corpus = []
    for i in range(1, n + 1):
        m = message(rng, i)
        with open(os.path.join(content, m["slug"] + ".md"), "w", encoding="utf-8") as f:
            f.write(front_matter(m) + "\n" + markdown(m["blocks"], links) + "\n")
        blocks = [{"kind": kind, "runs": json_runs(runs)} for kind, runs in m["blocks"]]
        runs = [
            ([{"text": "• ", "em": False, "strong": False, "link": False}] if b["kind"] == "li" else []) + b["runs"]
            for b in blocks
        ]
        theme = THEMES[m["theme"]]
        width, height = SIZES[m["size"]]
        corpus.append({
            "slug": m["slug"], "title": m["title"], "to": m["to"], "from": m["from"],
            "date": m["date"], "tags": m["tags"], "theme": m["theme"], "size": m["size"],
            "width": width, "height": height, "palette": theme["palette"], "fonts": theme["fonts"],
            "emoji_font": EMOJI_FONT, "seal": m["seal"],
            "sign_off": theme["sign_off"], "signature": theme["sign_off"] + " " + m["from"],
            "blocks": blocks,
            "paragraphs": ["".join(r["text"] for r in p) for p in runs],
            "runs": [[{"text": r["text"], "em": r["em"] or r["link"], "strong": r["strong"]} for r in p] for p in runs],
            "emphasised": [r["text"] for b in blocks for r in b["runs"] if r["em"]],
        })
    with open(os.path.join(root, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump({"width": 1240, "height": 1748, "realistic": True, "messages": corpus}, f, ensure_ascii=False, indent=1)
