#!/usr/bin/env python3
"""stepstone's CLI against the planning job a user would otherwise write with networkx.

For each catalog size, the Rust generator (benches/examples/gen.rs) writes a catalog; then

* networkx: load the JSON, build a DiGraph with an edge c -> r for every installable pair
  (the install rule, README "Update paths"), and take the shortest path from the lowest to the highest
  release (BFS by hops; Dijkstra by bytes, the weight also counting hops so rule 2 holds);
* stepstone: `stepstone plan CATALOG --from LO --to HI --model A --format json` (a new process
  each time, JSON parsing included, as a user would run it).

Both plan for model A: the generated releases differ by model (some minors are for A or B
alone), so a plan states the device's model.

Both must agree: same cost and hops, and the networkx path re-walked with the install rule's tie-break (README, "Update paths")
(at the first differing hop, the higher version) must equal stepstone's path exactly.
Prints medians of CPU time (user + sys: the machine may be shared; networkx's is this
process's CPU over the job, the CLI's is its own process's, not this script's work to spawn
it) and of wall time, and the ratio networkx / stepstone; and the ratio networkx job / stepstone core (one `plan` call on a
loaded catalog, timed in-process by the `plan` example). Target: >= 300x for the whole CLI
process at 10k releases (goal 1000x), >= 1000x for the core.

The two sides are timed interleaved (`--order interleaved`, the default): `--repeat` rounds,
each one networkx job followed by `--per-round` runs of every stepstone build (the builds take
turns run by run). A round's ratio is networkx's CPU time in that round over the median CPU
time of the build's runs in the same round, so both sides of it see the machine in the same
state; the script prints the median of the round ratios, the lowest and highest, and their
spread ((highest - lowest) / median). On a shared VM, slow phases last seconds, so timing all
CLI runs and then all networkx jobs (`--order sequential`, the method before) compares two
different machines: in three runs of each on one binary, its ratio moved by 26 % of its median
from run to run, the interleaved median of round ratios by 14 % (docs/planning-performance.md).

    python3 benches/networkx_baseline.py [--sizes 100,1000,10000] [--cost hops|bytes]
        [--edges naive|bisect] [--repeat 7] [--per-round 7] [--order interleaved|sequential]
        [--seed 42] [--no-build] [--stepstone BIN ...]

`--edges naive` (default) tests every pair, as "an edge for every installable pair" reads;
`--edges bisect` visits, for each release, only the versions from its lower bound
(min_sw_version, barriers) up: a stronger baseline, for which the ratio is far smaller.
Needs `pip install networkx` and the release builds of `stepstone` and the `gen` example
(built on first use with cargo). `--stepstone BIN` (repeatable) times other builds of the CLI
in the same run, each against the same networkx figures (say, a build from before a change).
"""

import argparse
import bisect
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import networkx as nx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "target", "release")


def build_tools():
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "stepstone-benches", "--examples"],
        cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "stepstone-cli"], cwd=ROOT, check=True)


def num(v):
    """Integer-scheme version (`v64000` or `64000`) as a number."""
    return int(v[1:] if v.startswith("v") else v)


def parse_range(text):
    """`blocked_from` entry: a version or comparators like `>=v1, <v2` -> predicate."""
    tests = []
    for part in text.split(","):
        part = part.strip()
        for op in (">=", "<=", ">", "<", "="):
            if part.startswith(op):
                tests.append((op, num(part[len(op):].strip())))
                break
        else:
            tests.append(("=", num(part)))
    ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
           "<": lambda a, b: a < b, "=": lambda a, b: a == b}
    return lambda c: all(ops[op](c, v) for op, v in tests)


def fits(names, wanted):
    return names is None or wanted is None or wanted in names


