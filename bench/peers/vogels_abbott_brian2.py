#!/usr/bin/python3
"""The Vogels-Abbott COBA network (Brette et al. 2007, benchmark 1) in
Brian2 (C++ standalone), defined as examples/vogels_abbott.json defines it
for ganglion:

  3200 excitatory + 800 inhibitory IF_cond_exp cells: cm 0.2 nF, tau_m
  20 ms (g_leak 10 nS), v_rest -60 mV, threshold -50 mV, reset -60 mV,
  refractory 5 ms, tau_syn_E 5 ms, tau_syn_I 10 ms, e_rev_E 0 mV, e_rev_I
  -80 mV; initial v uniform in [-60, -50) mV, conductances 0;
  every pair connected with probability 0.02 (self-connections allowed, as
  ganglion's FixedProbabilityConnector by default), 4 nS excitatory, 51 nS
  inhibitory, delay 0.1 ms;
  kick: 20 Poisson sources at 100 Hz for the first 50 ms, each pair
  connected with probability 0.01, 100 nS onto the excitatory conductance,
  delay 0.1 ms;
  dt 0.1 ms, 1 s.

    /usr/bin/python3 bench/peers/vogels_abbott_brian2.py [--threads N] [--repeats N] [--json OUT]

Integration as ganglion's IF_cond_exp: over a step v relaxes exactly towards
its equilibrium under the step's mean conductances, while the conductances
decay exactly. Brian2's exponential_euler does exactly that if the
conductances in the v equation are multiplied by their mean over a step
per unit start value, (tau/dt)(1 - exp(-dt/tau)) (mean_e, mean_i below).
See brian2_common.py for the scheduling, delay and refractory settings.
"""

import math

import brian2_common as common

N_E, N_I, N_KICK = 3200, 800, 20
p_connect, p_kick = 0.02, 0.01
dt_ms, delay_ms, tau_refrac_ms = 0.1, 0.1, 5.0
tau_syn_E_ms, tau_syn_I_ms = 5.0, 10.0


def main():
    args = common.parse_args("vogels_abbott", __doc__)
    b2 = common.set_up(args)
    ms, mV, nS, nF, Hz = b2.ms, b2.mV, b2.nS, b2.nF, b2.Hz
    namespace = {
        "C": 0.2 * nF, "g_leak": 0.2 * nF / (20.0 * ms), "E_leak": -60.0 * mV,
        "E_exc": 0.0 * mV, "E_inh": -80.0 * mV,
        "tau_e": tau_syn_E_ms * ms, "tau_i": tau_syn_I_ms * ms,
        "mean_e": tau_syn_E_ms / dt_ms * -math.expm1(-dt_ms / tau_syn_E_ms),
        "mean_i": tau_syn_I_ms / dt_ms * -math.expm1(-dt_ms / tau_syn_I_ms),
        "v_thresh": -50.0 * mV, "v_reset": -60.0 * mV,
        "w_exc": 4.0 * nS, "w_inh": 51.0 * nS, "w_kick": 100.0 * nS,
        "kick_rate": 100.0 * Hz, "kick_stop": 50.0 * ms,
    }
    eqs = """
    dv/dt = (g_leak * (E_leak - v) + mean_e * ge * (E_exc - v) + mean_i * gi * (E_inh - v)) / C
        : volt (unless refractory)
    dge/dt = -ge / tau_e : siemens
    dgi/dt = -gi / tau_i : siemens
    """
    # refractory + dt and delay - dt: see brian2_common.py.
    cells = b2.NeuronGroup(N_E + N_I, eqs, threshold="v >= v_thresh", reset="v = v_reset",
                           refractory=(tau_refrac_ms + dt_ms) * ms, method="exponential_euler",
                           namespace=namespace, name="cells")
    cells.v = "-60*mV + rand() * 10*mV"
    exc, inh = cells[:N_E], cells[N_E:]
    delay = (delay_ms - dt_ms) * ms
    from_exc = b2.Synapses(exc, cells, on_pre="ge_post += w_exc", delay=delay, namespace=namespace,
                           name="from_exc")
    from_exc.connect(p=p_connect)
    from_inh = b2.Synapses(inh, cells, on_pre="gi_post += w_inh", delay=delay, namespace=namespace,
                           name="from_inh")
    from_inh.connect(p=p_connect)
    # One spike at most per step, on t = k dt for k dt < 50 ms: 500 steps, as
    # ganglion's source (active in steps 0..499).
    kick = b2.PoissonGroup(N_KICK, rates="kick_rate * int(t < kick_stop)", namespace=namespace,
                           name="kick")
    from_kick = b2.Synapses(kick, cells, on_pre="ge_post += w_kick", delay=delay, namespace=namespace,
                            name="from_kick")
    from_kick.connect(p=p_kick)
    mon_e = b2.SpikeMonitor(exc, record=False)
    mon_i = b2.SpikeMonitor(inh, record=False)
    net = b2.Network(cells, from_exc, from_inh, kick, from_kick, mon_e, mon_i)
    net.schedule = common.SCHEDULE
    synapses = [from_exc, from_inh, from_kick]
    result = common.build_and_run(b2, args, net, namespace, {"exc": mon_e, "inh": mon_i},
                                  lambda: sum(len(s) for s in synapses))
    result["network"] = "vogels_abbott"
    result["neurons"] = N_E + N_I + N_KICK
    common.report(result, args)


if __name__ == "__main__":
    main()
