#!/usr/bin/python3
"""Write examples/microcircuit.json: the Potjans & Diesmann (2014) cortical microcircuit.

The model as NEST's PyNEST example (pynest/examples/Potjans_2014) defines it:

- 8 populations of iaf_psc_exp (PyNN: IF_curr_exp) neurons with the published sizes;
- recurrent connections with the published connection probabilities C, realised as a
  fixed total number of synapses per projection (multapses and autapses allowed, as
  NEST's fixed_total_number), K = log(1 - C) / log(1 - 1 / (N_pre N_post)), eq. (1) of
  the paper;
- PSP amplitude 0.15 mV turned into a PSC amplitude with NEST's helper
  (postsynaptic_potential_to_current: the peak of the PSP of an exponential current);
  L4E -> L2/3E doubled; inhibitory sources g = -4 times that; relative sd 0.1, clipped
  so that no weight changes sign;
- delays normal with mean 1.5 ms (excitatory sources) and 0.75 ms (inhibitory), relative
  sd 0.5, clipped below at dt;
- Poisson background at 8 Hz times the published external in-degrees K_ext, one
  independent train per neuron (NEST: one poisson_generator per population connected
  all_to_all, which sends each target its own train; here one SpikeSourcePoisson per
  neuron, OneToOne), weight = the PSC amplitude, delay 1.5 ms (NEST's delay_poisson);
- initial membrane potentials normal(-58 mV, 10 mV) (NEST's "original" V0).

Scaling, as the published model (and NEST's network.py / helpers.py) does it, is left
to the simulator through two constants of the model file: N_scale scales neuron numbers,
N_scale * K_scale the synapse numbers (so K_scale scales the in-degrees); with K_scale < 1
weights are divided by sqrt(K_scale), and a DC current (i_offset) replaces the lost part
of the mean input computed from the full-scale mean rates:

    DC_i = 0.001 * tau_syn * (1 - sqrt(K_scale)) * (sum_j J_ij K_ij r_j + J_ext K_ext,i nu_bg)

Run `ganglion run examples/microcircuit.json --set N_scale=0.1` for a tenth of the
neurons with full in-degrees.

Synapse numbers use log1p, the accurate form of eq. (1); NEST's helper computes
log((N_pre N_post - 1) / (N_pre N_post)), which loses about 8 digits for these products, so
a few projections differ from NEST's by one synapse (298880970 against 298880968 in total).

Usage: /usr/bin/python3 tools/make_microcircuit.py [-o examples/microcircuit.json]
"""

import argparse
import json
import math
import os
import sys

import numpy as np

POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N_FULL = np.array([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948])
# Connection probabilities: row = target, column = source (Potjans & Diesmann 2014, Table 5).
CONN_PROBS = np.array([
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
])
K_EXT = np.array([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100])
# Mean rates of the full-scale model (Hz), used only for the DC compensation when K_scale < 1.
FULL_MEAN_RATES = np.array([0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523])

BG_RATE = 8.0  # Hz per external input
PSP_E = 0.15  # mV
PSP_REL_SD = 0.1
G = -4.0
DELAY_EXC, DELAY_INH, DELAY_REL_SD = 1.5, 0.75, 0.5  # ms
DELAY_POISSON = 1.5  # ms
DT = 0.1  # ms
TSTOP = 1000.0  # ms
V0_MEAN, V0_SD = -58.0, 10.0  # mV, NEST's "original" initial conditions
SEED = 55

NEURON = {  # NEST iaf_psc_exp parameters of the example, in PyNN names and units
    "cm": 0.25,  # nF (C_m 250 pF)
    "tau_m": 10.0,
    "tau_syn_E": 0.5,
    "tau_syn_I": 0.5,
    "tau_refrac": 2.0,
    "v_rest": -65.0,  # E_L
    "v_reset": -65.0,
    "v_thresh": -50.0,
}


def psc_over_psp(c_m_pf, tau_m, tau_syn):
    """pA per mV of PSP peak for an exponential PSC (NEST's postsynaptic_potential_to_current)."""
    sub = 1.0 / (tau_syn - tau_m)
    pre = tau_m * tau_syn / c_m_pf * sub
    frac = (tau_m / tau_syn) ** sub
    return 1.0 / (pre * (frac ** tau_m - frac ** tau_syn))


