#!/usr/bin/python3
"""Runs ganglion and Brian2 (C++ standalone) on the same networks in one
invocation and prints, per network and simulator, the build and simulate
times, the real-time factor, the mean rates and the peak memory, with the
Brian2 / ganglion ratios; writes the whole record as JSON.

Networks: vogels_abbott (examples/vogels_abbott.json against
vogels_abbott_brian2.py) and brunel (examples/brunel_network.json against
brunel_brian2.py). Both simulators step the same model the same way (see
brian2_common.py); their random streams differ, so rates agree only
statistically: each seed of --seeds is one run of each simulator, ganglion
and Brian2 alternating so that a change of machine load hits both; times
are medians over the seeds, rates means (with their standard deviation
over the seeds when there are several).

Times, all wall clock: ganglion's from its summary.json (build = drawing
the connections and building the synapse stores; simulate = the run loop);
Brian2's from marks inserted into its main() (build = from the start of
main() to the network run: setting up the groups, drawing the synapses in
C++, initial values; simulate = the network run). Brian2's code generation
and compilation is reported apart (compile s, first seed; a rerun finds most objects built
already). Peak memory: GNU time's maximum resident set size of the ganglion
process and of Brian2's compiled binary (not of the Python that drives it).

    bench/peers/side_by_side.sh [--ganglion PATH] [--threads N] [--seeds 1,2,3]
                                [--networks vogels_abbott,brunel] [--json PATH]
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench" / "networks"))
import run_network  # noqa: E402  (ganglion runs and their peak memory)

NETWORKS = {
    "vogels_abbott": (REPO_ROOT / "examples" / "vogels_abbott.json", HERE / "vogels_abbott_brian2.py"),
    "brunel": (REPO_ROOT / "examples" / "brunel_network.json", HERE / "brunel_brian2.py"),
}
POPULATIONS = ["exc", "inh"]


def run_ganglion(ganglion, model, threads, seed, tstop):
    s = run_network.run_once(ganglion, model, 1, threads, tstop, ["--seed", str(seed)])
    rss = s.get("max_rss_kb_per_rank", [None])[0]
    return {
        "build_s": s["timers_s"]["build"],
        "simulate_s": s["simulate_s"],
        "real_time_factor": s["real_time_factor"],
        "mean_rate_hz": {p["name"]: p["mean_rate_hz"] for p in s["populations"] if p["name"] in POPULATIONS},
        "peak_rss_mb": rss / 1024 if rss is not None else None,
        "synapses": s["synapses"],
        "timers_s": s["timers_s"],
    }


def run_brian2(python, script, threads, seed, tstop, build_dir):
    with tempfile.TemporaryDirectory(prefix="ganglion-side-by-side-") as tmp:
        out = Path(tmp) / "brian2.json"
        cmd = [python, str(script), "--threads", str(0 if threads == 1 else threads), "--seed", str(seed),
               "--tstop", str(tstop), "--build-dir", str(build_dir), "--json", str(out)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.exit(f"side_by_side: {' '.join(cmd)} failed with exit status {proc.returncode}")
        return json.loads(out.read_text())


def summarise(runs):
    med = lambda key: statistics.median(r[key] for r in runs) if runs[0].get(key) is not None else None
    out = {key: med(key) for key in ["build_s", "simulate_s", "real_time_factor", "peak_rss_mb"]}
    out["mean_rate_hz"] = {p: statistics.mean(r["mean_rate_hz"][p] for r in runs) for p in POPULATIONS}
    out["rate_sd_over_seeds_hz"] = {
        p: statistics.stdev(r["mean_rate_hz"][p] for r in runs) if len(runs) > 1 else None for p in POPULATIONS
    }
    out["synapses"] = statistics.mean(r["synapses"] for r in runs)
    if "codegen_compile_s" in runs[0]:
        out["codegen_compile_s_first_seed"] = runs[0]["codegen_compile_s"]
    return out


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(results, seeds, threads):
    cols = ["network", "simulator", "build s", "simulate s", "RTF", "exc Hz", "inh Hz", "peak RSS MB",
            "compile s", "synapses"]
    rows = []
    for net, res in results.items():
        g, b = res["ganglion"], res["brian2"]
        for name, m in [("ganglion", g), ("brian2", b)]:
            rate = lambda p: fmt(m["mean_rate_hz"][p], 2) + (
                f" ± {m['rate_sd_over_seeds_hz'][p]:.2f}" if m["rate_sd_over_seeds_hz"][p] is not None else "")
            rows.append([net, name, fmt(m["build_s"]), fmt(m["simulate_s"]), fmt(m["real_time_factor"]),
                         rate("exc"), rate("inh"), fmt(m["peak_rss_mb"], 1),
                         fmt(m.get("codegen_compile_s_first_seed"), 1), f"{m['synapses']:.0f}"])
        r = res["brian2_over_ganglion"]
        rows.append([net, "brian2/ganglion", f"{r['build']:.2f}x", f"{r['simulate']:.2f}x", "",
                     f"{r['rate_difference_percent']['exc']:+.1f}%", f"{r['rate_difference_percent']['inh']:+.1f}%",
                     f"{r['peak_rss']:.2f}x" if r["peak_rss"] is not None else "-", "", ""])
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    line = lambda cells: "  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(f"ganglion vs Brian2 {results[next(iter(results))]['brian2_version']}, 1 process x {threads} thread(s), "
          f"seeds {','.join(map(str, seeds))}: times median, rates mean ± sd over the seeds")
    print(line(cols))
    for row in rows:
        print(line(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ganglion", default=str(REPO_ROOT / "build" / "io" / "ganglion"),
                    help="the ganglion executable (default: build/io/ganglion)")
    ap.add_argument("--threads", type=int, default=1, help="threads for both simulators (default 1)")
    ap.add_argument("--seeds", default="1,2,3", help="one run of each simulator per seed (default 1,2,3)")
    ap.add_argument("--networks", default="vogels_abbott,brunel", help="default: vogels_abbott,brunel")
    ap.add_argument("--tstop", type=float, default=1000.0, help="biological time, ms (default 1000)")
    ap.add_argument("--build-dir", default="/tmp/ganglion-brian2",
                    help="Brian2 projects go under here, one per network (default /tmp/ganglion-brian2)")
    ap.add_argument("--python", default="/usr/bin/python3", help="the Python with brian2 (Debian's)")
    ap.add_argument("--json", default=str(REPO_ROOT / "bench" / "results" / "side_by_side.json"))
    args = ap.parse_args()

    ganglion = Path(args.ganglion)
    if not ganglion.is_file() or not os.access(ganglion, os.X_OK):
        sys.exit(f"side_by_side: no ganglion executable at {ganglion} (build it, or give --ganglion PATH)")
    check = subprocess.run([args.python, "-c", "import brian2"], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit(f"side_by_side: {args.python} cannot import brian2; on Debian 12: "
                 "apt-get install python3-brian (see bench/README.md)")
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        sys.exit(f"side_by_side: --seeds wants integers such as 1,2,3; got '{args.seeds}'")
    nets = args.networks.split(",")
    for n in nets:
        if n not in NETWORKS:
            sys.exit(f"side_by_side: unknown network '{n}'; known: {', '.join(NETWORKS)}")

    results = {}
    for net in nets:
        model, script = NETWORKS[net]
        load_before = os.getloadavg()
        g_runs, b_runs = [], []
        for seed in seeds:
            print(f"  {net}: seed {seed}: ganglion", file=sys.stderr, flush=True)
            g_runs.append(run_ganglion(ganglion, model, args.threads, seed, args.tstop))
            print(f"  {net}: seed {seed}: brian2", file=sys.stderr, flush=True)
            b_runs.append(run_brian2(args.python, script, args.threads, seed, args.tstop,
                                     Path(args.build_dir) / net))
        g, b = summarise(g_runs), summarise(b_runs)
        results[net] = {
            "model_file": str(model.relative_to(REPO_ROOT)),
            "brian2_script": str(script.relative_to(REPO_ROOT)),
            "brian2_version": b_runs[0]["version"],
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "ganglion": g,
            "brian2": b,
            "brian2_over_ganglion": {
                "build": b["build_s"] / g["build_s"],
                "simulate": b["simulate_s"] / g["simulate_s"],
                "peak_rss": b["peak_rss_mb"] / g["peak_rss_mb"] if b["peak_rss_mb"] and g["peak_rss_mb"] else None,
                "rate_difference_percent": {
                    p: 100.0 * (b["mean_rate_hz"][p] / g["mean_rate_hz"][p] - 1.0) for p in POPULATIONS
                },
            },
            "ganglion_runs": g_runs,
            "brian2_runs": b_runs,
        }

    print_table(results, seeds, args.threads)
    for net, res in results.items():
        print(f"{net}: load average before {res['load_average_before'][0]:.2f}, "
              f"after {res['load_average_after'][0]:.2f} ({os.cpu_count()} cores)")
    doc = {
        "benchmark": "side_by_side",
        "question": "how do ganglion and Brian2 compare on the same networks (times, rates, memory)?",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git_commit": run_network.git_commit(),
        "ganglion": str(ganglion.resolve()),
        "threads": args.threads,
        "seeds": seeds,
        "tstop_ms": args.tstop,
        "networks": results,
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(path)
    print(f"results: {path}")


if __name__ == "__main__":
    main()
