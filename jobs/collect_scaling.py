#!/usr/bin/python3
"""Gather the summary.json files of a strong or weak scaling series into a table and a plot.

    /usr/bin/python3 jobs/collect_scaling.py OUT [OUT2 ...] [--kind strong|weak|auto]
                                             [--csv FILE] [--png FILE] [--title TEXT]

Reads every summary.json under the given directories (one per run, as
jobs/strong_scaling.sh and jobs/weak_scaling.sh lay them out, with the job.json that
jobs/run.sbatch writes beside it for the node count), sorts the runs by cores
(ranks x threads) and writes, by default into the first directory:

- scaling.csv: one row per run: nodes, ranks, threads, cores, neurons, synapses, the
  wall-clock seconds of each phase (build, update, exchange, deliver, write; the
  slowest rank's, as ganglion reports them), simulate and total, the real-time factor,
  and per phase the speed-up and the parallel efficiency;
- scaling.png: time, speed-up and parallel efficiency per phase against cores.

Relative to the run with the fewest cores (c0, times T0), a run on c cores with time T:
strong scaling (same model): speed-up T0 / T, efficiency (T0 / T) / (c / c0);
weak scaling (model grown with the cores): efficiency T0 / T, scaled speed-up
(c / c0) x T0 / T. Ideal: speed-up c / c0, efficiency 1. --kind auto (default) calls a
series strong when every run has the same number of neurons and synapses.

A phase that took no measurable time in the reference run (exchange on one rank is
nearly free) gets no speed-up or efficiency (empty in the CSV, left out of the plot).
"""

import argparse
import csv
import json
import math
import os
import sys

PHASES = ["build", "update", "exchange", "deliver", "write"]
# The phases, then the two wholes: the simulation loop and the whole run.
SERIES = PHASES + ["simulate", "total"]
MIN_TIME_S = 1e-6


def find_runs(roots):
    runs = []
    for root in roots:
        if os.path.isfile(root):
            paths = [root]
        else:
            paths = []
            for dirpath, _, files in os.walk(root):
                if "summary.json" in files:
                    paths.append(os.path.join(dirpath, "summary.json"))
        for path in sorted(paths):
            runs.append(read_run(path))
    return runs


def read_run(path):
    with open(path) as f:
        summary = json.load(f)
    directory = os.path.dirname(os.path.abspath(path))
    job = {}
    job_path = os.path.join(directory, "job.json")
    if os.path.exists(job_path):
        with open(job_path) as f:
            job = json.load(f)
    timers = summary.get("timers_s", {})
    run = {
        "run": os.path.basename(directory),
        "nodes": int(job.get("nodes", 1)),
        "ranks": int(summary["ranks"]),
        "threads": int(summary["threads"]),
        "neurons": int(summary.get("neurons", 0)),
        "synapses": int(summary.get("synapses", 0)),
        "biological_time_ms": float(summary.get("biological_time_ms", float("nan"))),
        "attempts": int(job.get("attempt", 1)),
        "rtf": float(summary.get("real_time_factor", float("nan"))),
    }
    run["cores"] = run["ranks"] * run["threads"]
    for phase in PHASES:
        run[phase] = float(timers.get(phase, float("nan")))
    run["simulate"] = float(summary.get("simulate_s", float("nan")))
    run["total"] = float(summary.get("total_s", float("nan")))
    return run


def decide_kind(runs, kind):
    if kind != "auto":
        return kind
    sizes = {(r["neurons"], r["synapses"]) for r in runs}
    return "strong" if len(sizes) == 1 else "weak"


def add_scaling(runs, kind):
    ref = runs[0]
    for run in runs:
        ratio = run["cores"] / ref["cores"]
        for name in SERIES:
            t0, t = ref[name], run[name]
            if not (t0 > MIN_TIME_S and t > MIN_TIME_S):
                run["speedup_" + name] = float("nan")
                run["efficiency_" + name] = float("nan")
                continue
            if kind == "strong":
                run["speedup_" + name] = t0 / t
                run["efficiency_" + name] = t0 / t / ratio
            else:
                run["efficiency_" + name] = t0 / t
                run["speedup_" + name] = ratio * t0 / t


COLUMNS = (["run", "nodes", "ranks", "threads", "cores", "neurons", "synapses",
            "biological_time_ms", "attempts"]
           + [name + "_s" for name in SERIES] + ["rtf"]
           + ["speedup_" + name for name in SERIES]
           + ["efficiency_" + name for name in SERIES])


def value(run, column):
    key = column[:-2] if column.endswith("_s") and column[:-2] in SERIES else column
    v = run[key]
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return str(v)


def write_csv(runs, path):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for run in runs:
            writer.writerow([value(run, c) for c in COLUMNS])


def fmt(v, digits=3):
    return "-" if isinstance(v, float) and math.isnan(v) else f"{v:.{digits}f}"


