// `ganglion compare`: the statistics against spike trains whose rates, CVs and
// correlations are known by construction (Poisson, regular, a shared mother process),
// the distances against hand-worked and analytic values, and two runs end to end
// (spike files and summaries on disk, the functions and the `ganglion` binary).

#include "io/compare.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "comm/serial_communicator.hpp"
#include "core/error.hpp"
#include "io/spike_file.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ganglion;

using trains_per_neuron = std::vector<std::vector<double>>;

// Spike trains as a SONATA file holds them: one list, sorted by time then node id.
spike_trains flatten(const trains_per_neuron& trains) {
    std::vector<std::pair<double, std::uint64_t>> all;
    for (std::size_t i = 0; i < trains.size(); ++i)
        for (const double t : trains[i])
            all.emplace_back(t, i);
    std::sort(all.begin(), all.end());
    spike_trains out;
    for (const auto& [t, i] : all) {
        out.node_ids.push_back(i);
        out.timestamps.push_back(t);
    }
    return out;
}

// A Poisson train of `rate_hz` on (0, t_stop] ms.
std::vector<double> poisson_train(double rate_hz, double t_stop, std::mt19937_64& rng) {
    std::vector<double> t;
    if (rate_hz <= 0) return t;
    std::exponential_distribution<double> isi(rate_hz * 1e-3);
    for (double now = isi(rng); now <= t_stop; now += isi(rng))
        t.push_back(now);
    return t;
}

trains_per_neuron poisson_trains(std::size_t n, double rate_hz, double t_stop,
                                 std::mt19937_64& rng) {
    trains_per_neuron out(n);
    for (auto& t : out)
        t = poisson_train(rate_hz, t_stop, rng);
    return out;
}

neuron_trains in_window(const trains_per_neuron& trains, const spike_window& w) {
    return trains_in_window(flatten(trains), trains.size(), w, "test");
}

double mean(const std::vector<double>& x) {
    return sample_mean(x);
}

// ---- rates and CVs ----------------------------------------------------------------------

TEST(CompareStatistics, PoissonRateWithinThreeStandardErrorsAndCvNearOne) {
    std::mt19937_64 rng(20180291);
    const std::size_t n = 100;
    const double rate = 20, t_stop = 10000;
    const spike_window w{0, t_stop};
    const neuron_trains trains = in_window(poisson_trains(n, rate, t_stop, rng), w);
    const std::vector<double> rates = firing_rates(trains, w);
    ASSERT_EQ(rates.size(), n);
    // A neuron's count over D seconds is Poisson(rate D): the mean of n rates has
    // standard error sqrt(rate / (D n)).
    const double se = std::sqrt(rate / (t_stop * 1e-3 * static_cast<double>(n)));
    EXPECT_NEAR(mean(rates), rate, 3 * se);
    // Exponential intervals have CV 1; ~200 intervals per neuron, 100 neurons.
    const std::vector<double> cvs = isi_cvs(trains);
    EXPECT_EQ(cvs.size(), n);
    EXPECT_NEAR(mean(cvs), 1.0, 0.03);
}

TEST(CompareStatistics, RegularTrainsHaveExactRatesAndZeroCv) {
    const double t_stop = 1000;
    const std::vector<double> periods = {10, 20, 25, 40};  // ms, exact in binary
    trains_per_neuron trains;
    for (const double p : periods) {
        std::vector<double> t;
        for (double now = p / 2; now <= t_stop; now += p)
            t.push_back(now);
        trains.push_back(t);
    }
    const spike_window w{0, t_stop};
    const neuron_trains nt = in_window(trains, w);
    const std::vector<double> rates = firing_rates(nt, w);
    const std::vector<double> cvs = isi_cvs(nt);
    ASSERT_EQ(rates.size(), periods.size());
    ASSERT_EQ(cvs.size(), periods.size());
    for (std::size_t i = 0; i < periods.size(); ++i) {
        EXPECT_EQ(rates[i], 1000.0 / periods[i]) << "period " << periods[i];
        EXPECT_EQ(cvs[i], 0.0) << "period " << periods[i];
    }
}

