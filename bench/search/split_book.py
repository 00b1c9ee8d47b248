#!/usr/bin/env python3
"""Turns a Markdown book into a Shouce site with one page per `##` section, for
measuring search on text other than the shipped handbook.

    python3 bench/search/split_book.py --src BOOK --out SITE [--order FILE]

BOOK holds one Markdown file per chapter (`# Title` on the first line). Chapters go in
the order their slugs appear in FILE as `[Title](#docs/slug)` links (mdBook-like
sidebars), else by file name. Each chapter becomes a folder whose `_index.md` holds the
text before the first `##`, and every `##` section a page `sNN.md` titled by its
heading. The site gets a minimal shouce.toml (broken links as warnings) and this
repository's default theme. Standard library only.

The ES6 set (bench/search/es6-queries.toml) uses Ruan Yifeng's "ECMAScript 6 入门":
    git clone https://github.com/ruanyf/es6tutorial /tmp/es6src   (or any copy of it)
    python3 bench/search/split_book.py --src /tmp/es6src/docs --order /tmp/es6src/sidebar.md --out /tmp/es6site
"""

import argparse
import json
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--order")
    args = ap.parse_args()
    names = sorted(f[:-3] for f in os.listdir(args.src) if f.endswith(".md"))
    if args.order:
        with open(args.order, encoding="utf-8") as f:
            listed = re.findall(r"\]\(#docs/([\w-]+)\)", f.read())
        names = [n for n in listed if n in names]
    content = os.path.join(args.out, "content")
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(content)
    sections = 0
    for weight, slug in enumerate(names):
        with open(os.path.join(args.src, slug + ".md"), encoding="utf-8") as f:
            text = f.read()
        first = re.match(r"# (.+)\n", text)
        title = first.group(1).strip() if first else slug
        text = text[first.end():] if first else text
        parts = re.split(r"^## (.+)$", text, flags=re.M)
        folder = os.path.join(content, slug)
        os.makedirs(folder)
        write(os.path.join(folder, "_index.md"), title, weight, parts[0])
        for i in range(1, len(parts), 2):
            n = (i + 1) // 2
            write(os.path.join(folder, "s%02d.md" % n), parts[i].strip(), n, parts[i + 1])
            sections += 1
    with open(os.path.join(args.out, "shouce.toml"), "w", encoding="utf-8") as f:
        f.write('title = "Book"\nbase_url = "/"\n\n[markdown]\nbroken_links = "warn"\n')
    shutil.copytree(os.path.join(REPO, "themes", "default"), os.path.join(args.out, "themes", "default"))
    print("%d chapters, %d sections -> %s" % (len(names), sections, args.out))


def write(path, title, weight, body):
    with open(path, "w", encoding="utf-8") as f:
        f.write("+++\ntitle = %s\nweight = %d\n+++\n%s" % (json.dumps(title, ensure_ascii=False), weight, body))


if __name__ == "__main__":
    main()
