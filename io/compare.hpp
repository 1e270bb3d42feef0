#pragma once

// `ganglion compare`: how far apart two runs of one model are, in the statistics van
// Albada et al. (2018, Front. Neurosci. 12:291) used to compare NEST with SpiNNaker on
// the cortical microcircuit, measured against seed-to-seed variability.
//
// Per population, over the window (transient, T] after the transient:
//   - single-neuron firing rates (spikes/s) of every neuron, silent ones included;
//   - coefficients of variation of inter-spike intervals (neurons with >= 3 spikes);
//   - Pearson correlation coefficients of spike counts in bins, for all pairs of a
//     subset of neurons;
// and between two runs, per population and statistic, the Kolmogorov-Smirnov distance
// and the KL divergence of Gaussian-kernel-smoothed densities. The definitions are
// written once, next to each function, and repeated in the JSON output.
//
// Everything but read_run is a pure function of its arguments (no MPI, no files).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/spike_file.hpp"

namespace ganglion {

// A run that cannot be read: `path` is the file or directory at fault.
class run_input_error : public error {
  public:
    run_input_error(std::string path, const std::string& problem)
        : error("'" + path + "': " + problem), path_(std::move(path)) {}
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Two runs that cannot be compared (other populations, sizes or biological time).
class run_mismatch_error : public error {
  public:
    using error::error;
};

// The analysis window (t_start, t_stop] in ms. Spikes are stamped with the end of the
// step they occur in (ganglion writes (step + 1) * dt), so (t_start, t_stop] holds the
// steps that end after t_start, each once. Times within `tolerance_ms` of a bound are
// taken as on it: spike times computed as multiples of dt are off by a few ulp.
struct spike_window {
    double t_start = 0;  // ms
    double t_stop = 0;   // ms
    double duration_ms() const { return t_stop - t_start; }
    bool contains(double t) const {
        return t > t_start + tolerance_ms && t <= t_stop + tolerance_ms;
    }
    static constexpr double tolerance_ms = 1e-6;
};

// One population's spike trains in a window, per neuron (compressed rows): neuron i's
// spike times, sorted, are time[offset[i] .. offset[i + 1]).
struct neuron_trains {
    std::vector<std::size_t> offset;  // size + 1 entries
    std::vector<double> time;         // ms
    std::size_t size() const { return offset.empty() ? 0 : offset.size() - 1; }
    std::size_t count(std::size_t i) const { return offset[i + 1] - offset[i]; }
};

// The spikes of `trains` inside `window`, per neuron, for a population of `size`
// neurons (neurons without spikes have empty rows). A node id >= size throws
// run_mismatch_error naming `population`.
neuron_trains trains_in_window(const spike_trains& trains, std::uint64_t size,
                               const spike_window& window, const std::string& population);

// Spikes in the window divided by its duration, in spikes/s, for every neuron.
std::vector<double> firing_rates(const neuron_trains& trains, const spike_window& window);

// The least number of spikes in the window for a neuron to have a CV: 3 spikes, i.e. 2
// inter-spike intervals, the fewest for which a spread of intervals exists.
constexpr std::size_t min_spikes_for_cv = 3;

// CV = sd / mean of the neuron's inter-spike intervals inside the window, with the
// population standard deviation sqrt(mean((isi - mean isi)^2)) (as elephant's cv and
// scipy.stats.variation), for each neuron with >= min_spikes_for_cv spikes, in id order.
std::vector<double> isi_cvs(const neuron_trains& trains);

// Pearson correlation coefficients of spike counts in bins of `bin_ms`: bin k holds the
// spikes in (t_start + k bin, t_start + (k + 1) bin], k = 0 .. floor(duration / bin) - 1
// (a partial last bin is left out). The neurons: the first `n_neurons` by id with at
// least one spike in the window (deterministic; fewer if fewer fired). One coefficient
// per pair i < j, in (i, j) order; pairs where either count has zero variance are left
// out. Counts are integers, so the sums are exact and "zero variance" is exact too.
struct count_correlations {
    std::vector<double> coefficients;
    std::vector<std::uint64_t> neurons;  // the ids used
    std::size_t bins = 0;
    std::size_t excluded_pairs = 0;  // zero variance
};
count_correlations spike_count_correlations(const neuron_trains& trains, const spike_window& window,
                                            double bin_ms, std::size_t n_neurons);

// Kolmogorov-Smirnov distance sup_x |F_a(x) - F_b(x)| of the empirical CDFs (ties
// handled: both CDFs step at a shared value together). NaN if a sample is empty.
double ks_distance(std::vector<double> a, std::vector<double> b);

// Gaussian-kernel-smoothed densities of one or more samples on one common grid:
//   grid      kde_points points evenly spaced over [min - 3h, max + 3h] of the pooled
//             samples;
//   h         Silverman's rule of thumb on the pooled sample (R's bw.nrd0):
//             0.9 min(sd, IQR / 1.34) n^(-1/5), sd if IQR = 0; if sd = 0 too (every
//             value equal) h = 1e-3 max(|x|, 1), which only sets the width of the drawn
//             peak;
//   density   each sample's kernel density estimate at the grid points (per unit of x,
//             integrating to 1 over the grid).
// An empty sample gets an empty density; all samples empty gives an empty grid.
constexpr std::size_t kde_points = 256;
struct smoothed_densities {
    std::vector<double> grid;
    double bandwidth = 0;
    std::vector<std::vector<double>> density;  // one per sample, each on `grid`
};
smoothed_densities smooth(const std::vector<const std::vector<double>*>& samples);

// D_KL(A || B) = sum_i P_i ln(P_i / Q_i), in nats, of the smoothed histograms P, Q of a
// and b: the densities of smooth({a, b}) at the grid points, normalised to sum 1, each
// floored at kl_floor times its own largest value and renormalised (so disjoint samples
// give a large finite value, about ln(1 / kl_floor) = 23 nats, not infinity). 0 for
// identical samples, >= 0, not symmetric. NaN if a sample is empty.
constexpr double kl_floor = 1e-10;
double kl_divergence(const std::vector<double>& a, const std::vector<double>& b);

// ---- runs -------------------------------------------------------------------------------

// What compare needs from a `ganglion run` output directory.
struct run_population {
    std::string name;
    std::uint64_t size = 0;
    std::optional<std::uint64_t> spikes;  // summary.json's count (all spikes of the run)
};
struct run_data {
    std::string label;  // how the user named it
    std::string spike_file;
    std::string summary_file;
    double biological_time_ms = 0;
    double dt_ms = 0;
    std::vector<run_population> populations;  // summary.json's order
    std::map<std::string, spike_trains> spikes;
};

// Reads RUN: a directory holding spikes.h5 and summary.json, or a spike file whose
// directory holds summary.json. Throws run_input_error naming the file at fault.
run_data read_run(const std::string& run);

struct comparison_options {
    double transient_ms = 500;
    double bin_ms = 2;
    std::size_t n_corr = 200;
};

// The three statistics of one population in one run.
struct population_statistics {
    std::vector<double> rates;  // Hz, every neuron
    std::vector<double> cvs;    // neurons with >= min_spikes_for_cv spikes
    count_correlations correlations;
};
population_statistics compute_statistics(const neuron_trains& trains, const spike_window& window,
                                         const comparison_options& opt);

struct distances {
    double ks = 0;
    double kl = 0;
};

enum class statistic { rate, cv, correlation };
constexpr statistic all_statistics[] = {statistic::rate, statistic::cv, statistic::correlation};
const char* statistic_name(statistic s);  // "rate", "cv", "correlation"
const std::vector<double>& sample_of(const population_statistics& p, statistic s);

// The mean of a sample; NaN if it is empty.
double sample_mean(const std::vector<double>& x);

// Distance A vs B over distance A vs C (seed baseline): above 1, the runs differ more
// than two seeds do. NaN if either is NaN or both are 0; infinity if only A vs C is 0.
double distance_ratio(double ab, double ac);

struct population_comparison {
    std::string name;
    std::uint64_t size = 0;
    // A, B and, with a seed baseline, C.
    std::vector<population_statistics> runs;
    // Per statistic (all_statistics order): A vs B, and A vs C with a baseline.
    std::vector<distances> a_vs_b;
    std::vector<distances> a_vs_c;
};

struct comparison {
    comparison_options options;
    spike_window window;
    std::vector<const run_data*> runs;  // A, B, C
    std::vector<population_comparison> populations;
};

// Compares run a with run b (and the seed baseline c with a). The populations compared
// are those in the spike file of any run; one missing from a run's spike file counts as
// silent there if that run's summary.json counts 0 spikes for it, and is an error if not
// (it was not recorded). Throws run_mismatch_error when the runs have other populations,
// sizes or biological times, and error when the transient leaves no window or a bin is
// longer than the window.
comparison compare_runs(const run_data& a, const run_data& b, const run_data* c,
                        const comparison_options& opt);

// Everything, for tools/plot_compare.py: definitions, runs, and per population and
// statistic the samples, their means, the distances and the smoothed densities.
nlohmann::json to_json(const comparison& cmp);

}  // namespace ganglion