TEST(CompareStatistics, CvNeedsThreeSpikesInTheWindow) {
    // Neuron 0: 2 spikes (1 interval): no CV. Neuron 1: 3 spikes, intervals 10 and 30:
    // mean 20, population sd 10, CV 0.5.
    const spike_window w{0, 100};
    const neuron_trains nt = in_window({{10, 20}, {10, 20, 50}}, w);
    const std::vector<double> cvs = isi_cvs(nt);
    ASSERT_EQ(cvs.size(), 1u);
    EXPECT_DOUBLE_EQ(cvs[0], 0.5);
}

TEST(CompareStatistics, TransientSpikesAreIgnored) {
    // Window (500, 1000]: the spikes at 100..500 are left out (500 too: a spike stamped
    // 500 belongs to the step ending at 500), the one at 1000 is in.
    const spike_window w{500, 1000};
    const neuron_trains nt = in_window({{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}}, w);
    ASSERT_EQ(nt.count(0), 5u);
    EXPECT_EQ(firing_rates(nt, w)[0], 10.0);  // 5 spikes in 0.5 s
    // The interval 500 -> 600 straddling the transient is not an interval of the window:
    // 100 ms apart throughout, CV 0.
    const std::vector<double> cvs = isi_cvs(nt);
    ASSERT_EQ(cvs.size(), 1u);
    EXPECT_EQ(cvs[0], 0.0);
    // The same train with irregular spikes before the transient: still CV 0.
    const neuron_trains irregular = in_window({{1, 2, 3, 250, 480, 600, 700, 800, 900, 1000}}, w);
    EXPECT_EQ(isi_cvs(irregular)[0], 0.0);
}

TEST(CompareStatistics, SilentNeuronsCountInRates) {
    // Ten neurons, one of which fires 10 spikes in 1 s: mean rate 1 Hz, not 10.
    trains_per_neuron trains(10);
    for (int k = 1; k <= 10; ++k)
        trains[2].push_back(100.0 * k - 50);
    const spike_window w{0, 1000};
    const std::vector<double> rates = firing_rates(in_window(trains, w), w);
    ASSERT_EQ(rates.size(), 10u);
    EXPECT_EQ(std::count(rates.begin(), rates.end(), 0.0), 9);
    EXPECT_EQ(rates[2], 10.0);
    EXPECT_DOUBLE_EQ(mean(rates), 1.0);
    // Trailing silent neurons that never appear in the file count too.
    const neuron_trains wide = trains_in_window(flatten(trains), 40, w, "test");
    EXPECT_DOUBLE_EQ(mean(firing_rates(wide, w)), 0.25);
}

TEST(CompareStatistics, NodeIdBeyondThePopulationIsAnError) {
    const spike_window w{0, 1000};
    EXPECT_THROW(trains_in_window(flatten({{}, {}, {5}}), 2, w, "population 'x'"),
                 run_mismatch_error);
}

// ---- correlations -----------------------------------------------------------------------

