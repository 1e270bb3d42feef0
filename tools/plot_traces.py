#!/usr/bin/python3
"""State variable traces from the SONATA report files of a ganglion run.

    /usr/bin/python3 tools/plot_traces.py DIR -o traces.png \
        [--populations P ...] [--cells 0 1 2] [--variables v u gsyn_exc] \
        [--tmin MS] [--tmax MS] [--title T]

Reads DIR/<variable>.h5 for each variable (`/report/<population>/data` [time x cell] with
its `units` attribute, `/report/<population>/mapping/node_ids` and
`/report/<population>/mapping/time` = [start, stop, step] ms, sample k at start + k step)
and draws one panel per variable, time on a shared axis, one line per cell and the same
colour for a cell in every panel. Cells are population-relative node ids, as in the
model file; the default is every recorded cell, at most 12.

Uses Debian's numpy, h5py and matplotlib: run it with /usr/bin/python3.
"""

import argparse
import os
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# Okabe & Ito's colours, then matplotlib's tab10 (as tools/raster.py).
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]
DEFAULT_MAX_CELLS = 12
# Default panel order: the membrane potential first, then the models' other state.
PREFERRED_ORDER = ["v", "u", "w", "gsyn_exc", "gsyn_inh", "isyn_exc", "isyn_inh"]


def colour_of(k):
    return COLOURS[k] if k < len(COLOURS) else plt.cm.tab10(k % 10)


def fail(message, code=1):
    print(f"plot_traces.py: {message}", file=sys.stderr)
    sys.exit(code)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def report_files(directory):
    """Variable name -> path of every SONATA report file in the directory."""
    found = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".h5"):
            continue
        path = os.path.join(directory, name)
        try:
            with h5py.File(path, "r") as f:
                if "report" in f:
                    found[name[:-3]] = path
        except OSError:
            continue
    return found


