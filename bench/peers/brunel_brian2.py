#!/usr/bin/python3
"""Brunel (2000) model A in Brian2 (C++ standalone), defined as
examples/brunel_network.json defines it for ganglion:

  10 000 excitatory + 2 500 inhibitory leaky integrate-and-fire cells with
  delta synapses: tau_m 20 ms, v_rest 0, threshold 20 mV, reset 10 mV,
  refractory 2 ms (input arriving while clamped is discarded, as in
  ganglion's IF_curr_delta and NEST's iaf_psc_delta); initial v uniform in
  [0, 20) mV;
  every cell gets exactly C_E = 1000 excitatory and C_I = 250 inhibitory
  inputs, drawn without replacement and without autapses (ganglion's
  FixedNumberPreConnector), J = 0.1 mV, g = 5 (-0.5 mV), delay 1.5 ms;
  external drive: C_E Poisson inputs per cell at eta * nu_thr = 20 Hz,
  weight J (Brian2's PoissonInput: a binomial count per cell and step);
  dt 0.1 ms, 1 s.

    /usr/bin/python3 bench/peers/brunel_brian2.py [--threads N] [--repeats N] [--json OUT]

See brian2_common.py for the scheduling, delay and refractory settings
that make Brian2 step the network as ganglion does.
"""

import brian2_common as common

N_E, N_I = 10000, 2500
C_E, C_I = 1000, 250
J_mV, g, eta = 0.1, 5.0, 2.0
tau_m_ms, theta_mV, v_reset_mV, tau_refrac_ms, delay_ms = 20.0, 20.0, 10.0, 2.0, 1.5
dt_ms = 0.1


def main():
    args = common.parse_args("brunel", __doc__)
    b2 = common.set_up(args)
    ms, mV, Hz = b2.ms, b2.mV, b2.Hz
    tau, theta, V_r, J = tau_m_ms * ms, theta_mV * mV, v_reset_mV * mV, J_mV * mV
    nu_thr = theta / (J * C_E * tau)
    nu_ext = eta * nu_thr  # per external input: 20 Hz

    # refractory + dt and delay - dt: see brian2_common.py.
    cells = b2.NeuronGroup(N_E + N_I, "dv/dt = -v / tau : volt (unless refractory)",
                           threshold="v >= theta", reset="v = V_r",
                           refractory=(tau_refrac_ms + dt_ms) * ms, method="exact", name="cells")
    cells.v = "rand() * theta"
    exc, inh = cells[:N_E], cells[N_E:]
    on_pre = {"exc": "v_post += J * int(not_refractory_post)",
              "inh": "v_post += -g * J * int(not_refractory_post)"}
    projections = []
    for pre_name, pre, n_pre, c in [("exc", exc, N_E, C_E), ("inh", inh, N_I, C_I)]:
        for post_name, post in [("exc", exc), ("inh", inh)]:
            syn = b2.Synapses(pre, post, on_pre=on_pre[pre_name], delay=(delay_ms - dt_ms) * ms,
                              name=f"{pre_name}_to_{post_name}")
            if pre_name == post_name:
                # c of the other n_pre - 1 cells, without replacement: no autapses.
                syn.connect(i=f"k + int(k >= j) for k in sample({n_pre - 1}, size={c})")
            else:
                syn.connect(i=f"k for k in sample({n_pre}, size={c})")
            projections.append(syn)
    drive = b2.PoissonInput(cells, "v", N=C_E, rate=nu_ext, weight="J * int(not_refractory)")
    mon_e = b2.SpikeMonitor(exc, record=False)
    mon_i = b2.SpikeMonitor(inh, record=False)
    net = b2.Network(cells, *projections, drive, mon_e, mon_i)
    net.schedule = common.SCHEDULE
    namespace = {"tau": tau, "theta": theta, "V_r": V_r, "J": J, "g": g}
    result = common.build_and_run(b2, args, net, namespace, {"exc": mon_e, "inh": mon_i},
                                  lambda: sum(len(s) for s in projections))
    result["network"] = "brunel"
    result["neurons"] = N_E + N_I
    result["external_rate_hz_per_input"] = float(nu_ext / Hz)
    common.report(result, args)


if __name__ == "__main__":
    main()