def build_graph(doc, model=None, environment=None, cost="hops", edges="bisect"):
    """DiGraph over versions with an edge c -> r for every installable pair, weighted."""
    releases = sorted(doc["releases"], key=lambda r: num(r["version"]))
    versions = [num(r["version"]) for r in releases]
    deadend = {num(r["version"]) for r in releases if r.get("deadend")}
    n = len(releases)
    g = nx.DiGraph()
    g.add_nodes_from(versions)
    barrier = None
    for i, r in enumerate(releases):
        v = versions[i]
        lower = num(r["min_sw_version"]) if "min_sw_version" in r else None
        if barrier is not None:
            lower = barrier if lower is None else max(lower, barrier)
        if r.get("barrier"):
            barrier = v
        if r.get("yanked") or not fits(r.get("models"), model) \
                or not fits(r.get("environments"), environment):
            continue
        blocked = [parse_range(b) for b in r.get("blocked_from", [])]
        deltas = {num(d["from"]): d["size"] for d in r.get("deltas", [])}
        size = r.get("size")
        if edges == "bisect":
            start = 0 if lower is None else bisect.bisect_left(versions, lower)
            candidates = range(start, i)
        else:
            candidates = range(n)
        for j in candidates:
            c = versions[j]
            if not (c < v and (lower is None or c >= lower)):
                continue
            if c in deadend or any(b(c) for b in blocked):
                continue
            w = 1 if cost == "hops" else deltas.get(c, size)
            # Composite weight: cost first, then hops (the path rules 1 and 2, README "Update paths").
            g.add_edge(c, v, cost=w, weight=w * (n + 1) + 1)
    return g


# The device's model, for both planners (the generated catalogs' releases differ by model).
MODEL = "A"


def networkx_job(path, lo, hi, cost, edges):
    """What a user runs: load, build, shortest path. Returns (path, timings)."""
    t0 = time.perf_counter()
    with open(path) as f:
        doc = json.load(f)
    t1 = time.perf_counter()
    g = build_graph(doc, model=MODEL, cost=cost, edges=edges)
    t2 = time.perf_counter()
    if cost == "hops":
        p = nx.shortest_path(g, lo, hi)
    else:
        p = nx.dijkstra_path(g, lo, hi, weight="weight")
    t3 = time.perf_counter()
    return g, p[1:], (t1 - t0, t2 - t1, t3 - t2)


def rule3_path(g, lo, hi):
    """The best path with the planner's tie-break: among equally good next hops, the highest."""
    dist = nx.single_source_dijkstra_path_length(g.reverse(copy=False), hi, weight="weight")
    out, at = [], lo
    while at != hi:
        at = max(s for s in g.successors(at)
                 if s in dist and dist[s] + g[at][s]["weight"] == dist[at])
        out.append(at)
    return out


def cost_of(g, lo, path):
    hops, total, at = len(path), 0, lo
    for v in path:
        total += g[at][v]["cost"]
        at = v
    return total, hops


def process_cpu_of(cmd):
    """(finished process, its CPU seconds, wall seconds) for one run of `cmd`.

    The CPU time is the child's own (user + sys, from `RUSAGE_CHILDREN`): the process the
    issue times, without this script's work to spawn it and read its output (about 0.8 ms a
    run on the development VM, which `cpu_of` would add)."""
    c0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    c1, w1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    return res, c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime, w1 - w0


def cpu_of(fn):
    """(result, CPU seconds of this process and its children, wall seconds)."""
    s0, c0, w0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = fn()
    s1, c1, w1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    cpu = (s1.ru_utime - s0.ru_utime + s1.ru_stime - s0.ru_stime
           + c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime)
    return out, cpu, w1 - w0


def load_average():
    """The 1-minute load average (what else the machine was doing), or None off Linux."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def plan_json(cmd, res):
    """The plan a `stepstone plan --format json` run printed; stops the script, naming the
    binary, when it failed or printed something else."""
    try:
        if res.returncode == 0:
            return json.loads(res.stdout)
    except json.JSONDecodeError:
        pass
    sys.exit(f"{cmd[0]} gave no plan (exit {res.returncode}): "
             f"{(res.stderr or res.stdout).strip()[:300]!r}")


class Timings:
    """One CLI build's runs at one catalog size: CPU and wall seconds, grouped by round."""

    def __init__(self):
        self.rounds = []  # per round: [(cpu, wall), ...]
        self.out = None

    def run(self, cmd):
        res, cpu, wall = process_cpu_of(cmd)
        self.out = plan_json(cmd, res)
        self.rounds[-1].append((cpu, wall))

    def cpus(self):
        return [c for r in self.rounds for c, _ in r]

    def walls(self):
        return [w for r in self.rounds for _, w in r]

    def round_ratios(self, nx_cpu):
        """networkx's CPU in each round over this build's median CPU in the same round."""
        return [nx / statistics.median(c for c, _ in r) for nx, r in zip(nx_cpu, self.rounds)]