def read_report(path):
    """Population -> (times in ms, node_ids, data [time x cell], units)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open {path} as HDF5: {e}")
    with f:
        if "report" not in f:
            fail(f"{path} has no /report group: not a SONATA report file")
        pops = {}
        for name, group in f["report"].items():
            if not isinstance(group, h5py.Group):
                continue
            for key in ("data", "mapping/node_ids", "mapping/time"):
                if key not in group:
                    fail(f"{path}: /report/{name} lacks {key}")
            data = group["data"][()]
            if data.ndim != 2:
                fail(f"{path}: /report/{name}/data is not [time x cell]")
            node_ids = group["mapping/node_ids"][()].astype(np.int64)
            start, _, step = (float(x) for x in group["mapping/time"][()])
            time_units = text(group["mapping/time"].attrs.get("units", "ms"))
            if time_units == "s":
                start, step = start * 1e3, step * 1e3
            elif time_units != "ms":
                fail(f"{path}: /report/{name}/mapping/time has units '{time_units}' "
                     "(ms or s expected)")
            times = start + step * np.arange(data.shape[0])
            units = text(group["data"].attrs.get("units", ""))
            pops[name] = (times, node_ids, data, units)
    return pops


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="State variable traces (v, u, gsyn_exc, ...) from the SONATA report "
                    "files <variable>.h5 that ganglion run writes.")
    parser.add_argument("directory", help="output directory of a run (holds v.h5, ...)")
    parser.add_argument("-o", "--output", required=True,
                        help="image to write; the format follows the extension (png, pdf, svg)")
    parser.add_argument("--variables", nargs="+", metavar="NAME",
                        help="variables to plot, one panel each, top to bottom "
                             "(default: every report file in DIR)")
    parser.add_argument("--populations", "--population", nargs="+", metavar="NAME",
                        help="populations (default: all recorded ones)")
    parser.add_argument("--cells", nargs="+", type=int, metavar="ID",
                        help="population-relative node ids (default: every recorded cell, "
                             f"at most {DEFAULT_MAX_CELLS})")
    parser.add_argument("--tmin", type=float, help="start of the window, ms")
    parser.add_argument("--tmax", type=float, help="end of the window, ms")
    parser.add_argument("--title", help="figure title (default: the directory name)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of raster images")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.directory):
        fail(f"no such directory: {args.directory}")
    available = report_files(args.directory)
    variables = args.variables or sorted(
        available, key=lambda v: (PREFERRED_ORDER.index(v) if v in PREFERRED_ORDER
                                  else len(PREFERRED_ORDER), v))
    if not variables:
        fail(f"no SONATA report files (<variable>.h5 with /report) in {args.directory}")
    missing = [v for v in variables if v not in available]
    if missing:
        fail(f"no report of {', '.join(missing)} in {args.directory}; "
             f"it has: {', '.join(available) or 'none'}", 2)
    reports = {v: read_report(available[v]) for v in variables}

    recorded = list(dict.fromkeys(p for v in variables for p in reports[v]))
    populations = args.populations or recorded
    for v in variables:
        unknown = [p for p in populations if p not in reports[v]]
        if unknown:
            fail(f"{v}.h5 has no population {', '.join(unknown)}; "
                 f"it has: {', '.join(reports[v]) or 'none'}", 2)

    # The lines: (population, node id), each present in every variable's report.
    lines = []
    for p in populations:
        ids = [set(reports[v][p][1].tolist()) for v in variables]
        common = sorted(set.intersection(*ids))
        if args.cells is not None:
            absent = [c for c in args.cells if c not in common]
            if absent:
                fail(f"population {p}: cell(s) {', '.join(map(str, absent))} not recorded "
                     f"in every variable; recorded: {', '.join(map(str, common)) or 'none'}", 2)
            lines += [(p, c) for c in args.cells]
        else:
            lines += [(p, c) for c in common]
    if args.cells is None and len(lines) > DEFAULT_MAX_CELLS:
        print(f"plot_traces.py: showing the first {DEFAULT_MAX_CELLS} of {len(lines)} cells "
              "(choose with --cells)", file=sys.stderr)
        lines = lines[:DEFAULT_MAX_CELLS]
    if not lines:
        fail("no recorded cells to plot", 2)

    fig, axes = plt.subplots(len(variables), 1, sharex=True, squeeze=False,
                             figsize=(10, 1.0 + 2.2 * len(variables)), constrained_layout=True)
    label_population = len(populations) > 1
    tmin, tmax = np.inf, -np.inf
    for ax, v in zip(axes[:, 0], variables):
        units = ""
        for k, (p, c) in enumerate(lines):
            times, node_ids, data, units_p = reports[v][p]
            units = units or units_p
            column = int(np.flatnonzero(node_ids == c)[0])
            inside = np.ones(times.shape, dtype=bool)
            if args.tmin is not None:
                inside &= times >= args.tmin
            if args.tmax is not None:
                inside &= times <= args.tmax
            if inside.any():
                tmin, tmax = min(tmin, times[inside][0]), max(tmax, times[inside][-1])
            label = f"{p}[{c}]" if label_population else f"cell {c}"
            ax.plot(times[inside], data[inside, column], color=colour_of(k), linewidth=1.0,
                    label=label)
        ax.set_ylabel(f"{v} ({units})" if units else v)
        ax.grid(True, linewidth=0.4, alpha=0.5)
    if not np.isfinite(tmin):
        fail("no samples in the time window", 2)
    axes[0, 0].set_xlim(args.tmin if args.tmin is not None else tmin,
                        args.tmax if args.tmax is not None else tmax)
    axes[-1, 0].set_xlabel("time (ms)")
    axes[0, 0].legend(loc="upper right", fontsize="small", framealpha=0.85,
                      ncol=min(len(lines), 6))
    axes[0, 0].set_title(args.title if args.title is not None
                         else os.path.basename(os.path.normpath(args.directory)))
    try:
        fig.savefig(args.output, dpi=args.dpi)
    except OSError as e:
        fail(f"cannot write {args.output}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
