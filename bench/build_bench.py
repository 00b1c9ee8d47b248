#!/usr/bin/env python3
"""Shouce build benchmark: full-build time, pages/s and peak memory, against Zola and Hugo.

    python3 bench/build_bench.py                       # sizes 1000 and 10000
    python3 bench/build_bench.py --sizes 1000 --runs 5
    python3 bench/build_bench.py --shouce ./target/release/shouce --no-dev

For every size N it
  1. builds shouce in release mode (cargo build --release), unless --shouce PATH;
  2. generates, in a fresh folder under /tmp,
       own      our handbook (bench/gen_handbook.py --pages N): the features Shouce
                adds (callouts, dialogues, anchored cross-links, dates, the real theme)
       ref      the shared reference corpus (../shared/bench/gen_corpus.py --layout md),
                wrapped into a shouce site (shouce.toml + themes/default); if its links
                break, [markdown] broken_links = "warn" is set and the warnings counted
       ref-zola / ref-hugo  the same reference corpus in Zola's and Hugo's layouts;
  3. checks that each site builds (errors and warnings are reported);
  4. times full builds: one warm-up, then --runs timed runs (default 3), each into an
     out dir that does not exist yet; reports the best and the median wall time,
     pages/s (N / best) and the peak RSS (ru_maxrss of the build process, from wait4);
  5. times Zola (`zola --root DIR build --output-dir OUT --force`; zola on PATH, $ZOLA,
     --zola, or /work/zola-src/target/release/zola) on the reference corpus as the
     reference generates it (with Zola's search index) and with --no-search, and Hugo
     (`hugo --source DIR --destination OUT --quiet`) when they are installed; with Zola
     also shouce with --no-search-index, the like-for-like row for `zola --no-search`;
  6. prints ratios zola/shouce and hugo/shouce on the same (reference) corpus (zola
     --no-search against shouce --no-search-index);
  7. measures dev rebuilds on the 1000-page corpus (--dev-size): starts `shouce -C DIR
     dev --port P`, waits for the first `rebuilt` line, appends a line to one page 5 times
     1 s apart and parses the `rebuilt in N ms` lines (median and max).

Targets: shouce >= 2x faster than Zola and Hugo, a 10k-page build under 3 s wall,
peak RSS under 1 GB, dev rebuild median under 150 ms.

Everything runs in a temp dir under /tmp that is removed at the end (--keep keeps it);
every child runs in its own process group with a timeout and is killed on exit.
Standard library only.
"""

import argparse
import json
import os
import platform
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_REF_GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
ZOLA_FALLBACK = "/work/zola-src/target/release/zola"

TARGET_RATIO = 2.0
TARGET_10K_S = 3.0
TARGET_RSS_MB = 1024.0
TARGET_DEV_MS = 150.0

LIVE = {}  # pid -> Popen, for cleanup on exit

# On ext4 without a journal (this machine's disk) the inode allocator skips inodes
# freed in the last 1-6 minutes (fs/ext4/ialloc.c, recently_deleted()), one buffer
# lookup each: creating 10k files right after deleting 10k files costs seconds. So
# on such a disk nothing is deleted until the end of the whole benchmark (every out
# dir is new, and no deletion happens between timed runs); on tmpfs it is safe.
EAGER_DELETE = False


def fs_type(path):
    best, kind = "", "?"
    try:
        with open("/proc/mounts") as f:
            for line in f:
                parts = line.split()
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, parts[2]
    except OSError:
        pass
    return kind


def discard(path):
    """Deletes now where that is harmless, else leaves it for the final cleanup."""
    if EAGER_DELETE:
        shutil.rmtree(path, ignore_errors=True)


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def kill_group(proc, sig=signal.SIGKILL):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all_live():
    for proc in list(LIVE.values()):
        kill_group(proc)
        try:
            proc.wait(timeout=5)
        except Exception:
            pass
    LIVE.clear()


class Result:
    def __init__(self):
        self.rc = None
        self.wall = None
        self.maxrss_kb = 0
        self.cpu = None
        self.timed_out = False
        self.stdout = ""
        self.stderr = ""


