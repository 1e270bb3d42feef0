#!/usr/bin/python3
"""Plot a whole-network benchmark's results (the JSON run_network.py writes):
one stacked bar per ranks x threads split, simulate time cut into update,
exchange, deliver and the rest (waiting at barriers, loop overhead), with
the real-time factor on top.

    /usr/bin/python3 bench/networks/plot_network.py bench/results/vogels_abbott.json [-o out.png]
"""

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="results JSON from run_network.py")
    ap.add_argument("-o", "--output", help="image file (default: the JSON's name with .png)")
    args = ap.parse_args()

    doc = json.loads(Path(args.results).read_text())
    configs = doc["configs"]
    labels = [f"{c['ranks']} x {c['threads']}" for c in configs]
    parts = {
        "update": [c["statistic"]["timers_s"]["update"] for c in configs],
        "exchange": [c["statistic"]["timers_s"]["exchange"] for c in configs],
        "deliver": [c["statistic"]["timers_s"]["deliver"] for c in configs],
        "other (waiting)": [max(0.0, c["statistic"]["other_s"]) for c in configs],
    }
    fig, ax = plt.subplots(figsize=(1.6 * len(configs) + 2, 4))
    bottom = [0.0] * len(configs)
    for name, values in parts.items():
        ax.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values)]
    for x, c in enumerate(configs):
        ax.annotate(f"RTF {c['statistic']['real_time_factor']:.2f}", (x, bottom[x]), ha="center", va="bottom")
    ax.set_xlabel("ranks x threads")
    ax.set_ylabel(f"simulate time (s, {doc['statistic']})")
    ax.set_title(f"{doc['benchmark']} ({doc['date'][:10]}, {doc['host']['cores']} cores)")
    ax.legend()
    fig.tight_layout()
    out = Path(args.output) if args.output else Path(args.results).with_suffix(".png")
    fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
