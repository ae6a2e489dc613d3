#!/usr/bin/env python3
"""Writes a benchmark corpus of N messages (Python 3 standard library only).

    python3 bench/generate.py N DIR [--realistic]

writes

    DIR/waxseal.yaml              the site settings (a title)
    DIR/content/msg-NNNNN.md      N messages: YAML front matter (title, to,
                                  from, date, tags) and 40-160 words in 1-4
                                  paragraphs, a few *emphasised* words and
                                  some non-ASCII text (é, ü, —, “quotes”,
                                  Greek and Cyrillic names)
    DIR/corpus.json               the same messages as data, for the peers
                                  (bench/satori): title, to, from, date, tags,
                                  the signature, and every paragraph as plain
                                  text and as runs [{"text", "em"}]

With --realistic the messages look like the ones shops write (see
realistic.py): emoji, **bold** and *italic* runs, links, short lists, four
seal emblems in several colours, two themes, two sizes and 10 % long
letters; corpus.json then also carries each card's theme, size and seal, and
every run its style.

The output is deterministic (fixed seed): the same N gives the same files on
every machine. Messages contain no Tera syntax and no Markdown other than
*emphasis*, so every tool reads the same words. The front matter uses only
keys that both waxseal and Hugo accept.
"""

import json
import os
import random
import sys

SEED = 20261123

FIRST_NAMES = [
    "Deb", "Amélie", "Jürgen", "Beverly", "Noor", "Sam", "Oksana", "Chloé",
    "Tomás", "Ingrid", "Priya", "Ruth", "Björn", "Zoë", "Hamid", "Lucía",
    "Ελένη", "Νίκος", "Дмитрий", "Анна", "Mateo", "Søren", "Gwen", "François",
]
SIGNERS = ["Beverly", "Mossbrook Studio", "Jo & Pat", "Renée", "Günter", "the whole team", "Marta"]
TAGS = ["thank-you", "order", "shipping", "birthday", "workshop", "gift", "repair", "wholesale"]
TITLES = [
    "Thank you, {to}", "For {to}", "Dear {to}", "A note for {to}", "Merci, {to}",
    "With thanks, {to}", "Hello {to}", "Danke, {to}",
]
WORDS = (
    "the a your our with and for of to in it was made by hand at table under studio window "
    "every stitch checked twice wrapped tissue so reaches you exactly as she meant order "
    "parcel thread linen wool cotton button ribbon needle pattern colour autumn winter spring "
    "summer morning evening quiet little warm soft bright kind gentle careful patient small "
    "shop market fair visit again soon always welcome back anytime hope enjoy wear use keep "
    "share gift friend family neighbour letter card note story season week day hour light "
    "coffee tea biscuit garden river hill village town street corner box paper string seal "
    "wax heart star flower leaf bee honey apple pear plum basket shelf drawer chair lamp"
).split()
NON_ASCII = [
    "café", "naïve", "über", "crème", "résumé", "façade", "jalapeño", "Zürich",
    "—", "—", "“lovely”", "“handmade”", "‘just so’", "smörgåsbord", "déjà vu", "piñata",
    "Ελένη", "Дмитрий", "Москва", "Αθήνα", "fiancée", "Ångström",
]
EMPHASIS = ["love", "care", "patience", "joy", "delight", "thanks", "warmth", "gratitude", "pride", "kindness"]


def sentence(rng, words_left):
    """Up to 6-16 words as one sentence, as a list of (word, emphasised)."""
    n = min(words_left, rng.randint(6, 16))
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.07:
            out.append((rng.choice(EMPHASIS), True))
        elif r < 0.14:
            out.append((rng.choice(NON_ASCII), False))
        else:
            out.append((rng.choice(WORDS), False))
    # A dash may not start or end a sentence.
    for i in (0, -1):
        if out[i][0] == "—":
            out[i] = (rng.choice(WORDS), False)
    word0 = out[0][0]
    out[0] = (word0[:1].upper() + word0[1:], out[0][1])
    return out