def run_measured(cmd, timeout, logdir, tag, env=None, cwd=None):
    """Runs cmd in its own process group; wall time and the child's own peak RSS (wait4)."""
    out_path = os.path.join(logdir, tag + ".out")
    err_path = os.path.join(logdir, tag + ".err")
    res = Result()
    with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=env, cwd=cwd)
        LIVE[proc.pid] = proc
        timer = threading.Timer(timeout, lambda: (setattr(res, "timed_out", True), kill_group(proc)))
        timer.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        res.wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        LIVE.pop(proc.pid, None)
    kill_group(proc)  # any stray grandchildren
    res.rc = proc.returncode
    res.maxrss_kb = ru.ru_maxrss  # KiB on Linux
    res.cpu = ru.ru_utime + ru.ru_stime
    with open(out_path, encoding="utf-8", errors="replace") as f:
        res.stdout = f.read()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        res.stderr = f.read()
    return res


def run_plain(cmd, timeout, **kw):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, **kw)
    LIVE[proc.pid] = proc
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, _ = proc.communicate()
        LIVE.pop(proc.pid, None)
        raise RuntimeError("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    LIVE.pop(proc.pid, None)
    return proc.returncode, out.decode("utf-8", "replace")


def tail(text, n=15):
    return "\n".join(text.strip().splitlines()[-n:])


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

def build_shouce(timeout):
    log("cargo build --release (in %s)" % REPO)
    rc, out = run_plain(["cargo", "build", "--release"], timeout, cwd=REPO)
    if rc != 0:
        sys.exit("cargo build --release failed:\n" + tail(out, 40))
    return os.path.join(REPO, "target", "release", "shouce")


def find_zola(opt):
    for cand in [opt, os.environ.get("ZOLA"), shutil.which("zola"), ZOLA_FALLBACK]:
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def tool_version(cmd):
    try:
        rc, out = run_plain(cmd, 30)
        return out.strip().splitlines()[0] if out.strip() else "?"
    except Exception as e:  # noqa: BLE001
        return "? (%s)" % e


def git_state():
    try:
        rc, out = run_plain(["git", "-C", REPO, "describe", "--always", "--dirty"], 30)
        return out.strip() if rc == 0 else "?"
    except Exception:  # noqa: BLE001
        return "?"


# ---------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------

def write_shouce_toml(site, broken_links=None):
    text = 'title = "基准手册"\nbase_url = "/"\n'
    if broken_links:
        text += '\n[markdown]\nbroken_links = "%s"\n' % broken_links
    with open(os.path.join(site, "shouce.toml"), "w", encoding="utf-8") as f:
        f.write(text)


def gen_own(n, site, timeout):
    rc, out = run_plain([sys.executable, os.path.join(HERE, "gen_handbook.py"), "--pages", str(n), "--out", site,
                         "--stats"], timeout)
    if rc != 0:
        raise RuntimeError("gen_handbook.py failed:\n" + tail(out))
    return json.loads(out.strip().splitlines()[-1])


def gen_ref(ref_gen, n, layout, out, timeout, extra=()):
    rc, text = run_plain([sys.executable, ref_gen, "--n", str(n), "--layout", layout, "--out", out] + list(extra),
                         timeout)
    if rc != 0:
        raise RuntimeError("gen_corpus.py --layout %s failed:\n%s" % (layout, tail(text)))


def wrap_ref_md(ref_md, site):
    """The md layout is bare Markdown folders: make it a shouce site."""
    os.makedirs(site)
    shutil.move(ref_md, os.path.join(site, "content"))
    write_shouce_toml(site)
    shutil.copytree(os.path.join(REPO, "themes", "default"), os.path.join(site, "themes", "default"))


SUMMARY_RE = re.compile(r"^(?:(\d+) errors?)?(?:, )?(?:(\d+) warnings?)?$")


def count_problems(stderr):
    """(errors, warnings) from shouce's closing summary line ('2 errors, 3 warnings')."""
    for line in reversed(stderr.strip().splitlines()):
        m = SUMMARY_RE.match(line.strip())
        if m and (m.group(1) or m.group(2)):
            return int(m.group(1) or 0), int(m.group(2) or 0)
    return 0, 0


def check_shouce_site(shouce, site, logdir, tag, timeout, allow_warn_fallback):
    """Builds once; returns a note. Falls back to broken_links = "warn" if allowed."""
    res = run_measured([shouce, "-C", site, "build"], timeout, logdir, tag + "-check")
    errors, warnings = count_problems(res.stderr)
    if res.rc != 0 and allow_warn_fallback and ("link to a missing" in res.stderr or "no heading" in res.stderr):
        log("%s: %d errors with broken_links = error; retrying with broken_links = \"warn\"" % (tag, errors))
        write_shouce_toml(site, "warn")
        res = run_measured([shouce, "-C", site, "build"], timeout, logdir, tag + "-check-warn")
        errors, warnings = count_problems(res.stderr)
        if res.rc == 0:
            return True, "broken_links=warn: %d warnings" % warnings, res
    if res.rc != 0:
        return False, "build FAILED (rc %s): %s" % (res.rc, tail(res.stderr, 8)), res
    note = "0 errors, %d warnings" % warnings if warnings else "0 errors, 0 warnings"
    return True, note, res


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

class Timing:
    def __init__(self, corpus, tool, n):
        self.corpus, self.tool, self.n = corpus, tool, n
        self.walls = []
        self.cpus = []
        self.rss_kb = []
        self.note = ""
        self.failed = None

    @property
    def best(self):
        return min(self.walls) if self.walls else None

    @property
    def median(self):
        return statistics.median(self.walls) if self.walls else None

    def as_dict(self):
        return {"corpus": self.corpus, "tool": self.tool, "pages": self.n, "walls_s": self.walls,
                "best_s": self.best, "median_s": self.median,
                "pages_per_s": (self.n / self.best) if self.best else None,
                "cpu_s": self.cpus, "min_cpu_s": min(self.cpus) if self.cpus else None,
                "peak_rss_mb": (max(self.rss_kb) / 1024) if self.rss_kb else None,
                "note": self.note, "failed": self.failed}


def time_builds(timing, make_cmd, outroot, logdir, runs, warmup, timeout, env=None):
    for i in range(warmup + runs):
        out = os.path.join(outroot, "%s-%s-%d-%d" % (timing.corpus, timing.tool.replace(" ", "_"), timing.n, i))
        if os.path.exists(out):
            shutil.rmtree(out)
        tag = "%s-%s-%d-run%d" % (timing.corpus, timing.tool.replace(" ", "_"), timing.n, i)
        res = run_measured(make_cmd(out), timeout, logdir, tag, env=env)
        discard(out)
        if res.timed_out or res.rc != 0:
            timing.failed = "timed out after %ds" % timeout if res.timed_out else \
                "rc %s: %s" % (res.rc, tail(res.stderr or res.stdout, 6))
            log("%s %s N=%d FAILED: %s" % (timing.tool, timing.corpus, timing.n, timing.failed))
            return timing
        kind = "warm-up" if i < warmup else "run %d" % (i - warmup + 1)
        log("  %-24s %-8s N=%-6d %-8s %7.3f s  cpu %7.3f s  %6.0f MB" % (
            timing.tool, timing.corpus, timing.n, kind, res.wall, res.cpu, res.maxrss_kb / 1024))
        if i >= warmup:
            timing.walls.append(res.wall)
            timing.cpus.append(res.cpu)
            timing.rss_kb.append(res.maxrss_kb)
    return timing


def shouce_phases(shouce, site, outroot, logdir, timeout):
    """One extra build with SHOUCE_LOG=info: the phase timestamps the binary logs, if any."""
    out = os.path.join(outroot, "phases-%s" % os.path.basename(site))
    env = dict(os.environ, SHOUCE_LOG="shouce=info", NO_COLOR="1")
    res = run_measured([shouce, "-C", site, "build", "--out", out], timeout, logdir, "phases", env=env)
    discard(out)
    phases = []
    for line in res.stderr.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.search(r"ms=(\d+)\s+(\w+)|(\w+)\s+ms=(\d+)", line)
        if m and "INFO" in line:
            if m.group(1):
                phases.append((m.group(2), int(m.group(1))))
            else:
                phases.append((m.group(3), int(m.group(4))))
    return phases


# ---------------------------------------------------------------------------
# Dev rebuilds
# ---------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REBUILT_RE = re.compile(r"rebuilt in (\d+(?:\.\d+)?) ms \(([^)]*)\): (\d+) pages")


def dev_rebuilds(shouce, site, edits, gap, timeout, logdir, quiet=3.0):
    """Edits one page `edits` times, `gap` s apart, under `shouce dev`.

    Returns a dict: rows = [(reported build ms, edit -> line seen ms, cause)], idle = the
    `rebuilt` lines printed during `quiet` s with no edit after the first build (should be
    none), stray = rebuilds during the edits not attributable to an edit, note."""
    pages = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(site, "content")):
        dirnames.sort()
        pages += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".md") and f != "_index.md"]
    info = {"rows": [], "idle": [], "stray": [], "note": ""}
    if not pages:
        info["note"] = "no page to edit"
        return info
    page = pages[len(pages) // 2]
    rel = os.path.relpath(page, site)
    port = free_port()
    ferr = open(os.path.join(logdir, "dev.err"), "wb")
    fout = open(os.path.join(logdir, "dev.out"), "w", encoding="utf-8")
    proc = subprocess.Popen([shouce, "-C", site, "dev", "--port", str(port)], stdout=subprocess.PIPE, stderr=ferr,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    LIVE[proc.pid] = proc
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            fout.write(line + "\n")
            lines.put((time.perf_counter(), line))
        lines.put((time.perf_counter(), None))

    threading.Thread(target=reader, daemon=True).start()

    def next_line(deadline):
        left = deadline - time.perf_counter()
        if left <= 0:
            return None, None
        try:
            return lines.get(timeout=left)
        except queue.Empty:
            return None, None

    try:
        deadline = time.perf_counter() + timeout
        while True:
            t, line = next_line(deadline)
            if line is None:
                info["note"] = "dev server gave no first build (timeout or exit; see dev.err)"
                return info
            if "build failed" in line:
                info["note"] = "first dev build failed: " + line
                return info
            if "rebuilt in" in line:
                break
        # a quiet period: nothing changes, so nothing should be rebuilt
        deadline = time.perf_counter() + quiet
        while True:
            t, line = next_line(deadline)
            if t is None:
                break
            if line and "rebuilt in" in line:
                info["idle"].append(line)
        for k in range(edits):
            t_edit = time.perf_counter()
            with open(page, "a", encoding="utf-8") as f:
                f.write("\n基准测试追加的第 %d 行。\n" % (k + 1))
            deadline = t_edit + 60
            got = False
            while not got:
                t, line = next_line(deadline)
                if line is None:
                    info["note"] = "edit %d: no rebuild within 60 s" % (k + 1)
                    break
                if "build failed" in line:
                    info["note"] = "edit %d: %s" % (k + 1, line)
                    break
                m = REBUILT_RE.search(line)
                if not m:
                    continue
                ms, cause = float(m.group(1)), m.group(2)
                started = t - ms / 1000
                if cause == rel or (t > t_edit and started >= t_edit):
                    info["rows"].append((ms, (t - t_edit) * 1000, cause))
                    got = True
                else:
                    info["stray"].append(line)
            if not got:
                break
            rest = gap - (time.perf_counter() - t_edit)
            if rest > 0:
                time.sleep(rest)
        # quiet again after the last edit: a rebuild loop shows up here
        deadline = time.perf_counter() + quiet
        while True:
            t, line = next_line(deadline)
            if t is None:
                break
            if line and "rebuilt in" in line:
                info["idle"].append(line)
    finally:
        kill_group(proc, signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.wait(timeout=5)
        LIVE.pop(proc.pid, None)
        ferr.close()
        time.sleep(0.1)
        fout.close()
    info["note"] = info["note"] or "edited %s" % rel
    return info


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def is_target(ratio_name):
    """The 2x target compares each tool building the corpus as the reference generator
    writes it (Zola with its search index) with shouce's full build. The no-search pair
    is printed for information: Zola's three-template theme there has no sidebar, table
    of contents, breadcrumbs or print view, so it does less work per page than shouce's
    default theme even without a search index."""
    return "no search" not in ratio_name


def print_report(meta, timings, ratios, dev, checks, phases):
    print()
    print("=" * 100)
    print("Shouce build benchmark  %s  (%s)" % (meta["date"], meta["machine"]))
    print("shouce %s @ %s | zola: %s | hugo: %s" % (meta["shouce_version"], meta["git"], meta["zola"], meta["hugo"]))
    print("best of %d timed runs after %d warm-up; each into a fresh out dir in %s"
          % (meta["runs"], meta["warmup"], meta["tmp"]))
    print("load average at start %s, at end %s" % (meta["load_start"], meta["load_end"]))
    print("corpora: own = bench/gen_handbook.py (shouce features, default theme); "
          "ref = shared/bench/gen_corpus.py (same pages for every tool)")
    print("=" * 100)
    print()
    print("Site checks")
    for c in checks:
        print("  %-7s %-10s N=%-6d %s" % (c[0], c[1], c[2], c[3]))
    print()
    hdr = "%-6s | %-6s | %-24s | %8s | %8s | %9s | %9s | %11s | %s" % (
        "pages", "corpus", "tool", "best s", "median s", "pages/s", "min cpu s", "peak RSS MB", "note")
    print(hdr)
    print("-" * len(hdr))
    for t in timings:
        d = t.as_dict()
        if t.failed:
            print("%-6d | %-6s | %-24s | %8s | %8s | %9s | %9s | %11s | %s" % (t.n, t.corpus, t.tool, "-", "-", "-", "-", "-",
                                                                       (t.failed if t.failed.startswith("skipped")
                                                                        else "FAILED " + t.failed.splitlines()[0])[:90]))
            continue
        print("%-6d | %-6s | %-24s | %8s | %8s | %9s | %9s | %11s | %s" % (
            t.n, t.corpus, t.tool, fmt(d["best_s"], ".3f"), fmt(d["median_s"], ".3f"),
            fmt(d["pages_per_s"], ".0f"), fmt(d["min_cpu_s"], ".3f"), fmt(d["peak_rss_mb"], ".0f"), t.note))
    print()
    if ratios:
        print("Speed ratios on the reference corpus (other tool's best / shouce's best; target >= %.0fx)"
              % TARGET_RATIO)
        print("  (cpu = the same with user+sys CPU seconds: less sensitive to other load on the machine)")
        for n, name, r, rc in ratios:
            verdict = "-" if r is None else ("info" if not is_target(name)
                                              else "ok" if r >= TARGET_RATIO else "MISSED")
            print("  N=%-6d %-46s wall %7s  %-6s  cpu %7s" % (n, name, fmt(r, ".2f") + "x" if r else "-", verdict,
                                                              fmt(rc, ".2f") + "x" if rc else "-"))
        print()
    if phases:
        print("shouce phases (SHOUCE_LOG=info, cumulative ms since build start, one extra run)")
        for (corpus, n), ph in phases.items():
            print("  %-6s N=%-6d %s" % (corpus, n, ", ".join("%s %d" % p for p in ph) if ph else "(not logged)"))
        print()
    if dev is not None:
        rows = dev["rows"]
        print("Dev rebuilds (shouce dev, %s corpus, N=%d; %s)" % (dev["corpus"], dev["n"], dev["note"]))
        if rows:
            builds = [r[0] for r in rows]
            seen = [r[1] for r in rows]
            print("  reported 'rebuilt in' ms : %s" % ", ".join("%.0f" % b for b in builds))
            print("  edit -> line seen ms     : %s  (adds the file watcher's debounce)"
                  % ", ".join("%.0f" % s for s in seen))
            print("  median %.0f ms, max %.0f ms  (target median < %.0f ms: %s)" % (
                statistics.median(builds), max(builds), TARGET_DEV_MS,
                "ok" if statistics.median(builds) < TARGET_DEV_MS else "MISSED"))
        if dev["idle"]:
            causes = sorted(set(REBUILT_RE.search(l).group(2) for l in dev["idle"] if REBUILT_RE.search(l)))
            print("  WARNING: %d rebuilds in the 2 x %.0f s with NO edit (before the first edit and after the"
                  " last; a rebuild loop?); causes: %s" % (len(dev["idle"]), dev["quiet"], ", ".join(causes[:6])))
        if dev["stray"]:
            causes = sorted(set(REBUILT_RE.search(l).group(2) for l in dev["stray"] if REBUILT_RE.search(l)))
            print("  %d further rebuilds during the edits not caused by them; causes: %s"
                  % (len(dev["stray"]), ", ".join(causes[:6])))
        print()
    print("Targets")
    for line in meta["targets"]:
        print("  " + line)
    print("=" * 100)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated page counts (default 1000,10000)")
    ap.add_argument("--shouce", help="use this shouce binary instead of cargo build --release")
    ap.add_argument("--zola", help="zola binary (else $ZOLA, zola on PATH, %s)" % ZOLA_FALLBACK)
    ap.add_argument("--hugo", help="hugo binary (else hugo on PATH)")
    ap.add_argument("--ref-gen", default=DEFAULT_REF_GEN, help="reference corpus generator (gen_corpus.py)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per build (default 3)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs (default 1)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per child process (default 600)")
    ap.add_argument("--no-zola", action="store_true")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--no-own", action="store_true", help="skip our own corpus")
    ap.add_argument("--no-dev", action="store_true", help="skip the dev-rebuild measurement")
    ap.add_argument("--dev-size", type=int, default=1000, help="corpus size for the dev measurement")
    ap.add_argument("--dev-edits", type=int, default=5)
    ap.add_argument("--no-phases", action="store_true", help="skip the SHOUCE_LOG=info phase run")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (printed at the end)")
    ap.add_argument("--tmp-base", default="/tmp",
                    help="where the temp dir is made (default /tmp; /dev/shm = tmpfs, to take the disk out)")
    opts = ap.parse_args(argv)
    sizes = [int(s) for s in opts.sizes.split(",") if s.strip()]

    def on_signal(signum, frame):
        raise SystemExit("interrupted by signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    shouce = os.path.abspath(opts.shouce) if opts.shouce else build_shouce(1800)
    if not os.access(shouce, os.X_OK):
        sys.exit("no shouce binary at %s" % shouce)
    zola = None if opts.no_zola else find_zola(opts.zola)
    hugo = None if opts.no_hugo else (opts.hugo or shutil.which("hugo"))
    if not os.path.isfile(opts.ref_gen):
        sys.exit("reference generator not found: %s (use --ref-gen)" % opts.ref_gen)

    global EAGER_DELETE
    base = os.path.realpath(opts.tmp_base)
    if base == REPO or base.startswith(REPO + os.sep):
        sys.exit("--tmp-base must be outside the repository")
    tmp = tempfile.mkdtemp(prefix="shouce-bench-", dir=base)
    fstype = fs_type(tmp)
    EAGER_DELETE = fstype == "tmpfs"
    logdir = os.path.join(tmp, "logs")
    outroot = os.path.join(tmp, "out")
    os.makedirs(logdir)
    os.makedirs(outroot)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": "%s, %d cores, %s" % (platform.machine(), os.cpu_count() or 0, platform.system()),
        "shouce_version": tool_version([shouce, "--version"]),
        "git": git_state(),
        "zola": tool_version([zola, "--version"]) if zola else "not found (skipped)",
        "hugo": tool_version([hugo, "version"]).split(" BuildDate")[0] if hugo else "not found (skipped)",
        "runs": opts.runs, "warmup": opts.warmup,
        "load_start": "%.2f %.2f %.2f" % os.getloadavg(),
        "tmp": "%s (%s)" % (tmp, fstype),
    }
    log("temp dir %s; shouce %s; zola %s; hugo %s" % (tmp, shouce, zola or "-", hugo or "-"))
    if os.getloadavg()[0] > 1.5:
        log("WARNING: load average %.2f on %d cores: something else is running, numbers may be disturbed"
            % (os.getloadavg()[0], os.cpu_count() or 0))

    timings, ratios, checks, phases = [], [], [], {}
    check_notes = {}
    dev = None
    try:
        for n in sizes:
            log("=== N = %d ===" % n)
            corpora = {}
            if not opts.no_own:
                site = os.path.join(tmp, "own-%d" % n)
                st = gen_own(n, site, opts.timeout)
                ok, note, _ = check_shouce_site(shouce, site, logdir, "own-%d" % n, opts.timeout, False)
                checks.append(("own", "shouce", n, "%s; %d sections, %d links (%d with #anchor), %.1f MB markdown"
                               % (note, st["sections"], st["links"], st["anchored_links"], st["bytes"] / 2 ** 20)))
                discard(os.path.join(site, "public"))
                check_notes[("own", n)] = note
                if ok:
                    corpora["own"] = site
            site = os.path.join(tmp, "ref-%d" % n)
            gen_ref(opts.ref_gen, n, "md", os.path.join(tmp, "ref-md-%d" % n), opts.timeout)
            wrap_ref_md(os.path.join(tmp, "ref-md-%d" % n), site)
            ok, note, _ = check_shouce_site(shouce, site, logdir, "ref-%d" % n, opts.timeout, True)
            checks.append(("ref", "shouce", n, note))
            check_notes[("ref", n)] = note
            discard(os.path.join(site, "public"))
            if ok:
                corpora["ref"] = site

            shouce_t = {}
            for corpus, site in corpora.items():
                t = Timing(corpus, "shouce", n)
                time_builds(t, lambda out, s=site: [shouce, "-C", s, "build", "--out", out], outroot, logdir,
                            opts.runs, opts.warmup, opts.timeout)
                t.note = check_notes[(corpus, n)]
                timings.append(t)
                shouce_t[corpus] = t
                if not opts.no_phases:
                    phases[(corpus, n)] = shouce_phases(shouce, site, outroot, logdir, opts.timeout)
            if "ref" in corpora and zola:
                # Like for like with `zola --no-search`: shouce without its search index.
                t = Timing("ref", "shouce (no search index)", n)
                time_builds(t, lambda out, s=corpora["ref"]: [shouce, "-C", s, "build", "--no-search-index",
                                                               "--out", out],
                            outroot, logdir, opts.runs, opts.warmup, opts.timeout)
                timings.append(t)
                shouce_t["ref-nosearch"] = t

            others = []
            if zola:
                for label, extra in (("zola (search index)", []), ("zola (no search)", ["--no-search"])):
                    zsite = os.path.join(tmp, "ref-zola-%d%s" % (n, "-nosearch" if extra else ""))
                    gen_ref(opts.ref_gen, n, "zola", zsite, opts.timeout, extra)
                    t = Timing("ref", label, n)
                    time_builds(t, lambda out, s=zsite: [zola, "--root", s, "build", "--output-dir", out, "--force"],
                                outroot, logdir, opts.runs, opts.warmup, opts.timeout)
                    timings.append(t)
                    others.append(t)
                    discard(zsite)
            else:
                t = Timing("ref", "zola", n)
                t.failed = "skipped: --no-zola, or no zola binary (see bench/README.md)"
                timings.append(t)
            if hugo:
                hsite = os.path.join(tmp, "ref-hugo-%d" % n)
                gen_ref(opts.ref_gen, n, "hugo", hsite, opts.timeout)
                hugo_env = dict(os.environ, HUGO_CACHEDIR=os.path.join(tmp, "hugo-cache"))
                t = Timing("ref", "hugo", n)
                time_builds(t, lambda out, s=hsite: [hugo, "--source", s, "--destination", out, "--quiet"],
                            outroot, logdir, opts.runs, opts.warmup, opts.timeout, env=hugo_env)
                timings.append(t)
                others.append(t)
                discard(hsite)
            else:
                t = Timing("ref", "hugo", n)
                t.failed = "skipped: --no-hugo, or hugo not on PATH (apt-get install hugo)"
                timings.append(t)
            for t in others:
                # Each tool against shouce doing the same work: Zola without its search
                # index against shouce without its index; the others against the full build.
                if t.tool == "zola (no search)" and "ref-nosearch" in shouce_t:
                    base = shouce_t["ref-nosearch"]
                    name = "zola (no search) / shouce (no search index)"
                else:
                    base = shouce_t.get("ref")
                    name = "%s / shouce" % t.tool
                r = (t.best / base.best) if (base and base.best and t.best) else None
                rc = (min(t.cpus) / min(base.cpus)) if (base and base.cpus and t.cpus) else None
                ratios.append((n, name, r, rc))

            if not opts.no_dev and n == opts.dev_size:
                corpus = "own" if "own" in corpora else "ref"
                if corpus in corpora:
                    log("dev rebuilds on %s-%d" % (corpus, n))
                    dev = dev_rebuilds(shouce, corpora[corpus], opts.dev_edits, 1.0, opts.timeout, logdir)
                    dev.update(corpus=corpus, n=n, quiet=3.0)
            for site in corpora.values():
                discard(site)

        if not opts.no_dev and dev is None and opts.dev_size not in sizes:
            n = opts.dev_size
            site = os.path.join(tmp, "own-%d" % n)
            gen_own(n, site, opts.timeout)
            log("dev rebuilds on own-%d" % n)
            dev = dev_rebuilds(shouce, site, opts.dev_edits, 1.0, opts.timeout, logdir)
            dev.update(corpus="own", n=n, quiet=3.0)

        # targets
        lines = []
        for n, name, r, _ in ratios:
            if r is not None and is_target(name):
                lines.append("[%s] N=%d %s = %.2fx (>= %.0fx)" % ("ok" if r >= TARGET_RATIO else "MISSED", n, name, r,
                                                                   TARGET_RATIO))
        for t in timings:
            if t.tool == "shouce" and t.best is not None:
                if t.n >= 10000:
                    lines.append("[%s] %s N=%d build %.2f s (< %.0f s)" % (
                        "ok" if t.best < TARGET_10K_S else "MISSED", t.corpus, t.n, t.best, TARGET_10K_S))
                rss = max(t.rss_kb) / 1024
                lines.append("[%s] %s N=%d peak RSS %.0f MB (< %.0f MB)" % (
                    "ok" if rss < TARGET_RSS_MB else "MISSED", t.corpus, t.n, rss, TARGET_RSS_MB))
        if dev and dev["rows"]:
            med = statistics.median(r[0] for r in dev["rows"])
            lines.append("[%s] dev rebuild median %.0f ms (< %.0f ms), max %.0f ms" % (
                "ok" if med < TARGET_DEV_MS else "MISSED", med, TARGET_DEV_MS, max(r[0] for r in dev["rows"])))
        if dev and dev["idle"]:
            lines.append("[MISSED] dev server rebuilt %d times in 2 x %.0f s with no edit" % (len(dev["idle"]),
                                                                                           dev["quiet"]))
        meta["targets"] = lines
        meta["load_end"] = "%.2f %.2f %.2f" % os.getloadavg()
        print_report(meta, timings, ratios, dev, checks, phases)
        if opts.json:
            with open(opts.json, "w", encoding="utf-8") as f:
                json.dump({"meta": meta, "timings": [t.as_dict() for t in timings],
                           "ratios": ratios, "checks": checks, "dev": dev,
                           "phases": {"%s-%d" % k: v for k, v in phases.items()}}, f, ensure_ascii=False, indent=2)
    finally:
        kill_all_live()
        if opts.keep:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