// A mother Poisson process of rate m; each neuron copies each mother spike with
// probability c and adds independent Poisson spikes of rate r. In a bin of width b a
// neuron's count is n_i = X_i + Y_i, X_i the copied mother spikes (the mother count M ~
// Poisson(m b) thinned with probability c, so X_i ~ Poisson(c m b)) and Y_i ~ Poisson(r
// b), independent of everything else. Then
//   Var n_i = c m b + r b,
//   Cov(n_i, n_j) = Cov(X_i, X_j) = E[Cov(X_i, X_j | M)] + Cov(E[X_i|M], E[X_j|M])
//                 = 0 + c^2 Var M = c^2 m b,
// so the count correlation is rho = c^2 m / (c m + r), whatever the bin width (copies
// of one mother spike share its time, so they always share a bin).
TEST(CompareStatistics, SharedMotherProcessGivesThePredictedCorrelation) {
    std::mt19937_64 rng(7);
    const double m = 50, c = 0.4, r = 10, t_stop = 20000;
    const std::size_t n = 40;
    const std::vector<double> mother = poisson_train(m, t_stop, rng);
    std::bernoulli_distribution copy(c);
    trains_per_neuron trains(n);
    for (auto& t : trains) {
        for (const double s : mother)
            if (copy(rng)) t.push_back(s);
        const std::vector<double> own = poisson_train(r, t_stop, rng);
        t.insert(t.end(), own.begin(), own.end());
        std::sort(t.begin(), t.end());
    }
    const spike_window w{0, t_stop};
    const count_correlations cc = spike_count_correlations(in_window(trains, w), w, 2.0, 200);
    EXPECT_EQ(cc.bins, 10000u);
    EXPECT_EQ(cc.neurons.size(), n);
    ASSERT_EQ(cc.coefficients.size(), n * (n - 1) / 2);
    const double predicted = c * c * m / (c * m + r);  // 8 / 30
    // Each coefficient has a standard error of about 1/sqrt(bins) = 0.01; the mean over
    // pairs sharing one mother process scatters less than that.
    EXPECT_NEAR(mean(cc.coefficients), predicted, 0.02);
    // Also with 5 ms bins (the prediction does not depend on the bin).
    const count_correlations c5 = spike_count_correlations(in_window(trains, w), w, 5.0, 200);
    EXPECT_NEAR(mean(c5.coefficients), predicted, 0.02);
}

TEST(CompareStatistics, IndependentTrainsAreUncorrelated) {
    std::mt19937_64 rng(11);
    const double t_stop = 20000;
    const spike_window w{0, t_stop};
    const count_correlations cc =
        spike_count_correlations(in_window(poisson_trains(50, 20, t_stop, rng), w), w, 2.0, 200);
    ASSERT_EQ(cc.coefficients.size(), 50u * 49 / 2);
    // 1225 coefficients of standard error 1/sqrt(10000) = 0.01 each, nearly
    // uncorrelated: their mean has a standard error of 0.01 / 35 = 0.0003.
    EXPECT_NEAR(mean(cc.coefficients), 0.0, 0.001);
    double ss = 0;
    for (const double x : cc.coefficients)
        ss += x * x;
    EXPECT_NEAR(std::sqrt(ss / 1225.0), 0.01, 0.002);
}

TEST(CompareStatistics, CorrelationSubsetIsTheFirstNeuronsWithSpikes) {
    // Bins (0, 2], (2, 4], ... of a 100 ms window: 50 bins.
    const spike_window w{0, 100};
    trains_per_neuron trains(8);
    // Neuron 0: silent. Neuron 1: spikes only at or before the window's start. Neuron 2:
    // one spike at every bin's right edge (2, 4, ..., 100), so every bin counts 1: zero
    // variance, its pairs are left out. Neurons 3, 4, 6, 7: irregular. Neuron 5: silent.
    trains[1] = {-3, 0};
    for (int k = 1; k <= 50; ++k)
        trains[2].push_back(2.0 * k);
    trains[3] = {1, 1.5, 7, 33, 34};
    trains[4] = {1.2, 9, 40, 71};
    trains[6] = {3, 5, 88};
    trains[7] = {50};
    const count_correlations cc = spike_count_correlations(in_window(trains, w), w, 2.0, 4);
    EXPECT_EQ(cc.bins, 50u);
    EXPECT_EQ(cc.neurons, (std::vector<std::uint64_t>{2, 3, 4, 6}));
    EXPECT_EQ(cc.excluded_pairs, 3u);       // (2,3), (2,4), (2,6)
    ASSERT_EQ(cc.coefficients.size(), 3u);  // (3,4), (3,6), (4,6)
    // (3, 4) by hand: neuron 3 counts 2 in bin 0 (1, 1.5), 1 in bin 3 (7) and 2 in bin 16
    // (33, 34 in (32, 34]); neuron 4 counts 1 in bins 0, 4, 19 and 35. Sums over the 50
    // bins: C3 = 5, S33 = 4 + 1 + 4 = 9, C4 = 4, S44 = 4, S34 = 2 * 1 (bin 0) = 2.
    // r = (50 * 2 - 5 * 4) / sqrt((50 * 9 - 25) (50 * 4 - 16)) = 80 / sqrt(425 * 184).
    EXPECT_NEAR(cc.coefficients[0], 80 / std::sqrt(425.0 * 184.0), 1e-12);
}

