#!/usr/bin/python3
"""Raster plot and population rates from a SONATA spike file.

    /usr/bin/python3 tools/raster.py SPIKES.h5 -o raster.png \
        [--populations exc inh] [--tmin MS] [--tmax MS] [--title T]

Upper panel: one row per neuron, the populations stacked (first one on top), each in its
own colour and labelled with its size and mean rate. Lower panel: each population's rate
in Hz (spikes per neuron per second) in 5 ms bins.

A population's size is not stored in a SONATA spike file. It is taken from --sizes, else
from the summary.json `ganglion run` writes next to the spike file, else estimated as the
largest node id + 1 (neurons above it that never fired are then not counted).

Uses Debian's numpy, h5py and matplotlib: run it with /usr/bin/python3.
"""

import argparse
import json
import os
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# Distinct colours that stay apart in print and for common colour-vision deficiencies
# (Okabe & Ito), then matplotlib's tab10 for more populations.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]


def colour_of(k):
    return COLOURS[k] if k < len(COLOURS) else plt.cm.tab10(k % 10)


def fail(message, code=1):
    print(f"raster.py: {message}", file=sys.stderr)
    sys.exit(code)


def read_spikes(path):
    """Population name -> (node_ids, times in ms), in file order of the populations."""
    if not os.path.exists(path):
        fail(f"no such file: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open {path} as HDF5: {e}")
    with f:
        if "spikes" not in f:
            fail(f"{path} has no /spikes group: not a SONATA spike file")
        pops = {}
        for name, group in f["spikes"].items():
            if not isinstance(group, h5py.Group):
                continue
            if "node_ids" not in group or "timestamps" not in group:
                fail(f"{path}: /spikes/{name} lacks node_ids or timestamps")
            ids = group["node_ids"][()].astype(np.int64)
            times = group["timestamps"][()].astype(np.float64)
            units = group["timestamps"].attrs.get("units", "ms")
            if isinstance(units, bytes):
                units = units.decode()
            if units == "s":
                times = times * 1e3
            elif units != "ms":
                fail(f"{path}: /spikes/{name}/timestamps has units '{units}' (ms or s expected)")
            pops[name] = (ids, times)
    return pops


def read_summary(spike_path):
    """Population sizes and simulated time (ms) from the summary.json of a ganglion run
    next to the spike file; ({}, None) when there is none."""
    summary = os.path.join(os.path.dirname(os.path.abspath(spike_path)), "summary.json")
    try:
        with open(summary) as f:
            data = json.load(f)
        sizes = {p["name"]: int(p["size"]) for p in data.get("populations", [])}
        duration = data.get("biological_time_ms")
        return sizes, float(duration) if duration is not None else None
    except (OSError, ValueError, KeyError, TypeError):
        return {}, None


