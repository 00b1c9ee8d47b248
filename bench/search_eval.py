#!/usr/bin/env python3
"""Search quality on any built site: recall@5 and MRR per kind of query.

    python3 bench/search_eval.py --site SITE --queries QUERIES.toml [--shouce BIN] [-v]

SITE is a site root whose public/ a `shouce build` wrote; QUERIES is a judged query
set in the format of tests/search/queries.toml. Every query runs through `shouce
search --json` (the same ranking as the browser). recall@5 = judged pages in the top 5
/ min(judged pages, 5); MRR = 1 / rank of the first judged page in the top 10.
-v lists the queries that miss. Python 3.11+ (tomllib), standard library only.
"""

import argparse
import json
import os
import subprocess
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--shouce", default=os.path.join(REPO, "target", "release", "shouce"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    with open(args.queries, "rb") as f:
        queries = tomllib.load(f)["query"]
    per_kind, misses = {}, []
    for q in queries:
        if not q["relevant"]:
            continue
        out = subprocess.run([args.shouce, "search", "--site", args.site, "--json", "-n", "10", q["q"]],
                             capture_output=True, text=True, check=True).stdout
        paths = [h["path"] for h in json.loads(out)]
        rel = q["relevant"]
        found = sum(1 for p in paths[:5] if p in rel)
        recall = found / min(len(rel), 5)
        rank = next((i + 1 for i, p in enumerate(paths) if p in rel), None)
        per_kind.setdefault(q["kind"], []).append((recall, 1 / rank if rank else 0.0))
        if recall < 1:
            misses.append("  %-8s %-20s recall %.2f  top 5: %s" % (q["kind"], q["q"], recall, " ".join(paths[:5])))
    every = [x for v in per_kind.values() for x in v]
    mean = lambda v, i: sum(x[i] for x in v) / len(v)
    print("kind         queries  recall@5    MRR")
    for kind in sorted(per_kind):
        v = per_kind[kind]
        print("%-12s %7d  %8.3f  %6.3f" % (kind, len(v), mean(v, 0), mean(v, 1)))
    print("%-12s %7d  %8.3f  %6.3f" % ("overall", len(every), mean(every, 0), mean(every, 1)))
    if args.verbose and misses:
        print("not all judged pages in the top 5:\n" + "\n".join(misses))


if __name__ == "__main__":
    main()