// ---- distances --------------------------------------------------------------------------

TEST(CompareDistances, KsOfIdenticalSamplesIsZeroOfDisjointOne) {
    const std::vector<double> a = {3, 1, 4, 1, 5, 9, 2, 6};
    EXPECT_EQ(ks_distance(a, a), 0.0);
    EXPECT_EQ(ks_distance(a, {10, 11, 12}), 1.0);
    EXPECT_EQ(ks_distance({10, 11, 12}, a), 1.0);
    EXPECT_TRUE(std::isnan(ks_distance(a, {})));
}

TEST(CompareDistances, KsAgainstHandWorkedExamples) {
    // F_A steps to 1/3, 2/3, 1 at 1, 2, 3; F_B to 1/2, 1 at 2.5, 4. On [2, 2.5):
    // 2/3 - 0 = 2/3, the largest gap.
    EXPECT_DOUBLE_EQ(ks_distance({1, 2, 3}, {2.5, 4}), 2.0 / 3.0);
    // Ties: both CDFs step together at 2 (F_A 1/4 -> 3/4, F_B 0 -> 2/3). Gaps: 1/4 on
    // [1, 2), 1/12 on [2, 3), 1/3 on [3, 4): 1/3 (scipy.stats.ks_2samp gives the same).
    EXPECT_DOUBLE_EQ(ks_distance({1, 2, 2, 3}, {2, 2, 4}), 1.0 / 3.0);
}

TEST(CompareDistances, KlOfIdenticalSamplesIsZero) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> g(5, 2);
    std::vector<double> a(1000);
    for (auto& x : a)
        x = g(rng);
    EXPECT_EQ(kl_divergence(a, a), 0.0);
    // Every value equal (regular trains' CVs): 0 too.
    EXPECT_EQ(kl_divergence({0, 0, 0}, {0, 0}), 0.0);
    EXPECT_TRUE(std::isnan(kl_divergence(a, {})));
}

TEST(CompareDistances, KlIsPositiveAsymmetricAndNearTheGaussianValue) {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> a(10000), b(10000);
    for (auto& x : a)
        x = g(rng);
    for (auto& x : b)
        x = 1 + 2 * g(rng);
    const double ab = kl_divergence(a, b);
    const double ba = kl_divergence(b, a);
    EXPECT_GT(ab, 0);
    EXPECT_GT(ba, 0);
    EXPECT_GT(std::abs(ab - ba), 0.1);
    // D_KL(N(0,1) || N(1,4)) = ln 2 + (1 + 1) / 8 - 1/2 = 0.4431. Smoothing widens both
    // by h ~ 0.2 (sd 1.02 and 2.01: 0.431); the tails B has beyond A's samples make
    // D_KL(B || A) much larger than its Gaussian value (1.307), so only A || B is checked.
    EXPECT_NEAR(ab, std::log(2.0) + 0.25 - 0.5, 0.04);
    // Samples far apart (20 sd; the pooled bandwidth is about 1.7): finite, about
    // ln(1 / kl_floor) = 23.
    std::vector<double> far(2000), near(2000);
    for (auto& x : far)
        x = 20 + g(rng);
    for (auto& x : near)
        x = g(rng);
    const double disjoint = kl_divergence(near, far);
    EXPECT_GT(disjoint, 15);
    EXPECT_LT(disjoint, 30);
}

