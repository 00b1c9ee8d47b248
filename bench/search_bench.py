#!/usr/bin/env python3
"""Search benchmark on the reference corpus: what the index costs and what a query
downloads and takes in the browser.

    python3 bench/search_bench.py                     # N = 10000, 5 runs each
    python3 bench/search_bench.py --n 1000 --runs 3 --shouce target/release/shouce

It builds shouce (cargo build --release) unless --shouce, generates the reference
corpus (../shared/bench/gen_corpus.py --n N --layout md) as a site in a fresh temp dir,
and prints:
  1. build time with and without the search index (`build --no-search-index`), runs
     alternating, best and median wall and CPU, and the share the index adds;
  2. the index on disk: files, bytes, bytes per page, gzip bytes per page;
  3. in headless Chromium (bench/search/browser_bench.mjs, Debian's chromium, from
     file://): for each query of a fixed list, the time until ShouceSearch.search
     resolves when it must load its index files (cold) and once they are loaded
     (warm: the ranking alone), and the gzip size of the files it loaded for the first
     time: the first query (search.js and the manifest included) and the later ones.
Targets (issue 6): the index adds at most 30 % to the build; the first query downloads
under 150 KB gzip and later queries less; a query answers in under 30 ms.
--before BIN measures a second shouce binary (an older commit) on the same corpus the
same way and prints its figures first, then these "must not get worse" figures side by
side (issue 15).
Standard library only (plus node and chromium for part 3); cleans up after itself.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import build_bench as bb  # noqa: E402  (shared helpers: process groups, timeouts, corpora)

QUERIES = ["退款", "七天无理由 运费", "tuikuan", "小二介如", "客单价", "DSR 评分", "如何处理差评",
           "催付 话术", "kdj", "双十二 大促 排班", "shouhou gongdan", "物流超市", "退貨運費", "tuikaun"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shouce")
    ap.add_argument("--ref-gen", default=bb.DEFAULT_REF_GEN)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--tmp-base", default="/tmp")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--before", help="another shouce binary to measure first and compare with")
    opts = ap.parse_args()
    shouce = os.path.abspath(opts.shouce) if opts.shouce else bb.build_shouce(1800)
    tmp = tempfile.mkdtemp(prefix="shouce-search-bench-", dir=opts.tmp_base)
    bb.EAGER_DELETE = bb.fs_type(tmp) == "tmpfs"
    logdir = os.path.join(tmp, "logs")
    os.makedirs(logdir)
    load_start = os.getloadavg()[0]
    figures = {"pages": opts.n, "runs": opts.runs, "git": bb.git_state(), "load_start": load_start}
    try:
        site = os.path.join(tmp, "site")
        bb.gen_ref(opts.ref_gen, opts.n, "md", os.path.join(tmp, "md"), opts.timeout)
        bb.wrap_ref_md(os.path.join(tmp, "md"), site)
        ok, note, _ = bb.check_shouce_site(shouce, site, logdir, "check", opts.timeout, True)
        if not ok:
            sys.exit("the corpus does not build: " + note)
        runs = [("before", os.path.abspath(opts.before))] if opts.before else []
        runs.append(("after" if opts.before else "", shouce))
        results = []
        for label, binary in runs:
            f = dict(figures, label=label, git=bb.git_state() if binary == shouce else binary)
            measure(f, binary, site, tmp, logdir, opts)
            report(f)
            print()
            results.append(f)
        if len(results) == 2:
            compare(*results)
        if opts.json:
            with open(opts.json, "w") as f:
                json.dump(results, f, indent=1, ensure_ascii=False)
    finally:
        bb.kill_all_live()
        if opts.keep:
            bb.log("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def measure(figures, shouce, site, tmp, logdir, opts):
    figures["builds"] = time_builds(shouce, site, tmp, logdir, opts)
    out = os.path.join(tmp, "public")
    shutil.rmtree(out, ignore_errors=True)
    res = bb.run_measured([shouce, "-C", site, "build", "--out", out], opts.timeout, logdir, "final")
    if res.rc != 0:
        sys.exit("build failed: " + bb.tail(res.stderr))
    figures["index"] = index_size(out, opts.n)
    if not opts.no_browser:
        figures["browser"], figures["script_ms"] = browser(out, tmp, opts.timeout)
    figures["load_end"] = os.getloadavg()[0]


def compare(before, after):
    """The figures issue 15 says must not get worse, before and after."""
    def row(name, key, unit, fmt="%.1f"):
        a, b = key(before), key(after)
        print("  %-44s %10s %10s  %s" % (name, fmt % a if a is not None else "-", fmt % b if b is not None else "-", unit))

    def builds(f, kind):
        return min(f["builds"][kind]["walls_s"])

    def share(f):
        return 100.0 * (builds(f, "with") - builds(f, "without")) / builds(f, "without")

    def kb(f, which):
        rows = f.get("browser")
        if not rows:
            return None
        sizes = [r["gzip_bytes"] / 1024 for r in rows]
        return sizes[0] if which == "first" else (statistics.median(sizes[1:]) if which == "median" else max(sizes[1:]))

    def warm(f):
        rows = f.get("browser")
        return max(r["warm_ms"] for r in rows) if rows else None

    def cold(f):
        rows = f.get("browser")
        return statistics.median(r["cold_ms"] for r in rows) if rows else None

    print("must not get worse                              before      after")
    row("index adds to the build (best of runs)", share, "% (target <= 30)")
    row("build with the index, best", lambda f: builds(f, "with"), "s", "%.3f")
    row("first query downloads (gzip)", lambda f: kb(f, "first"), "KB (target < 150)")
    row("later queries download, median", lambda f: kb(f, "median"), "KB")
    row("later queries download, max", lambda f: kb(f, "max"), "KB (less than the first)")
    row("ranking once files are loaded, max (warm)", warm, "ms (target < 30)")
    row("cold query from file://, median", cold, "ms")
    row("index on disk per page (gzip)", lambda f: f["index"]["gzip_bytes_per_page"], "bytes", "%.0f")
    print("  works from file://: every query above ran in Chromium from file:// (both)")


def time_builds(shouce, site, tmp, logdir, opts):
    walls = {"with": [], "without": []}
    cpus = {"with": [], "without": []}
    for i in range(opts.runs + 1):
        for kind, extra in (("with", []), ("without", ["--no-search-index"])):
            out = os.path.join(tmp, "out-%s-%d" % (kind, i))
            res = bb.run_measured([shouce, "-C", site, "build", "--out", out] + extra, opts.timeout, logdir,
                                  "%s-%d" % (kind, i))
            if res.rc != 0:
                sys.exit("build failed: " + bb.tail(res.stderr))
            bb.discard(out)
            bb.log("  %-7s run %d  %.3f s  cpu %.3f s" % (kind, i, res.wall, res.cpu))
            if i > 0:  # the first round warms the page cache
                walls[kind].append(res.wall)
                cpus[kind].append(res.cpu)
    return {k: {"walls_s": walls[k], "cpus_s": cpus[k]} for k in walls}


def index_size(out, pages):
    idx = os.path.join(out, "search", "idx")
    files = raw = gz = 0
    for dirpath, _, names in os.walk(idx):
        for name in names:
            data = open(os.path.join(dirpath, name), "rb").read()
            files += 1
            raw += len(data)
            gz += len(gzip.compress(data, 6))
    return {"files": files, "bytes": raw, "gzip_bytes": gz, "bytes_per_page": raw / pages,
            "gzip_bytes_per_page": gz / pages}


def browser(out, tmp, timeout):
    queries = os.path.join(tmp, "queries.json")
    with open(queries, "w") as f:
        json.dump(QUERIES, f, ensure_ascii=False)
    rc, text = bb.run_plain(["node", os.path.join(HERE, "search", "browser_bench.mjs"), out, queries, "7"], timeout)
    if rc != 0:
        sys.exit("browser_bench.mjs failed:\n" + bb.tail(text, 20))
    result = json.loads(text.strip().splitlines()[-1])
    rows = result["rows"]
    for row in rows:
        row["gzip_bytes"] = sum(len(gzip.compress(open(os.path.join(out, p), "rb").read(), 6)) for p in row["files"])
    return rows, result["script_ms"]


def report(f):
    b = f["builds"]
    best = {k: min(v["walls_s"]) for k, v in b.items()}
    med = {k: statistics.median(v["walls_s"]) for k, v in b.items()}
    cpu = {k: min(v["cpus_s"]) for k, v in b.items()}
    print("Search benchmark%s: %d pages (reference corpus), shouce %s, load %.2f -> %.2f"
          % (" (" + f["label"] + ")" if f.get("label") else "", f["pages"], f["git"], f["load_start"], f["load_end"]))
    print()
    print("build                  best s  median s   min cpu s")
    for k in ("without", "with"):
        print("  %-18s %8.3f  %8.3f  %10.3f" % (k + " search index", best[k], med[k], cpu[k]))
    share = lambda a, b: 100.0 * (a - b) / b
    verdict = "ok" if share(best["with"], best["without"]) <= 30 else "MISSED"
    print("  index adds          %+6.1f %% (best)  %+6.1f %% (median)  %+6.1f %% cpu   target (best) <= 30 %%: %s"
          % (share(best["with"], best["without"]), share(med["with"], med["without"]),
             share(cpu["with"], cpu["without"]), verdict))
    i = f["index"]
    print()
    print("index on disk: %d files, %.1f MB (%.0f bytes per page); gzip %.1f MB (%.0f bytes per page)"
          % (i["files"], i["bytes"] / 1e6, i["bytes_per_page"], i["gzip_bytes"] / 1e6, i["gzip_bytes_per_page"]))
    rows = f.get("browser")
    if not rows:
        return
    print()
    print("browser (headless Chromium, file://), limit 10:")
    print("  %-18s %8s %8s %6s %10s" % ("query", "cold ms", "warm ms", "files", "gzip KB"))
    for r in rows:
        print("  %-18s %8.1f %8.1f %6d %10.1f" % (r["q"], r["cold_ms"], r["warm_ms"], len(r["files"]),
                                                r["gzip_bytes"] / 1024))
    first = rows[0]["gzip_bytes"] / 1024
    later = [r["gzip_bytes"] / 1024 for r in rows[1:]]
    warm = [r["warm_ms"] for r in rows]
    cold = [r["cold_ms"] for r in rows]
    print("  first query downloads %.1f KB gzip (target < 150: %s); later queries median %.1f KB, max %.1f KB"
          % (first, "ok" if first < 150 else "MISSED", statistics.median(later), max(later)))
    print("  query time warm: median %.1f ms, max %.1f ms (target < 30: %s); cold (loading its files "
          "from file://): median %.1f ms, max %.1f ms"
          % (statistics.median(warm), max(warm), "ok" if max(warm) < 30 else "MISSED",
             statistics.median(cold), max(cold)))
    if f.get("script_ms") is not None:
        print("  one <script> load from file:// costs %.1f ms here (an unused readings file): a cold query"
              " waits for about (files it loads) x that" % f["script_ms"])


if __name__ == "__main__":
    main()