def spread(values):
    """(median, lowest, highest, (highest - lowest) / median)."""
    m = statistics.median(values)
    return m, min(values), max(values), (max(values) - min(values)) / m


def time_size(args, binaries, n, path, lo, hi):
    """Times networkx and every CLI build on one catalog.

    `interleaved` (the default): each round is one networkx job, then `--per-round` runs of
    every build, the builds taking turns run by run, so that both sides of a round's ratio see
    the machine in the same state (on a shared VM, slow phases last seconds). `sequential`
    (the method before): every run of each build, then every networkx job, seconds apart.
    Returns (networkx CPU per round, networkx (load, build, path) wall per round, the graph
    and path of the last job, {binary: Timings})."""
    cmds = {b: [b, "plan", path, "--from", lo, "--to", hi, "--cost", args.cost,
                "--model", MODEL, "--format", "json"] for b in binaries}
    timings = {b: Timings() for b in binaries}
    nx_cpu, parts, last = [], [], None
    rounds = args.repeat if n <= 10_000 else 1

    def networkx():
        nonlocal last
        (g, nx_path, t), cpu, _ = cpu_of(
            lambda: networkx_job(path, num(lo), num(hi), args.cost, args.edges))
        nx_cpu.append(cpu)
        parts.append(t)
        last = (g, nx_path)

    # One untimed run of each build: the binary and the catalog in the page cache.
    for b in binaries:
        plan_json(cmds[b], subprocess.run(cmds[b], capture_output=True, text=True))
    if args.order == "interleaved":
        for _ in range(rounds):
            networkx()
            for t in timings.values():
                t.rounds.append([])
            for _ in range(args.per_round):
                for b in binaries:
                    timings[b].run(cmds[b])
    else:
        for b in binaries:
            timings[b].rounds.append([])
            for _ in range(args.repeat):
                timings[b].run(cmds[b])
        for _ in range(rounds):
            networkx()
        # One "round": every build's median against networkx's median.
        nx_cpu[:] = [statistics.median(nx_cpu)]
    return nx_cpu, parts, last, timings