TEST(CompareDistances, SmoothingUsesSilvermansBandwidthAndIntegratesToOne) {
    // sd = sqrt(2.5) = 1.581, IQR (linear interpolation) = 4 - 2 = 2, 2 / 1.34 = 1.4925:
    // h = 0.9 * 1.4925 * 5^(-1/5).
    const std::vector<double> x = {1, 2, 3, 4, 5};
    const std::vector<double> empty;
    const smoothed_densities s = smooth({&x, &empty});
    EXPECT_NEAR(s.bandwidth, 0.9 * (2 / 1.34) * std::pow(5.0, -0.2), 1e-12);
    ASSERT_EQ(s.grid.size(), kde_points);
    EXPECT_DOUBLE_EQ(s.grid.front(), 1 - 3 * s.bandwidth);
    EXPECT_DOUBLE_EQ(s.grid.back(), 5 + 3 * s.bandwidth);
    double integral = 0;
    for (const double d : s.density[0])
        integral += d * (s.grid[1] - s.grid[0]);
    EXPECT_NEAR(integral, 1.0, 1e-12);
    EXPECT_TRUE(s.density[1].empty());
}

// ---- runs on disk -----------------------------------------------------------------------

class CompareRuns : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::path(GANGLION_BINARY_DIR) / "test_compare" /
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        if (!HasFailure()) fs::remove_all(dir_);
    }

    struct population {
        std::string name;
        std::uint64_t size;
        double rate_hz;           // Poisson rate of every neuron
        bool recorded = true;     // in spikes.h5
        bool write_group = true;  // an empty group when it has no spikes
    };

    // A run directory as `ganglion run` leaves it: spikes.h5 and summary.json.
    std::string write_run(const std::string& name, const std::vector<population>& pops,
                          std::uint64_t seed, double t_stop = 2000) {
        const fs::path run = dir_ / name;
        fs::create_directories(run);
        std::mt19937_64 rng(seed);
        std::vector<population_spikes> file;
        nlohmann::json summary = {{"biological_time_ms", t_stop}, {"dt_ms", 0.1}};
        summary["populations"] = nlohmann::json::array();
        for (const auto& p : pops) {
            const spike_trains t = flatten(poisson_trains(p.size, p.rate_hz, t_stop, rng));
            summary["populations"].push_back(
                {{"name", p.name}, {"size", p.size}, {"spikes", t.node_ids.size()}});
            if (!p.recorded || (t.node_ids.empty() && !p.write_group)) continue;
            population_spikes ps;
            ps.name = p.name;
            ps.total = t.node_ids.size();
            for (std::size_t k = 0; k < t.node_ids.size(); ++k)
                ps.index.push_back(k);
            ps.node_id = t.node_ids;
            ps.time = t.timestamps;
            file.push_back(std::move(ps));
        }
        serial_communicator comm;
        write_sonata_spikes((run / "spikes.h5").string(), file, comm);
        std::ofstream(run / "summary.json") << summary.dump(2) << "\n";
        return run.string();
    }

    fs::path dir_;
};

