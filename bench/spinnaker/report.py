#!/usr/bin/python3
"""The report of bench/spinnaker/study.sh, as Markdown on stdout.

    report.py OUTDIR MODEL SEED1 SEED2

Reads OUTDIR/compare_dt{0.1,1.0}.json (`ganglion compare --json`, A = double
seed 1, B = SpiNNaker, C = double seed 2), the four runs' summary.json and
their /usr/bin/time records (wall seconds, peak RSS kB).
"""

import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def main():
    out, model, s1, s2 = sys.argv[1:5]
    runs = [f"double_s{s1}", f"double_s{s2}", "spinnaker_dt0.1", "spinnaker_dt1.0",
            f"double_dt1.0_s{s1}", f"double_dt1.0_s{s2}"]
    runs = [r for r in runs if os.path.exists(os.path.join(out, r, "summary.json"))]
    print(f"# What would `{os.path.basename(model)}` lose on SpiNNaker?\n")
    print(f"Model file `{model}`; double runs with seeds {s1} and {s2} at the file's dt; "
          f"SpiNNaker fixed point (s16.15, 16-bit weights) with seed {s1} at dt 0.1 and 1.0 ms. "
          "Command: `bench/spinnaker/study.sh`.\n")

    print("## Runs\n")
    print("| run | arithmetic | dt (ms) | build (s) | simulate (s) | real-time factor | "
          "bytes/synapse | peak RSS (MB) | ring-buffer saturations | weights rounded to zero |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in runs:
        s = load(os.path.join(out, r, "summary.json"))
        wall, rss = "-", "-"
        try:
            with open(os.path.join(out, r + ".time")) as f:
                wall, rss_kb = f.read().split()[0].split("_")[:2]
                rss = f"{int(rss_kb) / 1024:.0f}"
        except (OSError, ValueError):
            pass
        zero = sum(p.get("weights_rounded_to_zero", 0) for p in s.get("projections", []))
        print(f"| {r} | {s.get('arithmetic', 'double')} | {s['dt_ms']:g} | "
              f"{s['timers_s']['build']:.2f} | {s['simulate_s']:.2f} | "
              f"{s['real_time_factor']:.2f} | {s['bytes_per_synapse']:.2f} | {rss} | "
              f"{s.get('ring_buffer_saturations', '-')} | "
              f"{zero if s.get('arithmetic') == 'spinnaker' else '-'} |")

    print("\n## Mean rates (Hz)\n")
    summaries = [load(os.path.join(out, r, "summary.json")) for r in runs]
    print("| population | " + " | ".join(runs) + " |")
    print("| --- |" + " --- |" * len(runs))
    for i, p in enumerate(summaries[0]["populations"]):
        if p.get("mean_rate_hz") is None:
            continue
        cells = [fmt(s["populations"][i].get("mean_rate_hz")) for s in summaries]
        print(f"| {p['name']} | " + " | ".join(cells) + " |")

    sections = [("0.1", f"compare_dt0.1.json", "the file's dt"),
                ("1.0", f"compare_dt1.0.json", "the file's dt"),
                ("1.0", f"compare_dt1.0_same_dt.json", "dt 1.0 ms too")]
    for dt, name, double_dt in sections:
        if not os.path.exists(os.path.join(out, name)):
            continue
        c = load(os.path.join(out, name))
        w = c["window_ms"]
        print(f"\n## Fixed point at dt {dt} ms against double at {double_dt} (seed {s1}), "
              f"next to seed {s2} against seed {s1}\n")
        print(f"Window ({w[0]:g}, {w[1]:g}] ms. KS: Kolmogorov-Smirnov distance; KL: "
              "D_KL of Gaussian-kernel-smoothed histograms (nats). Ratio above 1: the "
              "arithmetic moves the distribution more than another seed does. "
              f"Figure: `{name[:-5]}.png`.\n")
        print("| population | statistic | mean double | mean fixed | mean seed 2 | KS fixed | "
              "KS seed | KS ratio | KL fixed | KL seed |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for p in c["populations"]:
            for key, label in (("rate", "rate"), ("cv", "CV ISI"), ("correlation", "corr")):
                st = p[key]
                ab, ac, ratio = st.get("A_vs_B", {}), st.get("A_vs_C", {}), st.get("ratio", {})
                print(f"| {p['name']} | {label} | {fmt(st['A'].get('mean'))} | "
                      f"{fmt(st['B'].get('mean'))} | {fmt(st.get('C', {}).get('mean'))} | "
                      f"{fmt(ab.get('ks'))} | {fmt(ac.get('ks'))} | {fmt(ratio.get('ks'))} | "
                      f"{fmt(ab.get('kl'))} | {fmt(ac.get('kl'))} |")


if __name__ == "__main__":
    main()