def full_synapse_numbers():
    """K_ij = log(1 - C_ij) / log(1 - 1 / (N_i N_j)) at full scale (eq. 1)."""
    prod = np.outer(N_FULL, N_FULL).astype(float)
    return np.log1p(-CONN_PROBS) / np.log1p(-1.0 / prod)


def num(x):
    """A float written with every digit it needs to round-trip."""
    return repr(float(x))


def build():
    n_pop = len(POPULATIONS)
    tau_syn = NEURON["tau_syn_E"]
    j_e = PSP_E * psc_over_psp(NEURON["cm"] * 1000.0, NEURON["tau_m"], tau_syn) / 1000.0  # nA
    # Mean PSC per projection (nA), [target, source]: columns of inhibitory sources g * J.
    j_mean = np.tile(np.array([j_e, G * j_e]), n_pop // 2)[np.newaxis, :].repeat(n_pop, axis=0)
    j_mean[0, 2] *= 2.0  # L4E -> L2/3E doubled
    k_full = full_synapse_numbers()

    # DC compensation for K_scale < 1 (NEST's adjust_weights_and_input_to_synapse_scaling):
    # the mean input per neuron, in nA x Hz, of the full network.
    indegree = k_full / N_FULL[:, np.newaxis]
    input_rec = np.sum(j_mean * indegree * FULL_MEAN_RATES, axis=1)
    input_ext = j_e * K_EXT * BG_RATE
    mean_input = input_rec + input_ext
    dc_factor = 0.001 * tau_syn  # ms -> s

    delay_max = {}
    for kind, mean in (("exc", DELAY_EXC), ("inh", DELAY_INH)):
        delay_max[kind] = mean + 5.0 * DELAY_REL_SD * mean

    description = (
        "Potjans & Diesmann (2014) cortical microcircuit, as NEST's PyNEST example "
        "(pynest/examples/Potjans_2014) defines it; generated by tools/make_microcircuit.py. "
        "8 populations of IF_curr_exp (C_m 250 pF, tau_m 10 ms, tau_syn 0.5 ms, t_ref 2 ms, "
        "E_L = V_reset = -65 mV, V_th -50 mV), initial v normal(-58, 10) mV. Recurrent synapses: "
        "FixedTotalNumberConnector with replacement (NEST's fixed_total_number, multapses and "
        "autapses allowed), K = log(1-C)/log(1-1/(N_pre N_post)) from the published connection "
        "probabilities C (projections with C = 0 are left out). Weights: a PSP of 0.15 mV as a "
        "PSC of %.6f nA (NEST's postsynaptic_potential_to_current), doubled for L4E->L23E, "
        "g = -4 for inhibitory sources (negative weights on the inhibitory receptor, PyNN's "
        "convention for current synapses), relative sd 0.1, as normal_clipped on [0, 2 mean] "
        "(or [2 mean, 0]): +-10 sd, so no weight changes sign and the mean is kept. Delays: "
        "normal_clipped with mean 1.5 ms (excitatory sources) / 0.75 ms (inhibitory), relative "
        "sd 0.5, low = dt = 0.1 ms as in NEST; NEST leaves them unbounded above, here high = "
        "mean + 5 sd (%.4g / %.4g ms), because the ring buffers hold max_delay / dt slots and "
        "an unbounded normal would have no max_delay (a draw beyond 5 sd has probability "
        "3e-7 and is redrawn). Background: one SpikeSourcePoisson per neuron (OneToOne), "
        "8 Hz x K_ext (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100), weight = the PSC, "
        "delay 1.5 ms (NEST's delay_poisson). Scaling (constants, override with --set): "
        "population sizes rint(N x N_scale); synapse numbers rint(K x N_scale x K_scale); "
        "external in-degrees rint(K_ext x K_scale); with K_scale < 1 every weight is divided "
        "by sqrt(K_scale) and i_offset = 0.001 tau_syn (1 - sqrt(K_scale)) (sum_j J_ij K_ij/N_i "
        "r_j + J K_ext 8 Hz) nA restores the mean input from the full-scale rates (0.971, "
        "2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523 Hz), as NEST's network.py does. "
        "Full scale: 77169 neurons, %d recurrent synapses. Typical use: "
        "ganglion run examples/microcircuit.json --set N_scale=0.1. Note on downscaling: with "
        "N_scale 0.1 and full in-degrees (K_scale 1) each neuron receives about one synapse "
        "from every neuron of a source population, inputs are strongly correlated and the "
        "network shows population bursts; L2/3E and L5E then fire faster than at full scale "
        "(about 1.7-2.0 Hz and 10-11.6 Hz in ganglion over 200-1000 ms). N_scale 0.2 (K_scale "
        "1), or K_scale = N_scale = 0.1 with the DC compensation (NEST's default), give rates "
        "close to the full-scale ones."
        % (j_e, delay_max["exc"], delay_max["inh"], int(np.rint(k_full).sum())))

    model = {
        "description": description,
        "constants": {"N_scale": 1.0, "K_scale": 1.0},
        "simulation": {
            "dt": DT,
            "tstop": TSTOP,
            "min_delay": DT,
            "max_delay": max(delay_max.values()),
            "seed": SEED,
        },
        "populations": [],
        "projections": [],
    }

    for i, name in enumerate(POPULATIONS):
        params = dict(NEURON)
        params["i_offset"] = "%s*(1-sqrt(K_scale))*%s" % (num(dc_factor), num(mean_input[i]))
        model["populations"].append({
            "name": name,
            "size": "rint(%d*N_scale)" % N_FULL[i],
            "model": "IF_curr_exp",
            "parameters": params,
            "initial_values": {"v": {"distribution": "normal", "mu": V0_MEAN, "sigma": V0_SD}},
            "record": ["spikes"],
        })
    for i, name in enumerate(POPULATIONS):
        model["populations"].append({
            "name": "bg_" + name,
            "size": "rint(%d*N_scale)" % N_FULL[i],
            "model": "SpikeSourcePoisson",
            "parameters": {"rate": "%s*rint(%d*K_scale)" % (num(BG_RATE), K_EXT[i])},
        })

    for i, target in enumerate(POPULATIONS):  # target-major, as NEST's loop
        for j, source in enumerate(POPULATIONS):
            if CONN_PROBS[i, j] == 0.0:
                continue
            w = j_mean[i, j]
            inhibitory = w < 0
            d_mean = DELAY_INH if j % 2 else DELAY_EXC
            d_sd = DELAY_REL_SD * d_mean
            scaled = lambda x: "%s/sqrt(K_scale)" % num(x)
            weight = {
                "distribution": "normal_clipped",
                "mu": scaled(w),
                "sigma": scaled(abs(w) * PSP_REL_SD),
                "low": scaled(2 * w) if inhibitory else 0.0,
                "high": 0.0 if inhibitory else scaled(2 * w),
            }
            model["projections"].append({
                "label": "%s->%s" % (source, target),
                "pre": source,
                "post": target,
                "connector": {
                    "type": "FixedTotalNumberConnector",
                    "n": "rint(%s*N_scale*K_scale)" % num(k_full[i, j]),
                    "with_replacement": True,
                    "allow_self_connections": True,
                },
                "synapse": {
                    "type": "StaticSynapse",
                    "weight": weight,
                    "delay": {
                        "distribution": "normal_clipped",
                        "mu": d_mean,
                        "sigma": d_sd,
                        "low": DT,
                        "high": d_mean + 5.0 * d_sd,
                    },
                },
                "receptor_type": "inhibitory" if inhibitory else "excitatory",
            })
    for i, name in enumerate(POPULATIONS):
        model["projections"].append({
            "label": "bg_%s->%s" % (name, name),
            "pre": "bg_" + name,
            "post": name,
            "connector": {"type": "OneToOneConnector"},
            "synapse": {"type": "StaticSynapse", "weight": "%s/sqrt(K_scale)" % num(j_e),
                        "delay": DELAY_POISSON},
            "receptor_type": "excitatory",
        })
    return model, k_full, j_e, mean_input * dc_factor


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output",
                        default=os.path.join(here, "..", "examples", "microcircuit.json"))
    args = parser.parse_args()
    model, k_full, j_e, dc_per_unit = build()
    with open(args.output, "w") as f:
        json.dump(model, f, indent=2)
        f.write("\n")
    total = np.rint(k_full).sum()
    print("wrote %s" % os.path.normpath(args.output))
    print("  PSC amplitude %.6f nA for a PSP of %.2f mV" % (j_e, PSP_E))
    print("  full scale: %d neurons, %d recurrent synapses (%.1f M), %d projections"
          % (N_FULL.sum(), total, total / 1e6, len(model["projections"])))
    print("  DC at K_scale 0.1 (nA): %s"
          % ", ".join("%s %.4f" % (p, d * (1 - math.sqrt(0.1)))
                      for p, d in zip(POPULATIONS, dc_per_unit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