def parse_sizes(items):
    sizes = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            fail(f"--sizes expects NAME=COUNT, got '{item}'", 2)
        sizes[name] = int(value)
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Raster plot and population rates from a SONATA spike file.")
    parser.add_argument("spikes", help="SONATA spike file (HDF5)")
    parser.add_argument("-o", "--output", required=True,
                        help="image to write; the format follows the extension (png, pdf, svg)")
    parser.add_argument("--populations", nargs="+", metavar="NAME",
                        help="populations to show, top to bottom (default: all, in file order)")
    parser.add_argument("--tmin", type=float, help="start of the window, ms (default: 0)")
    parser.add_argument("--tmax", type=float,
                        help="end of the window, ms (default: end of the run, else last spike)")
    parser.add_argument("--title", help="figure title (default: the file name)")
    parser.add_argument("--bin", type=float, default=5.0, help="rate bin width, ms (default: 5)")
    parser.add_argument("--sizes", nargs="+", metavar="NAME=COUNT",
                        help="population sizes (default: summary.json, else largest id + 1)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of raster images")
    args = parser.parse_args(argv)

    pops = read_spikes(args.spikes)
    names = args.populations or list(pops)
    unknown = [n for n in names if n not in pops]
    if unknown:
        fail(f"no population {', '.join(unknown)} in {args.spikes}; "
             f"it has: {', '.join(pops) or 'none'}", 2)
    if args.bin <= 0:
        fail("--bin must be positive", 2)

    # The window is [tmin, tmax), cut into bins of --bin ms from tmin; by default it ends
    # with the run (summary.json), else with the bin that holds the last spike. A last bin
    # cut short is divided by its own width.
    sizes, duration = read_summary(args.spikes)
    sizes.update(parse_sizes(args.sizes))
    all_times = [pops[n][1] for n in names if pops[n][1].size]
    tmin = args.tmin if args.tmin is not None else min([0.0] + [t.min() for t in all_times])
    if args.tmax is not None:
        tmax = args.tmax
    else:
        last = max((t.max() for t in all_times), default=tmin)
        tmax = tmin + args.bin * (np.floor((last - tmin) / args.bin) + 1)
        # A ganglion run covers [0, biological_time_ms): show all of it, silence included.
        if duration is not None and last < duration and duration > tmin:
            tmax = duration
    if tmax <= tmin:
        fail(f"empty time window: --tmin {tmin:g} ms is not before --tmax {tmax:g} ms", 2)
    edges = np.append(np.arange(tmin, tmax, args.bin), tmax)
    if edges.size > 2 and edges[-1] - edges[-2] < 1e-9 * args.bin:
        edges = np.delete(edges, -2)
    widths_s = np.diff(edges) * 1e-3
    window_s = (tmax - tmin) * 1e-3

    fig, (ax_raster, ax_rate) = plt.subplots(
        2, 1, sharex=True, figsize=(10, 8), gridspec_kw={"height_ratios": [3, 1]},
        constrained_layout=True)

    # Stack the populations from the top: the first one gets the highest rows.
    counts = {}
    for n in names:
        ids = pops[n][0]
        counts[n] = sizes.get(n, int(ids.max()) + 1 if ids.size else 0)
    total_rows = sum(counts.values())
    # Markers about one row high, but never invisible: readable for 1 to 10000s of rows.
    panel_points = 5.5 * 72  # height of the raster panel
    marker = float(np.clip(1.5 * panel_points / max(total_rows, 1), 0.6, 4.0))

    top = total_rows
    ticks, tick_labels = [], []
    for k, n in enumerate(names):
        ids, times = pops[n]
        colour = colour_of(k)
        rows = counts[n]
        offset = top - rows
        inside = (times >= tmin) & (times < tmax)
        ax_raster.plot(times[inside], offset + ids[inside], linestyle="none", marker="s",
                       markersize=marker, markeredgewidth=0, color=colour, rasterized=True)
        hist, _ = np.histogram(times[inside], bins=edges)
        rate_hz = hist / (max(rows, 1) * widths_s)
        mean_hz = inside.sum() / (max(rows, 1) * window_s)
        label = f"{n} ({rows} neurons, {mean_hz:.2f} Hz)"
        ax_rate.stairs(rate_hz, edges, color=colour, label=label, linewidth=1.0)
        if k > 0:
            ax_raster.axhline(top - 0.5, color="0.6", linewidth=0.5)
        ticks.append(offset + rows / 2 - 0.5)
        tick_labels.append(f"{n} ({rows})")
        top = offset

    # Population labels left of the raster, at the middle of their band; bands too thin
    # for their label get it moved apart from its neighbours, with a line to the band.
    ax_raster.set_ylim(-0.5, max(total_rows, 1) - 0.5)
    ax_raster.set_yticks([])
    gap = 0.045 * max(total_rows, 1)
    placed = list(ticks)
    for k in range(1, len(placed)):
        placed[k] = min(placed[k], placed[k - 1] - gap)
    if placed and placed[-1] < 0:
        placed[-1] = min(0.0, ticks[-1])
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = max(placed[k], placed[k + 1] + gap)
    for k, (centre, y, text) in enumerate(zip(ticks, placed, tick_labels)):
        moved = abs(y - centre) > 1e-9
        ax_raster.annotate(text, xy=(0, centre), xycoords=("axes fraction", "data"),
                           xytext=(-0.012, y), textcoords=("axes fraction", "data"),
                           ha="right", va="center", color=colour_of(k), fontsize="medium",
                           annotation_clip=False,
                           arrowprops={"arrowstyle": "-", "color": colour_of(k),
                                       "linewidth": 0.6} if moved else None)
    ax_raster.set_ylabel("neurons (stacked by population)", labelpad=90)
    ax_raster.set_xlim(tmin, tmax)
    ax_raster.set_title(args.title if args.title is not None else os.path.basename(args.spikes))

    ax_rate.set_xlabel("time (ms)")
    ax_rate.set_ylabel(f"rate (Hz, {args.bin:g} ms bins)")
    ax_rate.set_ylim(bottom=0)
    if names:
        ax_rate.legend(loc="best", fontsize="small", framealpha=0.85)

    try:
        fig.savefig(args.output, dpi=args.dpi)
    except OSError as e:
        fail(f"cannot write {args.output}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
