"""What the Brian2 peer scripts share: the command line, C++ standalone set-up,
the scheduling that makes Brian2 step a network exactly as ganglion does, the
timing of the build and of the simulation, and the JSON result.

Brian 2.5 (Debian's python3-brian), C++ standalone mode: Brian generates a
C++ project under --build-dir, compiles it with g++ (make, with Brian's
default flags -O3 -ffast-math -march=native) and runs it. Run with Debian's
/usr/bin/python3.

Semantics (checked spike for spike against ganglion on single-neuron and
two-neuron networks, IF_curr_delta and IF_cond_exp): ganglion, like NEST,
advances v, then adds the input that arrives in the step, then tests the
threshold; a spike of step s over a delay of d steps arrives in step s + d;
a neuron that spiked in step s is clamped in steps s+1 ... s+R (R =
tau_refrac / dt) and free again in step s+R+1. Brian2's default schedule
(groups, thresholds, synapses, resets) instead adds input after the
threshold test. With the schedule set to groups, synapses, thresholds,
resets (SCHEDULE below), Brian2 adds a step's input before the test, as
ganglion does, but its synapses now push the spikes of the previous step,
so a delay is one step longer than asked: the scripts ask for delay - dt.
Brian2's refractory period ends when timestep(t - lastspike) >=
timestep(refractory), one step earlier than ganglion's clamp: the scripts ask
for tau_refrac + dt. With these three, spike times agree to the step
(Brian2 stamps a spike at the start of its step, ganglion at the end: t +
dt).
"""

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

# Groups (state update), then synapses (this step's input), then threshold
# and reset: ganglion's order within a step (see above).
SCHEDULE = ["start", "groups", "synapses", "thresholds", "resets", "end"]
GNU_TIME = Path("/usr/bin/time")


def parse_args(name, description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--build-dir", default=f"/tmp/ganglion-brian2/{name}",
                    help=f"Brian2's C++ project directory (default /tmp/ganglion-brian2/{name})")
    ap.add_argument("--threads", type=int, default=0,
                    help="OpenMP threads; 0 (default) builds Brian2's serial code")
    ap.add_argument("--tstop", type=float, default=1000.0, help="biological time, ms (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="Brian2's random seed (default 1)")
    ap.add_argument("--repeats", type=int, default=1,
                    help="run the compiled binary this many times (default 1)")
    ap.add_argument("--make-jobs", type=int, default=1,
                    help="parallel compile jobs (default 1: the machine is shared)")
    ap.add_argument("--json", help="write the result here (default: stdout only)")
    return ap.parse_args()


def set_up(args):
    """C++ standalone device and preferences; returns the brian2 module."""
    import brian2

    brian2.set_device("cpp_standalone", directory=args.build_dir, build_on_run=False)
    prefs = brian2.prefs
    prefs.devices.cpp_standalone.openmp_threads = args.threads
    prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{args.make_jobs}"]
    if GNU_TIME.exists():
        # The binary's own peak memory (Brian runs it in the build directory).
        prefs.devices.cpp_standalone.run_cmd_unix = [str(GNU_TIME), "-v", "-o", "results/gnu_time.txt",
                                                      "./main"]
    brian2.defaultclock.dt = 0.1 * brian2.ms
    brian2.seed(args.seed)
    # Wall-clock marks in main(): here (before any object is set up), before
    # and after the network run (build_and_run). Brian2's own run timer is
    # process CPU time in a serial build, which hides a loaded machine.
    brian2.get_device().insert_code(
        "main", "struct timespec _ganglion_mark[3]; clock_gettime(CLOCK_MONOTONIC, &_ganglion_mark[0]);")
    return brian2


WALL_TIMES = "results/ganglion_wall_times.txt"


def wall_times(build_dir):
    """(build, simulate) wall-clock seconds written by the marks."""
    marks = [float(x) for x in (Path(build_dir) / WALL_TIMES).read_text().split()]
    return marks[1] - marks[0], marks[2] - marks[1]


def max_rss_mb(build_dir):
    path = Path(build_dir) / "results" / "gnu_time.txt"
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    return None


def build_and_run(brian2, args, net, namespace, monitors, n_synapses):
    """Generates and compiles the project, runs it args.repeats times and
    returns the result: times, rates per monitor (Hz), peak memory.
    `namespace` holds the constants the model's strings name.

    timers: codegen_compile_s = Python code generation + make (small when the
    build directory already holds an identical project); build_s = wall
    time in the binary from the start of main() to the network run
    (setting up the groups, drawing the synapses in C++, initial values);
    simulate_s = wall time of the network run (Network::run, including its
    before-run set-up); brian2_run_timer_s = Brian2's own timer of the run
    (omp_get_wtime with OpenMP, std::clock, i.e. CPU time, without)."""
    device = brian2.get_device()
    t0 = time.monotonic()
    device.insert_code("main", "clock_gettime(CLOCK_MONOTONIC, &_ganglion_mark[1]);")
    net.run(args.tstop * brian2.ms, namespace=namespace)  # recorded, not run (build_on_run=False)
    device.insert_code(
        "main",
        "clock_gettime(CLOCK_MONOTONIC, &_ganglion_mark[2]);\n"
        f'{{ std::ofstream _f("{WALL_TIMES}"); _f.precision(9); _f << std::fixed;\n'
        "  for (int _k = 0; _k < 3; ++_k)\n"
        "    _f << _ganglion_mark[_k].tv_sec + 1e-9 * _ganglion_mark[_k].tv_nsec << '\\n'; }")
    device.build(directory=args.build_dir, compile=True, run=False, with_output=False)
    codegen_compile = time.monotonic() - t0
    runs = []
    for _ in range(args.repeats):
        device.run(directory=args.build_dir, with_output=False, run_args=[])
        build, simulate = wall_times(args.build_dir)
        runs.append({"binary_wall_s": device.timers["run_binary"], "build_s": build, "simulate_s": simulate,
                     "brian2_run_timer_s": device._last_run_time, "peak_rss_mb": max_rss_mb(args.build_dir)})
    tstop_s = args.tstop / 1000.0
    rates = {name: float(sum(mon.count[:])) / (len(mon.source) * tstop_s) for name, mon in monitors.items()}
    med = lambda key: sorted(r[key] for r in runs)[len(runs) // 2] if runs[0][key] is not None else None
    result = {
        "simulator": "brian2",
        "version": brian2.__version__,
        "device": "cpp_standalone",
        "threads": args.threads,
        "seed": args.seed,
        "tstop_ms": args.tstop,
        "synapses": n_synapses(),
        "codegen_compile_s": codegen_compile,
        "build_s": med("build_s"),
        "simulate_s": med("simulate_s"),
        "real_time_factor": med("simulate_s") / tstop_s,
        "brian2_run_timer_s": med("brian2_run_timer_s"),
        "peak_rss_mb": med("peak_rss_mb"),
        "mean_rate_hz": rates,
        "runs": runs,
        "host": {"name": platform.node(), "cores": os.cpu_count(), "load_average": os.getloadavg()},
        "compiler": shutil.which("g++"),
    }
    return result


def report(result, args):
    text = json.dumps(result, indent=2)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(args.json + ".partial")
        tmp.write_text(text + "\n")
        tmp.replace(args.json)
    print(text)
    sys.stdout.flush()
