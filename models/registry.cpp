#include "models/registry.hpp"

#include "core/neuron_population.hpp"
#include "models/connor_stevens.hpp"
#include "models/eif_cond_exp_isfa_ista.hpp"
#include "models/hh_cond_exp.hpp"
#include "models/if_cond_alpha.hpp"
#include "models/if_cond_exp.hpp"
#include "models/if_curr_alpha.hpp"
#include "models/if_curr_delta.hpp"
#include "models/if_curr_dual_exp.hpp"
#include "models/if_curr_exp.hpp"
#include "models/izhikevich.hpp"
#include "models/izhikevich_cond.hpp"
#include "models/netstim.hpp"
#include "models/spike_source_array.hpp"
#include "models/spike_source_gamma.hpp"
#include "models/spike_source_poisson.hpp"
#include "models/spinnaker/if_cond_exp.hpp"
#include "models/spinnaker/if_curr_alpha.hpp"
#include "models/spinnaker/if_curr_delta.hpp"
#include "models/spinnaker/if_curr_exp.hpp"
#include "models/spinnaker/izhikevich.hpp"
#include "models/spinnaker/izhikevich_cond.hpp"
#include "models/spinnaker/population.hpp"
#include "models/wang_buzsaki.hpp"

namespace ganglion {

namespace {
// Double model D with its SpiNNaker fixed-point version F.
template <class D, class F>
model_entry with_spinnaker() {
    model_entry e = make_model_entry<D>();
    e.spinnaker = models::spinnaker::make_spinnaker_version<F>();
    return e;
}
}  // namespace

void register_standard_models(model_registry& registry) {
    registry.add(with_spinnaker<models::if_curr_exp, models::spinnaker::if_curr_exp>());
    registry.add(with_spinnaker<models::if_cond_exp, models::spinnaker::if_cond_exp>());
    registry.add(with_spinnaker<models::if_curr_alpha, models::spinnaker::if_curr_alpha>());
    registry.add(make_model_entry<models::if_cond_alpha>());
    registry.add(with_spinnaker<models::if_curr_delta, models::spinnaker::if_curr_delta>());
    registry.add(make_model_entry<models::if_curr_dual_exp>());
    registry.add(with_spinnaker<models::izhikevich, models::spinnaker::izhikevich>());
    registry.add(with_spinnaker<models::izhikevich_cond, models::spinnaker::izhikevich_cond>());
    registry.add(make_model_entry<models::eif_cond_exp_isfa_ista>());
    registry.add(make_model_entry<models::hh_cond_exp>());
    registry.add(make_model_entry<models::connor_stevens>());
    registry.add(make_model_entry<models::wang_buzsaki>());
    registry.add(models::spike_source_poisson_entry());
    registry.add(models::spike_source_array_entry());
    registry.add(models::spike_source_gamma_entry());
    registry.add(models::netstim_entry());
}

}  // namespace ganglion