TEST_F(CompareRuns, EndToEndFunctions) {
    // A and C: the same rates with other seeds; B: the excitatory rate changed from 10 to
    // 14 Hz ("the other arithmetic"). "quiet" is recorded but silent (an empty group in
    // A, no group at all in B and C); "unrecorded" is in no spike file.
    const auto pops = [](double exc_rate, bool quiet_group) {
        return std::vector<population>{{"exc", 80, exc_rate},
                                       {"inh", 20, 20},
                                       {"quiet", 10, 0, true, quiet_group},
                                       {"unrecorded", 5, 10, false}};
    };
    const run_data a = read_run(write_run("a", pops(10, true), 1));
    const run_data b = read_run(write_run("b", pops(14, false), 2) + "/spikes.h5");
    const run_data c = read_run(write_run("c", pops(10, false), 3));
    EXPECT_EQ(a.populations.size(), 4u);
    EXPECT_EQ(a.spikes.count("quiet"), 1u);
    EXPECT_EQ(b.spikes.count("quiet"), 0u);

    comparison_options opt;
    opt.transient_ms = 500;
    const comparison cmp = compare_runs(a, b, &c, opt);
    ASSERT_EQ(cmp.populations.size(), 3u);  // exc, inh, quiet
    EXPECT_EQ(cmp.populations[0].name, "exc");
    EXPECT_EQ(cmp.populations[2].name, "quiet");
    const auto& exc = cmp.populations[0];
    ASSERT_EQ(exc.runs.size(), 3u);
    EXPECT_EQ(exc.runs[0].rates.size(), 80u);
    EXPECT_NEAR(sample_mean(exc.runs[0].rates), 10, 1.5);
    EXPECT_NEAR(sample_mean(exc.runs[1].rates), 14, 1.5);
    // The changed rate shows: rate distance A-B well above the seed-to-seed one.
    EXPECT_GT(exc.a_vs_b[0].ks, 2 * exc.a_vs_c[0].ks);
    EXPECT_GT(exc.a_vs_b[0].kl, exc.a_vs_c[0].kl);
    // The silent population: rates all 0, no CVs, no correlations.
    const auto& quiet = cmp.populations[2];
    EXPECT_EQ(quiet.runs[1].rates, std::vector<double>(10, 0.0));
    EXPECT_TRUE(quiet.runs[1].cvs.empty());
    EXPECT_EQ(quiet.a_vs_b[0].ks, 0.0);
    EXPECT_TRUE(std::isnan(quiet.a_vs_b[1].ks));

    const nlohmann::json j = to_json(cmp);
    ASSERT_EQ(j["populations"].size(), 3u);
    const auto& rate = j["populations"][0]["rate"];
    EXPECT_EQ(rate["A"]["samples"].size(), 80u);
    EXPECT_EQ(rate["smoothed"]["grid"].size(), kde_points);
    EXPECT_EQ(rate["smoothed"]["C"].size(), kde_points);
    EXPECT_TRUE(rate["ratio"]["ks"].is_number());
    EXPECT_TRUE(j["populations"][2]["cv"]["A_vs_B"]["ks"].is_null());
    EXPECT_EQ(j["window_ms"][0].get<double>(), 500.0);
    EXPECT_EQ(j["runs"]["C"]["run"].get<std::string>(), c.label);
}