def message(rng, index):
    to = rng.choice(FIRST_NAMES)
    sender = rng.choice(SIGNERS)
    title = rng.choice(TITLES).format(to=to)
    date = "20{:02d}-{:02d}-{:02d}".format(rng.randint(20, 26), rng.randint(1, 12), rng.randint(1, 28))
    tags = sorted(set(rng.sample(TAGS, rng.randint(1, 2))))
    total = rng.randint(40, 160)
    n_par = min(rng.randint(1, 4), max(1, total // 12))
    # Split the words over the paragraphs.
    cuts = sorted(rng.sample(range(6, total - 5), n_par - 1)) if n_par > 1 else []
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [total])]
    paragraphs = []
    for size in sizes:
        runs = []  # (word, emphasised)
        left = size
        while left > 0:
            s = sentence(rng, left)
            left -= len(s)
            end = rng.choice([".", ".", ".", "!"]) if left > 0 else rng.choice([".", "!"])
            last_word, last_em = s[-1]
            if last_em:
                # Keep the punctuation outside the emphasis.
                s.append(("", False))
                s[-1] = (end, False)
            else:
                s[-1] = (last_word + end, last_em)
            runs.extend(s)
        paragraphs.append(runs)
    # Emphasis must be present at least once, so every card has accent text.
    if not any(em for p in paragraphs for _, em in p):
        w, _ = paragraphs[0][1]
        paragraphs[0][1] = (w, True)
    return {
        "slug": "msg-{:05d}".format(index),
        "title": title,
        "to": to,
        "from": sender,
        "date": date,
        "tags": tags,
        "paragraphs_runs": paragraphs,
    }


def yaml_str(s):
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def markdown_paragraph(runs):
    parts = []
    for word, em in runs:
        if em:
            parts.append("*{}*".format(word))
        elif parts and word in (".", "!", ",") and parts[-1].endswith("*"):
            parts[-1] += word
        else:
            parts.append(word)
    # Wrap at about 72 columns like a person would.
    lines, line = [], ""
    for p in parts:
        if line and len(line) + 1 + len(p) > 72:
            lines.append(line)
            line = p
        else:
            line = p if not line else line + " " + p
    lines.append(line)
    return "\n".join(lines)


def plain_runs(runs):
    """[(word, em)] -> [{"text", "em"}]: neighbours of one style joined, spaces in plain runs."""
    out = []

    def add(text, em):
        if out and out[-1]["em"] == em:
            out[-1]["text"] += text
        else:
            out.append({"text": text, "em": em})

    for i, (word, em) in enumerate(runs):
        if i > 0 and word not in (".", "!", ","):
            add(" ", False)
        add(word, em)
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "--realistic"]
    if len(args) != 2:
        sys.exit("usage: generate.py N DIR [--realistic]")
    n = int(args[0])
    root = args[1]
    if "--realistic" in sys.argv[1:]:
        import realistic  # bench/realistic.py, beside this file

        realistic.write(n, root)
        return
    content = os.path.join(root, "content")
    os.makedirs(content, exist_ok=True)
    rng = random.Random(SEED)
    with open(os.path.join(root, "waxseal.yaml"), "w", encoding="utf-8") as f:
        f.write("title: Benchmark cards\n")
    corpus = []
    for i in range(1, n + 1):
        m = message(rng, i)
        body = "\n\n".join(markdown_paragraph(p) for p in m["paragraphs_runs"])
        front = [
            "---",
            "title: " + yaml_str(m["title"]),
            "to: " + yaml_str(m["to"]),
            "from: " + yaml_str(m["from"]),
            "date: " + m["date"],
            "tags: [" + ", ".join(m["tags"]) + "]",
            "---",
        ]
        with open(os.path.join(content, m["slug"] + ".md"), "w", encoding="utf-8") as f:
            f.write("\n".join(front) + "\n" + body + "\n")
        runs = [plain_runs(p) for p in m["paragraphs_runs"]]
        corpus.append({
            "slug": m["slug"],
            "title": m["title"],
            "to": m["to"],
            "from": m["from"],
            "date": m["date"],
            "tags": m["tags"],
            "signature": "with love, " + m["from"],
            "paragraphs": ["".join(r["text"] for r in p) for p in runs],
            "runs": runs,
            "emphasised": [w for p in m["paragraphs_runs"] for w, em in p if em],
        })
    with open(os.path.join(root, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump({"width": 1240, "height": 1748, "messages": corpus}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
