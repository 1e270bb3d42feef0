#!/usr/bin/python3
"""Run `ganglion run MODEL` at several ranks x threads splits, N times each,
and report the run summaries' timers, the real-time factor, mean rates and
peak memory, as a table on stdout and as JSON.

Standard library only. Memory comes from GNU time (/usr/bin/time -v), run
per rank; without it the memory columns are left out (and the output says
so). Each run writes into its own temporary output directory.

On a shared machine other jobs disturb the multi-core splits badly (a
descheduled thread stalls the other at every interval's barrier): use
--wait-idle 90 to start each run on idle CPUs, and --statistic best to
report the least disturbed run.

    bench/networks/run_network.py examples/vogels_abbott.json \
        --configs 1x1,1x2,2x1 --repeats 3 --json bench/results/vogels_abbott.json
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GNU_TIME = Path("/usr/bin/time")
PHASES = ["build", "update", "exchange", "deliver", "write"]


def parse_configs(text):
    configs = []
    for item in text.split(","):
        m = re.fullmatch(r"\s*(\d+)x(\d+)\s*", item)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            sys.exit(f"run_network: --configs wants RANKSxTHREADS items such as 1x1,1x2,2x1; got '{item}'")
        configs.append((int(m.group(1)), int(m.group(2))))
    return configs


def mpiexec_prefix(ranks, env):
    """The mpiexec command for `ranks` ranks, with the flags this machine needs."""
    mpiexec = shutil.which("mpiexec")
    if not mpiexec:
        sys.exit("run_network: mpiexec not found; needed for runs with more than one rank")
    cmd = [mpiexec, "-n", str(ranks)]
    version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version or "OpenRTE" in version:
        cmd.append("--oversubscribe")
        if os.getuid() == 0:
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return cmd


def cpu_times():
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(x) for x in fields]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]), idle


def wait_idle(percent, window=2.0, timeout=600.0):
    """Waits until the CPUs were at least `percent` idle over `window` seconds."""
    if not Path("/proc/stat").exists():
        return
    start = time.monotonic()
    while True:
        t0, i0 = cpu_times()
        time.sleep(window)
        t1, i1 = cpu_times()
        idle = 100.0 * (i1 - i0) / max(1, t1 - t0)
        if idle >= percent:
            return
        if time.monotonic() - start > timeout:
            print(f"note: CPUs only {idle:.0f}% idle after {timeout:.0f} s of waiting; running anyway",
                  file=sys.stderr)
            return


def max_rss_kb(path):
    text = Path(path).read_text()
    m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", text)
    return int(m.group(1)) if m else None


def run_once(ganglion, model, ranks, threads, tstop, extra):
    """One run; returns the summary (plus wall time and per-rank peak RSS)."""
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    work = Path(tempfile.mkdtemp(prefix="ganglion-bench-"))
    try:
        out_dir = work / "out"
        cmd = [str(ganglion), "run", str(model), "-o", str(out_dir), "--threads", str(threads), "-q"]
        if tstop is not None:
            cmd += ["--tstop", str(tstop)]
        cmd += extra
        if GNU_TIME.exists():
            # One file per rank: the rank's own peak, not the launcher's.
            rank_var = "${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}"
            cmd = ["sh", "-c", f'exec {GNU_TIME} -v -o "$0.{rank_var}" "$@"', str(work / "time")] + cmd
        if ranks > 1:
            cmd = mpiexec_prefix(ranks, env) + cmd
        t0 = time.monotonic()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.monotonic() - t0
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.exit(f"run_network: {' '.join(cmd)} failed with exit status {proc.returncode}")
        summary = json.loads((out_dir / "summary.json").read_text())
        summary["launch_wall_s"] = wall
        if GNU_TIME.exists():
            summary["max_rss_kb_per_rank"] = [max_rss_kb(work / f"time.{r}") for r in range(ranks)]
        return summary
    finally:
        shutil.rmtree(work, ignore_errors=True)


def reduce_runs(runs, statistic):
    """Median over repeats of every figure in the table, or the figures of the
    best run (smallest simulate time: on a shared machine, the run the other
    jobs disturbed least)."""
    if statistic == "best":
        runs = [min(runs, key=lambda r: r["simulate_s"])]
    med = lambda xs: statistics.median(xs)
    out = {"timers_s": {p: med([r["timers_s"][p] for r in runs]) for p in PHASES}}
    for key in ["simulate_s", "real_time_factor", "total_s", "launch_wall_s"]:
        out[key] = med([r[key] for r in runs])
    # What the phase timers do not cover: waiting at barriers, loop overhead.
    out["other_s"] = med(
        [r["simulate_s"] - sum(r["timers_s"][p] for p in ["update", "exchange", "deliver"]) for r in runs]
    )
    # A rate is null for a population whose spikes are not counted (e.g. Poisson
    # sources generated at their targets).
    def rate(name):
        values = [next(q.get("mean_rate_hz") for q in r["populations"] if q["name"] == name) for r in runs]
        values = [v for v in values if v is not None]
        return med(values) if values else None

    out["mean_rate_hz"] = {p["name"]: rate(p["name"]) for p in runs[0]["populations"]}
    if "max_rss_kb_per_rank" in runs[0]:
        out["peak_rss_mb_largest_rank"] = med([max(r["max_rss_kb_per_rank"]) / 1024 for r in runs])
        out["peak_rss_mb_all_ranks"] = med([sum(r["max_rss_kb_per_rank"]) / 1024 for r in runs])
    return out


def print_table(results, have_time):
    pops = list(results[0]["statistic"]["mean_rate_hz"])
    cols = ["ranks x thr"] + PHASES + ["other", "simulate", "RTF", "simulate (every run)"]
    cols += [f"{p} Hz" for p in pops]
    if have_time:
        cols += ["RSS/rank MB", "RSS sum MB"]
    rows = []
    for res in results:
        m = res["statistic"]
        row = [f"{res['ranks']} x {res['threads']}"]
        row += [f"{m['timers_s'][p]:.3f}" for p in PHASES]
        row += [f"{m['other_s']:.3f}", f"{m['simulate_s']:.3f}", f"{m['real_time_factor']:.3f}"]
        row += [" ".join(f"{x:.2f}" for x in res["simulate_s_all"])]
        row += ["-" if m["mean_rate_hz"][p] is None else f"{m['mean_rate_hz'][p]:.2f}" for p in pops]
        if have_time:
            row += [f"{m['peak_rss_mb_largest_rank']:.1f}", f"{m['peak_rss_mb_all_ranks']:.1f}"]
        rows.append(row)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))
    print(line(cols))
    for r in rows:
        print(line(r))
    if any(v is None for res in results for v in res["statistic"]["mean_rate_hz"].values()):
        print("(-: the run does not count this population's spikes)")


def git_commit():
    try:
        return subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="model file (JSON)")
    ap.add_argument("--ganglion", default=str(REPO_ROOT / "build" / "io" / "ganglion"),
                    help="the ganglion executable (default: build/io/ganglion under the repository root)")
    ap.add_argument("--configs", default="1x1,1x2,2x1", help="RANKSxTHREADS splits (default: 1x1,1x2,2x1)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per split (default: 3)")
    ap.add_argument("--statistic", choices=["median", "best"], default="median",
                    help="per split, the median of the runs or the run with the smallest simulate time "
                         "(default: median)")
    ap.add_argument("--wait-idle", type=float, metavar="PERCENT",
                    help="before each run, wait (up to 10 min) until the CPUs are at least PERCENT idle")
    ap.add_argument("--tstop", type=float, help="override the model file's tstop (ms)")
    ap.add_argument("--name", help="benchmark name in the JSON (default: the model file's stem)")
    ap.add_argument("--json", help="write the results here (default: bench/results/NAME.json)")
    ap.epilog = "Options after -- go to `ganglion run` (e.g. -- --seed 3)."
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = ap.parse_args(argv)
    args.extra = extra

    ganglion = Path(args.ganglion)
    if not ganglion.is_file() or not os.access(ganglion, os.X_OK):
        sys.exit(f"run_network: no ganglion executable at {ganglion} (build it, or give --ganglion PATH)")
    model = Path(args.model)
    if not model.is_file():
        sys.exit(f"run_network: no model file {model}")
    if args.repeats < 1:
        sys.exit("run_network: --repeats must be at least 1")
    name = args.name or model.stem
    json_path = Path(args.json) if args.json else REPO_ROOT / "bench" / "results" / f"{name}.json"
    have_time = GNU_TIME.exists()
    if not have_time:
        print(f"note: {GNU_TIME} is missing: peak memory is not measured", flush=True)

    configs = parse_configs(args.configs)
    load_before = os.getloadavg()
    results = []
    for ranks, threads in configs:
        runs = []
        for k in range(args.repeats):
            print(f"  {name}: {ranks} rank(s) x {threads} thread(s), run {k + 1}/{args.repeats}", file=sys.stderr)
            if args.wait_idle is not None:
                wait_idle(args.wait_idle)
            runs.append(run_once(ganglion, model, ranks, threads, args.tstop, args.extra))
        results.append({"ranks": ranks, "threads": threads, "runs": runs,
                        "statistic": reduce_runs(runs, args.statistic),
                        "simulate_s_all": [r["simulate_s"] for r in runs]})

    first = results[0]["runs"][0]
    print(f"{name}: {model}, {first['neurons']} neurons, {first['synapses']} synapses, "
          f"{first['biological_time_ms']:.0f} ms at dt {first['dt_ms']} ms; "
          f"{'medians' if args.statistic == 'median' else 'best'} of {args.repeats} run(s); times in s (slowest rank); RTF = simulate / biological time")
    print_table(results, have_time)
    print(f"load average before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")

    doc = {
        "benchmark": name,
        "question": f"how fast does ganglion simulate {model.name} at each ranks x threads split?",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": {"name": platform.node(), "cores": os.cpu_count(), "load_average_before": load_before,
                 "load_average_after": os.getloadavg()},
        "git_commit": git_commit(),
        "ganglion": str(ganglion.resolve()),
        # The commit above is the tree's; the executable may be older.
        "ganglion_built": datetime.datetime.fromtimestamp(ganglion.stat().st_mtime).astimezone().isoformat(
            timespec="seconds"),
        "model_file": str(model),
        "repeats": args.repeats,
        "statistic": args.statistic,
        "wait_idle_percent": args.wait_idle,
        "peak_memory_measured": have_time,
        "configs": results,
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = json_path.with_name(json_path.name + ".partial")
    tmp.write_text(json.dumps(doc, indent=2) + "\n")
    tmp.replace(json_path)
    print(f"results: {json_path}")


if __name__ == "__main__":
    main()