def sizes_arg(text):
    """`--sizes`: comma-separated whole numbers of releases, each at least 2 (a plan needs a
    release to start from and one to reach)."""
    sizes = []
    for part in text.split(","):
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r} is not a whole number of releases") from None
        if n < 2:
            raise argparse.ArgumentTypeError(f"{n} releases: a catalog needs at least 2")
        sizes.append(n)
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000", type=sizes_arg,
                    help="catalog sizes in releases, comma-separated (each at least 2)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cost", choices=["hops", "bytes"], default="hops")
    ap.add_argument("--edges", choices=["naive", "bisect"], default="naive")
    ap.add_argument("--repeat", type=int, default=7,
                    help="rounds (interleaved) or runs of each side (sequential)")
    ap.add_argument("--per-round", type=int, default=7,
                    help="runs of each stepstone build per round (interleaved)")
    ap.add_argument("--order", choices=["interleaved", "sequential"], default="interleaved",
                    help="interleaved: per round one networkx job, then the CLI runs; "
                         "sequential: all CLI runs, then all networkx jobs (the old method)")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    ap.add_argument("--stepstone", action="append", default=[],
                    help="another stepstone binary to time in the same run (repeatable)")
    args = ap.parse_args()
    if args.repeat < 1 or args.per_round < 1:
        ap.error(f"--repeat and --per-round must be at least 1 (got {args.repeat} and {args.per_round})")
    if not args.no_build:
        build_tools()
    binaries = [os.path.join(TARGET, "stepstone")] + args.stepstone
    gen = os.path.join(TARGET, "examples", "gen")
    for tool in binaries + [gen, os.path.join(TARGET, "examples", "plan")]:
        if not (os.path.isfile(tool) and os.access(tool, os.X_OK)):
            ap.error(f"{tool} is not an executable file"
                     + (" (build it, or leave out --no-build)" if tool.startswith(TARGET) else ""))

    print(f"cost={args.cost} edges={args.edges} seed={args.seed} order={args.order} "
          f"repeat={args.repeat} per-round={args.per_round if args.order == 'interleaved' else '-'} "
          f"(medians; cpu = user+sys); load average {load_average()}")
    print(f"{'releases':>9} {'edges':>9} {'hops':>5} | {'networkx cpu':>12} {'(load/build/path wall)':>24} "
          f"| {'stepstone cpu':>13} {'wall':>9} | {'ratio cpu':>9} {'ratio wall':>10} "
          f"| {'core plan':>10} {'ratio core':>10} | {'round ratios: median [low-high] spread':>38}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = os.path.join(tmp, f"catalog-{n}.json")
            lo, hi = subprocess.run([gen, str(n), str(args.seed), path], check=True,
                                    capture_output=True, text=True).stdout.split()
            load_before = load_average()
            nx_cpu, parts, (g, nx_path), timings = time_size(args, binaries, n, path, lo, hi)
            load_after = load_average()
            ss_out = timings[binaries[0]].out
            ok &= all(t.out == ss_out for t in timings.values())
            # The core alone (catalog loaded, one `plan` call), timed in-process by the
            # `plan` example: the median of 21 runs of thread CPU time.
            core = json.loads(subprocess.run(
                [os.path.join(TARGET, "examples", "plan"), path, lo, hi, args.cost, "21", "--model", MODEL],
                check=True, capture_output=True, text=True).stdout)
            core_s = core["core_ns"] / 1e9
            ok &= core["path"] == ss_out["path"]
            # Agreement: same cost and hops; rule 3 makes the path itself the same.
            ss_path = [num(v) for v in ss_out["path"]]
            nx_cost = cost_of(g, num(lo), nx_path)
            ss_cost = cost_of(g, num(lo), ss_path)
            same = nx_cost == ss_cost and rule3_path(g, num(lo), num(hi)) == ss_path \
                and ss_out["hops"] == len(ss_path)
            ok &= same
            load, build, find = (statistics.median(p[k] for p in parts) for k in range(3))
            nxc = statistics.median(nx_cpu)
            nxw = load + build + find

            def rounds_text(t):
                m, low, high, rel = spread(t.round_ratios(nx_cpu))
                if len(nx_cpu) == 1:
                    return f"{m:.0f}x (one round)"
                return f"{m:.0f}x [{low:.0f}-{high:.0f}x] {rel * 100:.0f}%"

            first = timings[binaries[0]]
            ssc, ssw = statistics.median(first.cpus()), statistics.median(first.walls())
            print(f"{n:>9} {g.number_of_edges():>9} {len(ss_path):>5} | {nxc * 1e3:>9.1f} ms "
                  f"{f'{load * 1e3:.1f}/{build * 1e3:.1f}/{find * 1e3:.1f} ms':>24} "
                  f"| {ssc * 1e3:>10.2f} ms {ssw * 1e3:>6.1f} ms | {nxc / ssc:>8.0f}x {nxw / ssw:>9.0f}x "
                  f"| {core_s * 1e3:>7.3f} ms {nxc / core_s:>9.0f}x | {rounds_text(first):>38}"
                  f"{'' if same else '  PATHS DIFFER'}")
            for other in binaries[1:]:
                t = timings[other]
                oc, ow = statistics.median(t.cpus()), statistics.median(t.walls())
                print(f"{'':>9} {'':>9} {'':>5} | {other} {oc * 1e3:.2f} ms cpu, {ow * 1e3:.1f} ms wall: "
                      f"ratio cpu {nxc / oc:.0f}x, wall {nxw / ow:.0f}x; round ratios {rounds_text(t)}")
            if len(nx_cpu) > 1:
                print(f"{'':>9} {'':>9} {'':>5} | networkx cpu per round: "
                      + " ".join(f"{c * 1e3:.0f}" for c in nx_cpu)
                      + f" ms; load average {load_before} -> {load_after}")
    print("paths: identical" if ok else "paths: DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
