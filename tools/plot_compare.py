#!/usr/bin/python3
"""Distributions of two (or three) runs side by side, from `ganglion compare --json`.

    ganglion compare RUN_A RUN_B [--seed-baseline RUN_C] --json compare.json
    /usr/bin/python3 tools/plot_compare.py compare.json -o compare.png \
        [--populations L23E L23I] [--hist] [--title T] [--dpi N]

One row per population, one column per statistic (firing rate, CV of inter-spike
intervals, spike count correlation). Each panel shows the Gaussian-kernel-smoothed
densities of run A, run B and, when given, the seed baseline C, as `ganglion compare`
computed them (one grid and bandwidth for all runs), a dotted line at each run's mean,
and the distances: Kolmogorov-Smirnov (KS) and D_KL(A||B) (KL) between A and B, between
A and C, and their ratio (above 1: A and B differ more than two seeds do). --hist adds
each run's plain histogram of the samples, as steps.

Uses Debian's numpy and matplotlib: run it with /usr/bin/python3.
"""

import argparse
import json
import math
import os
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

STATISTICS = [("rate", "firing rate (Hz)"), ("cv", "CV of ISI"),
              ("correlation", "count correlation")]
# Okabe & Ito colours: A blue, B vermillion, C (seed baseline) grey-green.
COLOURS = {"A": "#0072B2", "B": "#D55E00", "C": "#009E73"}


def fail(message, code=1):
    print(f"plot_compare.py: {message}", file=sys.stderr)
    sys.exit(code)


def fmt(x):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:.3g}"


def read(path):
    if not os.path.exists(path):
        fail(f"no such file: {path}")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path} as JSON: {e}")
    if not str(data.get("format", "")).startswith("ganglion compare"):
        fail(f"{path} is not written by `ganglion compare --json`")
    return data


def run_label(data, letter):
    run = data["runs"][letter]
    name = os.path.basename(os.path.normpath(run["run"])) or run["run"]
    extra = ", seed baseline" if letter == "C" else ""
    return f"{letter}: {name} (dt {run['dt_ms']:g} ms{extra})"


def annotation(stat, baseline):
    ab = stat["A_vs_B"]
    lines = [f"A-B  KS {fmt(ab['ks'])}  KL {fmt(ab['kl'])}"]
    if baseline:
        ac, ratio = stat["A_vs_C"], stat["ratio"]
        lines.append(f"A-C  KS {fmt(ac['ks'])}  KL {fmt(ac['kl'])}")
        lines.append(f"ratio KS {fmt(ratio['ks'])}  KL {fmt(ratio['kl'])}")
    return "\n".join(lines)


def draw_panel(ax, stat, letters, baseline, hist):
    grid = np.asarray(stat["smoothed"]["grid"], dtype=float)
    drawn = False
    for letter in letters:
        density = stat["smoothed"].get(letter, [])
        if not density:
            continue
        colour = COLOURS[letter]
        ax.plot(grid, density, color=colour, lw=1.5, label=letter)
        if letter == "A":
            ax.fill_between(grid, density, color=colour, alpha=0.12, lw=0)
        mean = stat[letter]["mean"]
        if mean is not None:
            ax.axvline(mean, color=colour, ls=":", lw=1)
        if hist:
            samples = np.asarray(stat[letter]["samples"], dtype=float)
            if samples.size and grid.size:
                ax.hist(samples, bins=40, range=(grid[0], grid[-1]), density=True,
                        histtype="step", color=colour, alpha=0.6, lw=0.8)
        drawn = True
    if not drawn:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center",
                color="0.5")
    ax.text(0.98, 0.97, annotation(stat, baseline), transform=ax.transAxes, ha="right",
            va="top", fontsize=7, family="monospace",
            bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.8", alpha=0.85))
    ax.set_yticks([])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="output of `ganglion compare --json`")
    parser.add_argument("-o", "--output", required=True,
                        help="image file; the format follows the extension (.png, .pdf, .svg)")
    parser.add_argument("--populations", nargs="+", help="populations to show, top to bottom")
    parser.add_argument("--hist", action="store_true",
                        help="also draw each run's plain histogram of the samples")
    parser.add_argument("--title", help="figure title")
    parser.add_argument("--dpi", type=int, default=150, help="resolution (default 150)")
    args = parser.parse_args()

    data = read(args.json)
    pops = data["populations"]
    if args.populations:
        by_name = {p["name"]: p for p in pops}
        unknown = [n for n in args.populations if n not in by_name]
        if unknown:
            fail(f"no population {', '.join(unknown)} in {args.json} "
                 f"(it has {', '.join(by_name)})", 2)
        pops = [by_name[n] for n in args.populations]
    if not pops:
        fail(f"{args.json} has no populations", 2)
    letters = [k for k in ("A", "B", "C") if k in data["runs"]]
    baseline = "C" in letters

    fig, axes = plt.subplots(len(pops), len(STATISTICS), squeeze=False,
                             figsize=(4.2 * len(STATISTICS), 2.3 * len(pops) + 0.9))
    for row, pop in enumerate(pops):
        for col, (key, xlabel) in enumerate(STATISTICS):
            ax = axes[row][col]
            draw_panel(ax, pop[key], letters, baseline, args.hist)
            if col == 0:
                ax.set_ylabel(f"{pop['name']} ({pop['size']})\ndensity")
            ax.set_xlabel(xlabel, fontsize=8)
            ax.tick_params(labelsize=7)
    # Title and legend in a fixed band of 0.7 inch above the panels.
    band = 0.7 / fig.get_figheight()
    handles = [plt.Line2D([], [], color=COLOURS[k], lw=1.5) for k in letters]
    fig.legend(handles, [run_label(data, k) for k in letters], loc="upper center",
               bbox_to_anchor=(0.5, 1 - 0.35 / fig.get_figheight()), ncol=len(letters),
               fontsize=8, frameon=False)
    window = data["window_ms"]
    title = args.title or (f"ganglion compare: window ({window[0]:g}, {window[1]:g}] ms, "
                           f"correlations in {data['options']['bin_ms']:g} ms bins")
    fig.suptitle(title, y=1 - 0.08 / fig.get_figheight(), va="top", fontsize=10)
    fig.tight_layout()
    fig.subplots_adjust(top=1 - band - 0.05 / fig.get_figheight())
    try:
        fig.savefig(args.output, dpi=args.dpi)
    except (OSError, ValueError) as e:
        fail(f"cannot write {args.output}: {e}")
    print(args.output)


if __name__ == "__main__":
    main()