TEST_F(CompareRuns, MismatchesAndBadInputAreClearErrors) {
    const std::vector<population> pops = {{"exc", 40, 10}, {"inh", 10, 20}};
    const run_data a = read_run(write_run("a", pops, 1));
    const run_data other_size = read_run(write_run("size", {{"exc", 41, 10}, {"inh", 10, 20}}, 2));
    const run_data other_pop = read_run(write_run("pop", {{"exc", 40, 10}}, 3));
    const run_data other_time = read_run(write_run("time", pops, 4, 3000));
    comparison_options opt;
    const auto message = [&](const run_data& b) {
        try {
            compare_runs(a, b, nullptr, opt);
        } catch (const run_mismatch_error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message(other_size).find("'exc' has 40 neurons in A, 41 in B"), std::string::npos)
        << message(other_size);
    EXPECT_NE(message(other_pop).find("'inh' (10 neurons) is in A but not in B"), std::string::npos)
        << message(other_pop);
    EXPECT_NE(message(other_time).find("2000 ms and 3000 ms"), std::string::npos)
        << message(other_time);

    opt.transient_ms = 2000;
    EXPECT_THROW(compare_runs(a, a, nullptr, opt), error);
    opt.transient_ms = 500;
    opt.bin_ms = 2000;
    EXPECT_THROW(compare_runs(a, a, nullptr, opt), error);

    // Missing directory, summary.json, spikes.h5: the message names the file.
    const auto read_message = [](const std::string& run) {
        try {
            read_run(run);
        } catch (const run_input_error& e) {
            return e.path();
        }
        return std::string("no error");
    };
    EXPECT_EQ(read_message((dir_ / "nowhere").string()), (dir_ / "nowhere").string());
    fs::create_directories(dir_ / "no_summary");
    fs::copy_file(dir_ / "a" / "spikes.h5", dir_ / "no_summary" / "spikes.h5");
    EXPECT_EQ(read_message((dir_ / "no_summary").string()),
              (dir_ / "no_summary" / "summary.json").string());
    fs::create_directories(dir_ / "no_spikes");
    fs::copy_file(dir_ / "a" / "summary.json", dir_ / "no_spikes" / "summary.json");
    EXPECT_EQ(read_message((dir_ / "no_spikes").string()),
              (dir_ / "no_spikes" / "spikes.h5").string());
    std::ofstream(dir_ / "no_spikes" / "summary.json") << "{\"dt_ms\": 0.1}";
    fs::copy_file(dir_ / "a" / "spikes.h5", dir_ / "no_spikes" / "spikes.h5");
    EXPECT_EQ(read_message((dir_ / "no_spikes").string()),
              (dir_ / "no_spikes" / "summary.json").string());
}

TEST_F(CompareRuns, PopulationRecordedInOneRunOnlyIsAnError) {
    // "inh" fired in B but B did not record it: not silent, so not comparable.
    const run_data a = read_run(write_run("a", {{"exc", 20, 10}, {"inh", 10, 20}}, 1));
    const run_data b = read_run(write_run("b", {{"exc", 20, 10}, {"inh", 10, 20, false}}, 2));
    EXPECT_THROW(compare_runs(a, b, nullptr, {}), run_mismatch_error);
}

// The `ganglion` binary, when it has been built next to this test.
int run_ganglion(const std::string& args, const fs::path& log) {
    const std::string cmd = std::string(GANGLION_BINARY_DIR) + "/io/ganglion compare " + args +
                            " > " + log.string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string contents(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST_F(CompareRuns, GanglionCompareCommand) {
    if (!fs::exists(fs::path(GANGLION_BINARY_DIR) / "io" / "ganglion"))
        GTEST_SKIP() << "io/ganglion not built";
    const std::vector<population> pops = {{"exc", 40, 10}, {"inh", 10, 20}};
    const std::string a = write_run("a", pops, 1);
    const std::string b = write_run("b", pops, 2);
    const std::string c = write_run("c", pops, 3);
    const fs::path json = dir_ / "compare.json";
    const fs::path log = dir_ / "log.txt";
    ASSERT_EQ(run_ganglion(a + " " + b + " --seed-baseline " + c + " --transient 200 --json " +
                               json.string(),
                           log),
              0)
        << contents(log);
    const std::string out = contents(log);
    EXPECT_NE(out.find("KS ratio"), std::string::npos) << out;
    EXPECT_NE(out.find("inh"), std::string::npos) << out;
    ASSERT_TRUE(fs::exists(json));
    EXPECT_FALSE(fs::exists(json.string() + ".partial"));
    const nlohmann::json j = nlohmann::json::parse(contents(json));
    EXPECT_EQ(j["populations"].size(), 2u);
    EXPECT_EQ(j["options"]["transient_ms"].get<double>(), 200.0);

    // A run without summary.json: a user error (2) naming the file.
    fs::create_directories(dir_ / "bad");
    fs::copy_file(fs::path(a) / "spikes.h5", dir_ / "bad" / "spikes.h5");
    EXPECT_EQ(run_ganglion(a + " " + (dir_ / "bad").string(), log), 2) << contents(log);
    EXPECT_NE(contents(log).find((dir_ / "bad" / "summary.json").string()), std::string::npos)
        << contents(log);
}

}  // namespace