def print_table(runs, kind):
    head = f"{'nodes':>5} {'ranks':>5} {'thr':>3} {'cores':>5} {'neurons':>9} {'synapses':>11}"
    print(f"{kind} scaling, {len(runs)} run(s); times in s (slowest rank)")
    print(head + "".join(f" {name:>9}" for name in SERIES) + f" {'RTF':>8}")
    for r in runs:
        line = (f"{r['nodes']:>5} {r['ranks']:>5} {r['threads']:>3} {r['cores']:>5}"
                f" {r['neurons']:>9} {r['synapses']:>11}")
        print(line + "".join(f" {fmt(r[name]):>9}" for name in SERIES) + f" {fmt(r['rtf']):>8}")
    label = "speed-up" if kind == "strong" else "scaled speed-up"
    for title, prefix in ((label, "speedup_"), ("parallel efficiency", "efficiency_")):
        print(f"\n{title} (relative to {runs[0]['cores']} core(s))")
        print(f"{'cores':>5}" + "".join(f" {name:>9}" for name in SERIES))
        for r in runs:
            print(f"{r['cores']:>5}" + "".join(f" {fmt(r[prefix + n], 2):>9}" for n in SERIES))
    restarted = [r["run"] for r in runs if r["attempts"] > 1]
    if restarted:
        print(f"\nnote: {', '.join(restarted)} ran in several attempts (requeued); their timers "
              "cover the last attempt only")


def plot_clipped(ax, xs, ys, low, high, label, style):
    """A line of ys, with values outside [low, high] drawn on the edge as triangles."""
    clipped = [min(max(y, low), high) if not math.isnan(y) else y for y in ys]
    line, = ax.plot(xs, clipped, marker="o", markersize=5, label=label, **style)
    for x, y, c in zip(xs, ys, clipped):
        if not math.isnan(y) and y != c:
            ax.plot([x], [c], marker="v" if y < low else "^", markersize=9,
                    color=line.get_color(), linestyle="none")


def plot(runs, kind, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cores = [r["cores"] for r in runs]
    c0 = cores[0]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    styles = {"simulate": dict(color="black", linewidth=2.2),
              "total": dict(color="gray", linewidth=2.2, linestyle="--")}
    markers = dict(marker="o", markersize=5)

    ax = axes[0]
    for name in SERIES:
        ys = [r[name] if r[name] > MIN_TIME_S else float("nan") for r in runs]
        ax.plot(cores, ys, label=name, **markers, **styles.get(name, {}))
    ax.set_yscale("log")
    ax.set_ylabel("wall-clock time (s, slowest rank)")
    ax.set_title("time per phase")

    ax = axes[1]
    ideal = [c / c0 for c in cores]
    ax.plot(cores, ideal, color="black", linestyle=":", linewidth=1, label="ideal")
    low, high = 0.25, 2.0 * max(ideal)
    for name in SERIES:
        plot_clipped(ax, cores, [r["speedup_" + name] for r in runs], low, high, name,
                     styles.get(name, {}))
    ax.set_yscale("log", base=2)
    ax.set_ylim(low / 1.15, high * 1.15)
    ax.set_ylabel("speed-up" if kind == "strong" else "scaled speed-up")
    ax.set_title("speed-up" if kind == "strong" else "scaled speed-up (c/c0 x T0/T)")

    ax = axes[2]
    ax.axhline(1.0, color="black", linestyle=":", linewidth=1, label="ideal")
    for name in SERIES:
        plot_clipped(ax, cores, [r["efficiency_" + name] for r in runs], 0.0, 1.5, name,
                     styles.get(name, {}))
    ax.set_ylabel("parallel efficiency")
    ax.set_ylim(-0.04, 1.54)
    ax.set_title("parallel efficiency" + (" (T0/T)" if kind == "weak" else ""))

    ticks = sorted(set(cores))
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(c) for c in ticks])
        ax.set_xlabel("cores (MPI ranks x OpenMP threads)")
        ax.grid(True, which="major", alpha=0.3)
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", frameon=False)
    fig.text(0.905, 0.12, "triangles: off scale\n(e.g. exchange, free\non a single rank)",
             fontsize=8, color="dimgray")
    first, last = runs[0], runs[-1]
    size = (f"{first['neurons']:,} neurons, {first['synapses']:,} synapses" if kind == "strong"
            else f"{first['neurons']:,} to {last['neurons']:,} neurons")
    fig.suptitle(title or f"ganglion {kind} scaling: {size}")
    fig.tight_layout(rect=(0, 0, 0.9, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+", help="directories holding the runs (or summary.json files)")
    parser.add_argument("--kind", choices=["strong", "weak", "auto"], default="auto")
    parser.add_argument("--csv", help="table file (default FIRST_DIR/scaling.csv)")
    parser.add_argument("--png", help="plot file (default FIRST_DIR/scaling.png)")
    parser.add_argument("--title", help="plot title")
    args = parser.parse_args(argv)

    runs = find_runs(args.dirs)
    if not runs:
        print("collect_scaling: no summary.json under " + " ".join(args.dirs), file=sys.stderr)
        return 1
    missing = []
    for root in args.dirs:
        if os.path.isdir(root):
            for entry in sorted(os.listdir(root)):
                d = os.path.join(root, entry)
                if (os.path.isdir(d) and os.path.exists(os.path.join(d, "job.json"))
                        and not os.path.exists(os.path.join(d, "summary.json"))):
                    missing.append(entry)
    runs.sort(key=lambda r: (r["cores"], r["nodes"], r["ranks"]))
    kind = decide_kind(runs, args.kind)
    add_scaling(runs, kind)

    base = args.dirs[0] if os.path.isdir(args.dirs[0]) else os.path.dirname(args.dirs[0])
    csv_path = args.csv or os.path.join(base, "scaling.csv")
    png_path = args.png or os.path.join(base, "scaling.png")
    write_csv(runs, csv_path)
    print_table(runs, kind)
    if missing:
        print(f"\nnote: no summary.json (unfinished or failed) in: {', '.join(missing)}")
    plot(runs, kind, png_path, args.title)
    print(f"\ntable: {csv_path}\nplot:  {png_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
