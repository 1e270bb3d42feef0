#include "io/compare.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <numeric>
#include <set>
#include <sstream>

namespace ganglion {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Quantile of sorted data with linear interpolation between order statistics (R's type
// 7, numpy's default).
double quantile_sorted(const std::vector<double>& sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// A kernel density estimate at the grid points, from the sample's distinct values and
// their multiplicities (rates take few distinct values), summing only the values
// within 8 bandwidths (the kernel is below 1e-14 of its peak beyond).
std::vector<double> kernel_density(std::vector<double> sample, const std::vector<double>& grid,
                                   double h) {
    std::vector<double> out(grid.size(), 0.0);
    if (sample.empty()) return out;
    std::sort(sample.begin(), sample.end());
    std::vector<double> value;
    std::vector<double> weight;
    for (const double x : sample) {
        if (!value.empty() && value.back() == x)
            weight.back() += 1;
        else {
            value.push_back(x);
            weight.push_back(1);
        }
    }
    // Weights as fractions of the sample, so that samples with the same distribution
    // ({0, 0, 0} and {0, 0}) get bit-identical densities.
    for (auto& w : weight)
        w /= static_cast<double>(sample.size());
    const double reach = 8 * h;
    for (std::size_t g = 0; g < grid.size(); ++g) {
        const auto first = std::lower_bound(value.begin(), value.end(), grid[g] - reach);
        const auto last = std::upper_bound(first, value.end(), grid[g] + reach);
        double sum = 0;
        for (auto it = first; it != last; ++it) {
            const double z = (grid[g] - *it) / h;
            sum += weight[static_cast<std::size_t>(it - value.begin())] * std::exp(-0.5 * z * z);
        }
        out[g] = sum;
    }
    // Per unit of x, integrating to 1 over the grid (the tails beyond it are cut off).
    const double dx = grid.size() > 1 ? grid[1] - grid[0] : 1.0;
    const double total = std::accumulate(out.begin(), out.end(), 0.0) * dx;
    if (total > 0)
        for (auto& v : out)
            v /= total;
    return out;
}

// A smoothed histogram as probabilities summing to 1, floored at kl_floor times its
// largest value and renormalised.
std::vector<double> floored_probabilities(std::vector<double> density) {
    double total = std::accumulate(density.begin(), density.end(), 0.0);
    for (auto& v : density)
        v /= total;
    const double floor = kl_floor * *std::max_element(density.begin(), density.end());
    for (auto& v : density)
        v = std::max(v, floor);
    total = std::accumulate(density.begin(), density.end(), 0.0);
    for (auto& v : density)
        v /= total;
    return density;
}

// NaN and infinity (an undefined distance or ratio) as JSON null.
nlohmann::json json_number(double x) {
    if (!std::isfinite(x)) return nullptr;
    return x;
}

distances distances_between(const std::vector<double>& a, const std::vector<double>& b) {
    return {ks_distance(a, b), kl_divergence(a, b)};
}

}  // namespace

// ---- statistics -------------------------------------------------------------------------

neuron_trains trains_in_window(const spike_trains& trains, std::uint64_t size,
                               const spike_window& window, const std::string& population) {
    neuron_trains out;
    out.offset.assign(size + 1, 0);
    for (std::size_t k = 0; k < trains.node_ids.size(); ++k) {
        const std::uint64_t id = trains.node_ids[k];
        if (id >= size)
            throw run_mismatch_error(population + ": node id " + std::to_string(id) +
                                     " in the spike file, but the population has " +
                                     std::to_string(size) + " neurons (summary.json)");
        if (window.contains(trains.timestamps[k])) ++out.offset[id + 1];
    }
    std::partial_sum(out.offset.begin(), out.offset.end(), out.offset.begin());
    out.time.resize(out.offset.back());
    std::vector<std::size_t> next(out.offset.begin(), out.offset.end() - 1);
    for (std::size_t k = 0; k < trains.node_ids.size(); ++k)
        if (window.contains(trains.timestamps[k]))
            out.time[next[trains.node_ids[k]]++] = trains.timestamps[k];
    // SONATA files sorted by time give sorted rows already; others need this.
    for (std::size_t i = 0; i < size; ++i)
        std::sort(out.time.begin() + static_cast<std::ptrdiff_t>(out.offset[i]),
                  out.time.begin() + static_cast<std::ptrdiff_t>(out.offset[i + 1]));
    return out;
}

std::vector<double> firing_rates(const neuron_trains& trains, const spike_window& window) {
    const double seconds = window.duration_ms() * 1e-3;
    std::vector<double> rates(trains.size());
    for (std::size_t i = 0; i < trains.size(); ++i)
        rates[i] = static_cast<double>(trains.count(i)) / seconds;
    return rates;
}

std::vector<double> isi_cvs(const neuron_trains& trains) {
    std::vector<double> cvs;
    for (std::size_t i = 0; i < trains.size(); ++i) {
        const std::size_t n = trains.count(i);
        if (n < min_spikes_for_cv) continue;
        const double* t = trains.time.data() + trains.offset[i];
        const auto intervals = static_cast<double>(n - 1);
        double sum = 0;
        for (std::size_t k = 1; k < n; ++k)
            sum += t[k] - t[k - 1];
        const double mean = sum / intervals;
        if (!(mean > 0)) continue;  // every spike at one time: no interval to speak of
        double ss = 0;
        for (std::size_t k = 1; k < n; ++k) {
            const double d = (t[k] - t[k - 1]) - mean;
            ss += d * d;
        }
        cvs.push_back(std::sqrt(ss / intervals) / mean);
    }
    return cvs;
}

count_correlations spike_count_correlations(const neuron_trains& trains, const spike_window& window,
                                            double bin_ms, std::size_t n_neurons) {
    count_correlations out;
    // Whole bins only; the tolerance keeps a window of exactly k bins at k bins.
    out.bins = static_cast<std::size_t>(
        std::floor((window.duration_ms() + spike_window::tolerance_ms) / bin_ms));
    for (std::size_t i = 0; i < trains.size() && out.neurons.size() < n_neurons; ++i)
        if (trains.count(i) > 0) out.neurons.push_back(i);
    if (out.bins == 0) return out;

    // Each neuron's counts as sparse (bin, count) runs: spikes are few per bin.
    struct sparse_counts {
        std::vector<std::int64_t> bin;
        std::vector<std::int64_t> count;
        std::int64_t total = 0;    // C = sum of counts
        std::int64_t squares = 0;  // S = sum of squared counts
    };
    const auto n_bins = static_cast<std::int64_t>(out.bins);
    std::vector<sparse_counts> counts(out.neurons.size());
    for (std::size_t s = 0; s < out.neurons.size(); ++s) {
        const std::size_t i = out.neurons[s];
        auto& c = counts[s];
        for (std::size_t k = trains.offset[i]; k < trains.offset[i + 1]; ++k) {
            // Bin k holds (t_start + k bin, t_start + (k + 1) bin].
            const auto b =
                static_cast<std::int64_t>(std::ceil(
                    (trains.time[k] - window.t_start - spike_window::tolerance_ms) / bin_ms)) -
                1;
            if (b < 0 || b >= n_bins) continue;
            if (!c.bin.empty() && c.bin.back() == b)
                ++c.count.back();
            else {
                c.bin.push_back(b);
                c.count.push_back(1);
            }
        }
        for (const auto n : c.count) {
            c.total += n;
            c.squares += n * n;
        }
    }
    // r = (N S_ij - C_i C_j) / sqrt((N S_ii - C_i^2)(N S_jj - C_j^2)), N bins, all in
    // exact integer arithmetic up to the last division.
    std::vector<std::int64_t> variance(counts.size());
    for (std::size_t s = 0; s < counts.size(); ++s)
        variance[s] = n_bins * counts[s].squares - counts[s].total * counts[s].total;
    for (std::size_t s = 0; s < counts.size(); ++s)
        for (std::size_t u = s + 1; u < counts.size(); ++u) {
            if (variance[s] == 0 || variance[u] == 0) {
                ++out.excluded_pairs;
                continue;
            }
            const auto& x = counts[s];
            const auto& y = counts[u];
            std::int64_t products = 0;
            std::size_t p = 0, q = 0;
            while (p < x.bin.size() && q < y.bin.size()) {
                if (x.bin[p] < y.bin[q])
                    ++p;
                else if (y.bin[q] < x.bin[p])
                    ++q;
                else
                    products += x.count[p++] * y.count[q++];
            }
            const std::int64_t covariance = n_bins * products - x.total * y.total;
            out.coefficients.push_back(
                static_cast<double>(covariance) /
                std::sqrt(static_cast<double>(variance[s]) * static_cast<double>(variance[u])));
        }
    return out;
}

double ks_distance(std::vector<double> a, std::vector<double> b) {
    if (a.empty() || b.empty()) return nan;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    const auto na = static_cast<double>(a.size());
    const auto nb = static_cast<double>(b.size());
    std::size_t i = 0, j = 0;
    double d = 0;
    // Step both CDFs past each distinct value, then compare: ties step together.
    while (i < a.size() && j < b.size()) {
        const double x = std::min(a[i], b[j]);
        while (i < a.size() && a[i] == x)
            ++i;
        while (j < b.size() && b[j] == x)
            ++j;
        d = std::max(d, std::abs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
    }
    return d;
}

smoothed_densities smooth(const std::vector<const std::vector<double>*>& samples) {
    smoothed_densities out;
    std::vector<double> pooled;
    for (const auto* s : samples)
        pooled.insert(pooled.end(), s->begin(), s->end());
    out.density.resize(samples.size());
    if (pooled.empty()) return out;
    std::sort(pooled.begin(), pooled.end());
    const auto n = static_cast<double>(pooled.size());
    const double mean = sample_mean(pooled);
    double ss = 0;
    for (const double x : pooled)
        ss += (x - mean) * (x - mean);
    const double sd = pooled.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
    const double iqr = quantile_sorted(pooled, 0.75) - quantile_sorted(pooled, 0.25);
    double spread = std::min(sd, iqr / 1.34);
    if (!(spread > 0)) spread = sd;
    out.bandwidth = spread > 0 ? 0.9 * spread * std::pow(n, -0.2)
                               : 1e-3 * std::max(std::abs(pooled.front()), 1.0);
    const double lo = pooled.front() - 3 * out.bandwidth;
    const double hi = pooled.back() + 3 * out.bandwidth;
    out.grid.resize(kde_points);
    for (std::size_t g = 0; g < kde_points; ++g)
        out.grid[g] = lo + (hi - lo) * static_cast<double>(g) / static_cast<double>(kde_points - 1);
    for (std::size_t s = 0; s < samples.size(); ++s)
        if (!samples[s]->empty())
            out.density[s] = kernel_density(*samples[s], out.grid, out.bandwidth);
    return out;
}

double kl_divergence(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.empty() || b.empty()) return nan;
    const smoothed_densities s = smooth({&a, &b});
    const std::vector<double> p = floored_probabilities(s.density[0]);
    const std::vector<double> q = floored_probabilities(s.density[1]);
    double kl = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        kl += p[i] * std::log(p[i] / q[i]);
    return std::max(kl, 0.0);  // rounding can leave -1e-17 for near-identical samples
}

population_statistics compute_statistics(const neuron_trains& trains, const spike_window& window,
                                         const comparison_options& opt) {
    population_statistics s;
    s.rates = firing_rates(trains, window);
    s.cvs = isi_cvs(trains);
    s.correlations = spike_count_correlations(trains, window, opt.bin_ms, opt.n_corr);
    return s;
}

const char* statistic_name(statistic s) {
    switch (s) {
        case statistic::rate:
            return "rate";
        case statistic::cv:
            return "cv";
        case statistic::correlation:
            return "correlation";
    }
    return "?";
}

const std::vector<double>& sample_of(const population_statistics& p, statistic s) {
    switch (s) {
        case statistic::rate:
            return p.rates;
        case statistic::cv:
            return p.cvs;
        case statistic::correlation:
            return p.correlations.coefficients;
    }
    throw internal_error("sample_of: unknown statistic");
}

double sample_mean(const std::vector<double>& x) {
    if (x.empty()) return nan;
    return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double distance_ratio(double ab, double ac) {
    if (std::isnan(ab) || std::isnan(ac)) return nan;
    if (ac == 0) return ab == 0 ? nan : std::numeric_limits<double>::infinity();
    return ab / ac;
}

// ---- runs -------------------------------------------------------------------------------

run_data read_run(const std::string& run) {
    namespace fs = std::filesystem;
    const fs::path path(run);
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw run_input_error(run,
                              "no such file or directory (give a `ganglion run` output directory, "
                              "or the spikes.h5 in it)");
    run_data r;
    r.label = run;
    const bool dir = fs::is_directory(path, ec);
    const fs::path parent = dir ? path : (path.has_parent_path() ? path.parent_path() : ".");
    r.spike_file = (dir ? path / "spikes.h5" : path).string();
    r.summary_file = (parent / "summary.json").string();
    if (!fs::exists(r.summary_file, ec))
        throw run_input_error(r.summary_file,
                              "no such file: compare needs the summary.json that `ganglion run` "
                              "writes next to spikes.h5 (population sizes, biological time)");
    if (!fs::exists(r.spike_file, ec))
        throw run_input_error(r.spike_file,
                              "no such file: the run recorded no spikes (add \"record\": "
                              "[\"spikes\"] to the populations to compare)");

    nlohmann::json summary;
    {
        std::ifstream in(r.summary_file);
        if (!in) throw run_input_error(r.summary_file, "cannot be opened for reading");
        try {
            summary = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            throw run_input_error(r.summary_file, std::string("not valid JSON: ") + e.what());
        }
    }
    const auto number = [&](const char* key) {
        if (!summary.is_object() || !summary.contains(key) || !summary[key].is_number())
            throw run_input_error(r.summary_file,
                                  std::string("no number '") + key +
                                      "' (not a summary.json written by `ganglion run`?)");
        return summary[key].get<double>();
    };
    r.biological_time_ms = number("biological_time_ms");
    r.dt_ms = number("dt_ms");
    if (!summary.contains("populations") || !summary["populations"].is_array())
        throw run_input_error(r.summary_file, "no array 'populations'");
    for (std::size_t k = 0; k < summary["populations"].size(); ++k) {
        const auto& p = summary["populations"][k];
        const std::string where = "populations[" + std::to_string(k) + "]";
        if (!p.is_object() || !p.contains("name") || !p["name"].is_string() ||
            !p.contains("size") || !p["size"].is_number_unsigned())
            throw run_input_error(r.summary_file,
                                  where + ": needs a string 'name' and an unsigned 'size'");
        run_population pop;
        pop.name = p["name"].get<std::string>();
        pop.size = p["size"].get<std::uint64_t>();
        if (p.contains("spikes") && p["spikes"].is_number_unsigned())
            pop.spikes = p["spikes"].get<std::uint64_t>();
        r.populations.push_back(std::move(pop));
    }

    r.spikes = read_sonata_spikes(r.spike_file);
    for (const auto& [name, trains] : r.spikes)
        if (std::none_of(r.populations.begin(), r.populations.end(),
                         [&, &name = name](const run_population& p) { return p.name == name; }))
            throw run_input_error(r.spike_file, "population '" + name + "' is not in " +
                                                    r.summary_file +
                                                    " (spike file and summary of other runs?)");
    return r;
}

namespace {

const char* run_letter(std::size_t k) {
    static const char* letters[] = {"A", "B", "C"};
    return letters[k];
}

// The populations of two runs' summaries must be the same (names and sizes).
void check_same_populations(const run_data& a, const run_data& other, const char* letter) {
    std::ostringstream problems;
    const auto find = [](const run_data& r, const std::string& name) -> const run_population* {
        for (const auto& p : r.populations)
            if (p.name == name) return &p;
        return nullptr;
    };
    for (const auto& p : a.populations) {
        const run_population* q = find(other, p.name);
        if (!q)
            problems << "; '" << p.name << "' (" << p.size << " neurons) is in A but not in "
                     << letter;
        else if (q->size != p.size)
            problems << "; '" << p.name << "' has " << p.size << " neurons in A, " << q->size
                     << " in " << letter;
    }
    for (const auto& q : other.populations)
        if (!find(a, q.name))
            problems << "; '" << q.name << "' (" << q.size << " neurons) is in " << letter
                     << " but not in A";
    if (!problems.str().empty())
        throw run_mismatch_error("runs A (" + a.summary_file + ") and " + letter + " (" +
                                 other.summary_file +
                                 ") have other populations: " + problems.str().substr(2));
    const double ta = a.biological_time_ms;
    const double tb = other.biological_time_ms;
    if (std::abs(ta - tb) > 1e-9 * std::max({1.0, std::abs(ta), std::abs(tb)})) {
        std::ostringstream msg;
        msg << "runs A (" << a.summary_file << ") and " << letter << " (" << other.summary_file
            << ") simulated other biological times: " << ta << " ms and " << tb
            << " ms (run both to the same tstop)";
        throw run_mismatch_error(msg.str());
    }
}

}  // namespace

comparison compare_runs(const run_data& a, const run_data& b, const run_data* c,
                        const comparison_options& opt) {
    comparison out;
    out.options = opt;
    out.runs = {&a, &b};
    if (c) out.runs.push_back(c);
    for (std::size_t k = 1; k < out.runs.size(); ++k)
        check_same_populations(a, *out.runs[k], run_letter(k));

    const double t_stop = a.biological_time_ms;
    if (!(opt.transient_ms < t_stop)) {
        std::ostringstream msg;
        msg << "--transient " << opt.transient_ms << " ms leaves nothing of the " << t_stop
            << " ms the runs simulated: give a transient shorter than that";
        throw error(msg.str());
    }
    out.window = {opt.transient_ms, t_stop};
    if (opt.bin_ms > out.window.duration_ms() + spike_window::tolerance_ms) {
        std::ostringstream msg;
        msg << "--bin " << opt.bin_ms << " ms is longer than the window (" << opt.transient_ms
            << ", " << t_stop << "] ms after the transient";
        throw error(msg.str());
    }

    for (const auto& pop : a.populations) {
        if (std::none_of(out.runs.begin(), out.runs.end(),
                         [&](const run_data* r) { return r->spikes.count(pop.name) > 0; }))
            continue;  // recorded in no run
        population_comparison pc;
        pc.name = pop.name;
        pc.size = pop.size;
        for (std::size_t k = 0; k < out.runs.size(); ++k) {
            const run_data& r = *out.runs[k];
            const auto it = r.spikes.find(pop.name);
            spike_trains none;
            if (it == r.spikes.end()) {
                // Silent if the summary counts no spike; else it was not recorded.
                const auto s =
                    std::find_if(r.populations.begin(), r.populations.end(),
                                 [&](const run_population& p) { return p.name == pop.name; });
                if (!s->spikes || *s->spikes != 0)
                    throw run_mismatch_error("population '" + pop.name +
                                             "' is in the spike file of another run but "
                                             "not in " +
                                             std::string(run_letter(k)) + "'s (" + r.spike_file +
                                             "), "
                                             "and " +
                                             r.summary_file +
                                             " does not count it as silent: record its "
                                             "spikes in every run");
            }
            const spike_trains& trains = it == r.spikes.end() ? none : it->second;
            const neuron_trains in_window = trains_in_window(
                trains, pop.size, out.window,
                "population '" + pop.name + "' of " + run_letter(k) + " (" + r.spike_file + ")");
            pc.runs.push_back(compute_statistics(in_window, out.window, opt));
        }
        for (const statistic s : all_statistics) {
            pc.a_vs_b.push_back(
                distances_between(sample_of(pc.runs[0], s), sample_of(pc.runs[1], s)));
            if (c)
                pc.a_vs_c.push_back(
                    distances_between(sample_of(pc.runs[0], s), sample_of(pc.runs[2], s)));
        }
        out.populations.push_back(std::move(pc));
    }
    if (out.populations.empty())
        throw run_mismatch_error("no population has spikes recorded in " + a.spike_file +
                                 " or the other runs' spike files: nothing to compare");
    return out;
}

// ---- JSON -------------------------------------------------------------------------------

nlohmann::json to_json(const comparison& cmp) {
    using nlohmann::json;
    json j;
    j["format"] = "ganglion compare 1";
    j["definitions"] = {
        {"window",
         "spikes with transient < t <= biological time (ms); spikes are stamped with "
         "the end of their step"},
        {"rate",
         "spikes in the window / window duration (Hz), every neuron of the population, "
         "silent ones included"},
        {"cv",
         "sd / mean of the inter-spike intervals in the window (population sd, "
         "sqrt(mean((isi - mean)^2))), for neurons with >= 3 spikes in the window"},
        {"correlation",
         "Pearson correlation coefficient of spike counts in bins (t0 + k bin, "
         "t0 + (k+1) bin] over the whole bins of the window, for all pairs of the "
         "first n_corr neurons by id with >= 1 spike in the window; pairs where "
         "either count has zero variance are left out"},
        {"ks", "Kolmogorov-Smirnov distance sup_x |F_A(x) - F_B(x)| of the empirical CDFs"},
        {"kl",
         "D_KL(A||B) = sum_i P_i ln(P_i / Q_i) in nats; P, Q: Gaussian kernel density "
         "estimates of A and B on a common grid of 256 points over [min - 3h, max + 3h] "
         "of the pooled sample, h = Silverman's rule 0.9 min(sd, IQR/1.34) n^(-1/5) of "
         "the pooled sample (sd if IQR = 0), normalised to sum 1, each floored at 1e-10 "
         "times its maximum and renormalised"},
        {"ratio",
         "distance A vs B / distance A vs C (seed baseline); > 1: the runs differ more "
         "than two seeds do; null when undefined or A vs C is 0"},
        {"smoothed",
         "for drawing: the kernel density estimates (per unit of x) of every run "
         "on one grid, built as for kl from the samples of all runs"}};
    j["options"] = {{"transient_ms", cmp.options.transient_ms},
                    {"bin_ms", cmp.options.bin_ms},
                    {"n_corr", cmp.options.n_corr}};
    j["window_ms"] = {cmp.window.t_start, cmp.window.t_stop};
    for (std::size_t k = 0; k < cmp.runs.size(); ++k) {
        const run_data& r = *cmp.runs[k];
        j["runs"][run_letter(k)] = {{"run", r.label},
                                    {"spike_file", r.spike_file},
                                    {"summary_file", r.summary_file},
                                    {"dt_ms", r.dt_ms},
                                    {"biological_time_ms", r.biological_time_ms}};
    }
    j["populations"] = json::array();
    const bool baseline = cmp.runs.size() > 2;
    for (const auto& pc : cmp.populations) {
        json p = {{"name", pc.name}, {"size", pc.size}};
        for (std::size_t si = 0; si < std::size(all_statistics); ++si) {
            const statistic s = all_statistics[si];
            json st;
            st["unit"] = s == statistic::rate ? "Hz" : "";
            std::vector<const std::vector<double>*> samples;
            for (std::size_t k = 0; k < pc.runs.size(); ++k) {
                const std::vector<double>& x = sample_of(pc.runs[k], s);
                samples.push_back(&x);
                json run = {{"n", x.size()}, {"mean", json_number(sample_mean(x))}, {"samples", x}};
                if (s == statistic::correlation) {
                    run["neurons"] = pc.runs[k].correlations.neurons;
                    run["bins"] = pc.runs[k].correlations.bins;
                    run["excluded_pairs"] = pc.runs[k].correlations.excluded_pairs;
                }
                st[run_letter(k)] = std::move(run);
            }
            st["A_vs_B"] = {{"ks", json_number(pc.a_vs_b[si].ks)},
                            {"kl", json_number(pc.a_vs_b[si].kl)}};
            if (baseline) {
                st["A_vs_C"] = {{"ks", json_number(pc.a_vs_c[si].ks)},
                                {"kl", json_number(pc.a_vs_c[si].kl)}};
                st["ratio"] = {
                    {"ks", json_number(distance_ratio(pc.a_vs_b[si].ks, pc.a_vs_c[si].ks))},
                    {"kl", json_number(distance_ratio(pc.a_vs_b[si].kl, pc.a_vs_c[si].kl))}};
            }
            const smoothed_densities sm = smooth(samples);
            json smoothed = {{"grid", sm.grid}, {"bandwidth", sm.bandwidth}};
            for (std::size_t k = 0; k < pc.runs.size(); ++k)
                smoothed[run_letter(k)] = sm.density[k];
            st["smoothed"] = std::move(smoothed);
            p[statistic_name(s)] = std::move(st);
        }
        j["populations"].push_back(std::move(p));
    }
    return j;
}

}  // namespace ganglion
