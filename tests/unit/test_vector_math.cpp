// core/vector_math.hpp: vector_exp's error against the exactly rounded exp
// over the whole double range, its special values, and the promise that
// makes it usable in ganglion at all: the same bits in a scalar call and in
// every vector loop (SSE2, AVX2, AVX-512 clones; vector body and remainder),
// and so the same bits for a neuron wherever it falls in a model's loop.
//
// Reference: exp in long double (x87, 64-bit significand; glibc's expl is
// accurate to about 1 ULP of long double, 2^-11 of a double ULP), itself
// checked against boost::multiprecision at 50 decimal digits on a sample.

#include "core/vector_math.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/spec.hpp"
#include "models/if_cond_exp.hpp"
#include "models/if_curr_delta.hpp"
#include "models/if_curr_exp.hpp"

namespace ganglion {
namespace {

constexpr double dbl_max = std::numeric_limits<double>::max();
constexpr double dbl_min = std::numeric_limits<double>::min();  // smallest normal
constexpr double inf = std::numeric_limits<double>::infinity();

// A scalar call, compiled as the models are (no contraction), and kept out
// of any loop the test vectorises.
[[gnu::noinline, gnu::optimize("fp-contract=off")]] double scalar_exp(double x) {
    return vector_exp(x);
}

// |y - exp(x)| in ULPs of the exact value: the spacing of doubles at exp(x),
// 2^-1074 for subnormal results. 0 when both overflow.
double ulp_error(double y, long double exact) {
    if (exact > static_cast<long double>(dbl_max)) return y == inf ? 0.0 : inf;
    const long double a = std::fabs(exact);
    double ulp = std::numeric_limits<double>::denorm_min();
    if (a >= static_cast<long double>(dbl_min)) {
        int e = 0;
        std::frexp(static_cast<double>(a), &e);  // a in [2^(e-1), 2^e)
        ulp = std::ldexp(1.0, e - 53);
    }
    return static_cast<double>(std::fabs(static_cast<long double>(y) - exact) / ulp);
}

// Distance in representable doubles between two non-negative doubles.
std::int64_t ulp_distance(double a, double b) {
    const auto ia = std::bit_cast<std::int64_t>(a);
    const auto ib = std::bit_cast<std::int64_t>(b);
    return ia > ib ? ia - ib : ib - ia;
}

struct error_summary {
    double worst = 0;  // ULPs against the exact value
    double worst_x = 0;
    std::int64_t worst_vs_std = 0;  // ULP distance to std::exp
    double worst_vs_std_x = 0;
    std::size_t points = 0;
    std::size_t differ_from_std = 0;  // points where the bits differ from std::exp

    void add(double x) {
        const double y = scalar_exp(x);
        const double e = ulp_error(y, std::exp(static_cast<long double>(x)));
        if (e > worst) worst = e, worst_x = x;
        const double s = std::exp(x);
        const std::int64_t d = ulp_distance(y, s);
        if (d > worst_vs_std) worst_vs_std = d, worst_vs_std_x = x;
        differ_from_std += d != 0;
        ++points;
    }
    void print(const char* what) const {
        std::printf(
            "%-34s %9zu points: max %.4f ULP (x = %.17g); vs std::exp: max %lld ULP, bits "
            "differ at %.2f%%\n",
            what, points, worst, worst_x, static_cast<long long>(worst_vs_std),
            100.0 * static_cast<double>(differ_from_std) / static_cast<double>(points));
    }
};

// Where a result is normal: exp(x) >= DBL_MIN for x >= -708.39.
constexpr double normal_from = -708.39;
// exp(x) overflows for x > 709.7827128933840; rounds to 0 below -745.1332.
constexpr double overflow_above = 709.782712893384;

TEST(VectorExp, WithinOneUlpOverTheWholeRange) {
    std::mt19937_64 rng(20240611);
    auto uniform = [&](error_summary& s, double lo, double hi, std::size_t n) {
        std::uniform_real_distribution<double> d(lo, hi);
        for (std::size_t i = 0; i < n; ++i)
            s.add(d(rng));
    };

    error_summary normal;
    uniform(normal, normal_from, overflow_above, 4'000'000);
    normal.print("normal results [-708.39, 709.78]");
    error_summary unit;
    uniform(unit, -1.0, 1.0, 2'000'000);
    unit.print("[-1, 1]");
    error_summary model;  // IF_cond_exp's arguments: -h g_tot / cm
    uniform(model, -0.5, 0.0, 1'000'000);
    model.print("[-0.5, 0]");
    error_summary tiny;  // |x| from 1e-20 to 1, log-uniform, both signs
    {
        std::uniform_real_distribution<double> e(-20.0, 0.0);
        for (std::size_t i = 0; i < 1'000'000; ++i) {
            const double x = std::pow(10.0, e(rng));
            tiny.add(i % 2 ? x : -x);
        }
    }
    tiny.print("1e-20 <= |x| <= 1");
    // Range reduction's edges: x near (j + 1/2) ln 2, where k changes, and
    // near j ln 2, where r is 0.
    error_summary edges;
    for (int j = -1076; j <= 1024; ++j) {
        for (const double f : {-0.5, 0.0, 0.5}) {
            double x = (j + f) * 0.6931471805599453;
            for (int u = 0; u < 4; ++u)
                x = std::nextafter(x, -inf);
            for (int u = 0; u < 9; ++u, x = std::nextafter(x, inf)) {
                if (x >= normal_from && x <= overflow_above) edges.add(x);
            }
        }
    }
    edges.print("k boundaries, +-4 ULP");
    for (const error_summary* s : {&normal, &unit, &model, &tiny, &edges}) {
        // Measured: 0.72 ULP here, 0.74 over 30 million points (the final
        // rounding's 0.5 and what the evaluation leaves before it).
        EXPECT_LT(s->worst, 0.8);
        EXPECT_LE(s->worst_vs_std, 1);
    }

    // Subnormal results: the scaling rounds once more, to 2^-1074.
    error_summary subnormal;
    uniform(subnormal, -745.2, normal_from, 1'000'000);
    subnormal.print("subnormal results [-745.2, -708.39]");
    EXPECT_LT(subnormal.worst, 0.9);  // measured 0.80
    EXPECT_LE(subnormal.worst_vs_std, 1);
}

TEST(VectorExp, ExactValuesAndLimits) {
    EXPECT_EQ(scalar_exp(0.0), 1.0);
    EXPECT_EQ(scalar_exp(-0.0), 1.0);
    EXPECT_EQ(scalar_exp(1e-300), 1.0);
    EXPECT_EQ(scalar_exp(-1e-300), 1.0);
    EXPECT_EQ(scalar_exp(5e-324), 1.0);
    // exp(j ln2) lands on 2^j only to within the reduction's rounding;
    // where x is the double nearest j ln2 the result must be within 1 ULP.
    for (int j = -1021; j <= 1023; ++j) {
        const double x = j * 0.6931471805599453;
        EXPECT_LE(ulp_distance(scalar_exp(x), std::exp(x)), 1) << "x " << x;
    }
    // Overflow: the largest x with a finite result, and the next double.
    EXPECT_EQ(scalar_exp(overflow_above), std::exp(overflow_above));
    EXPECT_LT(scalar_exp(overflow_above), inf);
    ASSERT_EQ(std::exp(std::nextafter(overflow_above, inf)), inf);
    EXPECT_EQ(scalar_exp(std::nextafter(overflow_above, inf)), inf);
    EXPECT_EQ(scalar_exp(710.0), inf);
    EXPECT_EQ(scalar_exp(1000.0), inf);
    EXPECT_EQ(scalar_exp(dbl_max), inf);
    EXPECT_EQ(scalar_exp(inf), inf);
    // Underflow: gradual, then 0.
    EXPECT_EQ(scalar_exp(-708.3964185322641), std::exp(-708.3964185322641));  // ~DBL_MIN
    EXPECT_EQ(scalar_exp(-745.13), std::numeric_limits<double>::denorm_min());
    EXPECT_EQ(scalar_exp(-745.14), 0.0);
    EXPECT_EQ(scalar_exp(-746.0), 0.0);
    EXPECT_EQ(scalar_exp(-1000.0), 0.0);
    EXPECT_EQ(scalar_exp(-dbl_max), 0.0);
    EXPECT_EQ(scalar_exp(-inf), 0.0);
}

// The long double reference against 50 significant digits.
TEST(VectorExp, ReferenceIsAccurate) {
    using big = boost::multiprecision::cpp_bin_float_50;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> d(normal_from, overflow_above);
    double worst = 0;  // |expl - exact| in ULPs of a double
    for (int i = 0; i < 20'000; ++i) {
        const double x = i < 10'000 ? d(rng) : (i - 15'000) * 1e-4;
        const big exact = boost::multiprecision::exp(big(x));
        const long double ref = std::exp(static_cast<long double>(x));
        int e = 0;
        std::frexp(static_cast<double>(ref), &e);
        const big ulp = boost::multiprecision::ldexp(big(1), e - 53);
        worst = std::max(worst, static_cast<double>(abs(big(ref) - exact) / ulp));
    }
    std::printf("long double reference: max error %.2e ULP of a double\n", worst);
    EXPECT_LT(worst, 2e-3);
}

// ---------------------------------------------------------------------------
// The same bits in every clone, and in a loop's vector body and remainder.

// One loop per instruction set, as GANGLION_VECTOR_CLONES compiles it (the
// clones themselves cannot be called one by one).
#if defined(__x86_64__)
#define GANGLION_TEST_EXP_LOOP(name, isa)                                                \
    __attribute__((target(isa), optimize("fp-contract=off"), noinline)) void name(       \
        const double* __restrict x, double* __restrict y, std::size_t n) {               \
        _Pragma("omp simd") for (std::size_t k = 0; k < n; ++k) y[k] = vector_exp(x[k]); \
    }
GANGLION_TEST_EXP_LOOP(exp_loop_sse2, "arch=x86-64")
GANGLION_TEST_EXP_LOOP(exp_loop_avx2, "avx2")
GANGLION_TEST_EXP_LOOP(exp_loop_avx512, "avx512f")
#undef GANGLION_TEST_EXP_LOOP
#endif

GANGLION_VECTOR_CLONES void exp_loop_dispatched(const double* __restrict x, double* __restrict y,
                                                std::size_t n) {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k)
        y[k] = vector_exp(x[k]);
}

std::vector<double> exp_arguments() {
    // Special values, the clamps' edges, and the reduction's |r| = ln2 / 2.
    std::vector<double> x = {0.0, -0.0, 1e-300, -1e-300, inf, -inf, 1e4, -1e4, 0.5, -0.5};
    x.insert(x.end(), {overflow_above, 709.79, 710.0, -708.4, -745.1, -745.2, -746.0});
    x.insert(x.end(), {0.34657359027997264, -0.34657359027997264});
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> wide(-750.0, 712.0), narrow(-1.0, 1.0);
    // An odd count, so that every loop has a remainder.
    while (x.size() < 200'003)
        x.push_back(x.size() % 2 ? wide(rng) : narrow(rng));
    return x;
}

TEST(VectorExp, EveryCloneAndRemainderGivesTheBitsOfAScalarCall) {
    const std::vector<double> x = exp_arguments();
    std::vector<double> expected(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        expected[i] = scalar_exp(x[i]);

    struct loop {
        const char* name;
        bool supported;
        void (*run)(const double*, double*, std::size_t);
    };
    const loop loops[] = {
#if defined(__x86_64__)
        {"sse2", true, exp_loop_sse2},
        {"avx2", __builtin_cpu_supports("avx2") != 0, exp_loop_avx2},
        {"avx512f", __builtin_cpu_supports("avx512f") != 0, exp_loop_avx512},
#endif
        {"dispatched", true, exp_loop_dispatched},
    };
    for (const loop& l : loops) {
        if (!l.supported) {
            std::printf("%s: not supported by this CPU, skipped\n", l.name);
            continue;
        }
        // Several lengths and start offsets: each element is computed in the
        // vector body for some and in the remainder for others.
        for (const std::size_t offset : {0, 1, 3, 5, 7}) {
            for (const std::size_t n : {1, 2, 3, 7, 13, 31, 1001}) {
                std::vector<double> y(x.size(), -1.0);
                for (std::size_t begin = offset; begin < x.size(); begin += n) {
                    const std::size_t m = std::min(n, x.size() - begin);
                    l.run(x.data() + begin, y.data() + begin, m);
                }
                for (std::size_t i = offset; i < x.size(); ++i) {
                    ASSERT_EQ(std::bit_cast<std::uint64_t>(y[i]),
                              std::bit_cast<std::uint64_t>(expected[i]))
                        << l.name << ", x " << x[i] << ", block " << n;
                }
            }
        }
        std::printf("%s: bit-identical to the scalar call\n", l.name);
    }
}

TEST(VectorMath, MasksAndBlend) {
    const std::uint64_t ones = ~std::uint64_t{0};
    EXPECT_EQ(less_mask(1.0, 2.0), ones);
    EXPECT_EQ(less_mask(2.0, 1.0), 0u);
    EXPECT_EQ(less_mask(1.0, 1.0), 0u);
    EXPECT_EQ(less_mask(-0.0, 0.0), 0u);  // -0 < +0 is false
    EXPECT_EQ(less_mask(0.0, -0.0), 0u);
    EXPECT_EQ(less_mask(-dbl_max, dbl_max), ones);
    EXPECT_EQ(less_mask(std::numeric_limits<double>::denorm_min(), 0.0), 0u);
    EXPECT_EQ(less_mask(0.0, std::numeric_limits<double>::denorm_min()), ones);
    EXPECT_EQ(less_mask(-50.0, -50.0), 0u);
    EXPECT_EQ(less_mask(std::nextafter(-50.0, -inf), -50.0), ones);
    EXPECT_EQ(zero_mask(0), ones);
    EXPECT_EQ(zero_mask(1), 0u);
    EXPECT_EQ(zero_mask(std::numeric_limits<std::int32_t>::max()), 0u);
    EXPECT_EQ(blend(ones, 1.5, -2.5), 1.5);
    EXPECT_EQ(blend(0, 1.5, -2.5), -2.5);
    EXPECT_TRUE(std::signbit(blend(ones, -0.0, 0.0)));
}

// ---------------------------------------------------------------------------
// A model's step gives a neuron the same bits whether it is updated with
// many others (vector body and remainder of the loops) or alone (n = 1:
// only the remainder). With the ranks x threads split deciding which
// neurons share a call, this is what keeps spikes identical for every split.

// Every element of every state array, as bits, array by array.
template <class State>
std::vector<std::uint64_t> bits_of(State& s) {
    std::vector<std::uint64_t> out;
    s.fields([&](auto& array) {
        for (const auto value : array) {
            if constexpr (sizeof(value) == 8) {
                out.push_back(std::bit_cast<std::uint64_t>(value));
            } else {
                out.push_back(static_cast<std::uint64_t>(value));
            }
        }
    });
    return out;
}

// The state of neuron k alone.
template <class State>
State neuron(const State& all, std::size_t k) {
    State one = all;
    one.fields([&](auto& array) { array = {array[k]}; });
    return one;
}

template <class M>
void check_alone_equals_together(const std::map<std::string, double>& values, double dt) {
    parameter_values pv;
    pv.scalars = values;
    const auto p = M::parameters::from(pv);
    p.validate();
    const typename M::derived d(p, dt);
    const std::size_t n = 1003;  // vector bodies of 8, 4 and 2, and a remainder
    typename M::state all;
    all.resize(n, p);
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> v0(p.v_reset - 5.0, p.v_thresh + 1.0);
    std::uniform_real_distribution<double> syn(0.0, 0.05);
    std::uniform_int_distribution<int> refractory(-6, 6);
    const model_info info = M::info();
    for (std::size_t k = 0; k < n; ++k) {
        all.v[k] = v0(rng);
        all.refractory[k] = std::max(0, refractory(rng));
        for (const state_info& s : info.state) {
            if (s.name != "v") all.variable(s.name)[k] = syn(rng);
        }
    }
    std::vector<double> in_e(n), in_i(n), inj(n);
    std::uniform_real_distribution<double> input(0.0, 0.02), current(-0.5, 1.0);
    std::size_t spikes = 0;
    for (int step = 0; step < 50; ++step) {
        for (std::size_t k = 0; k < n; ++k) {
            in_e[k] = k % 3 ? input(rng) : 0.0;
            in_i[k] = k % 5 ? input(rng) : 0.0;
            inj[k] = k % 7 ? 0.0 : current(rng);
        }
        typename M::state before = all;
        const double* rows[] = {in_e.data(), in_i.data(), inj.data()};
        std::vector<std::uint8_t> spiked(n, 2);
        M::step(p, d, all, rows, spiked.data(), n);
        const std::vector<std::uint64_t> together = bits_of(all);
        for (std::size_t k = 0; k < n; ++k) {
            typename M::state one = neuron(before, k);
            const double* one_rows[] = {&in_e[k], &in_i[k], &inj[k]};
            std::uint8_t one_spiked = 2;
            M::step(p, d, one, one_rows, &one_spiked, 1);
            const std::vector<std::uint64_t> alone = bits_of(one);
            for (std::size_t f = 0; f < alone.size(); ++f) {
                ASSERT_EQ(alone[f], together[f * n + k])
                    << info.name << " dt " << dt << ": array " << f << ", neuron " << k << ", step "
                    << step;
            }
            ASSERT_EQ(one_spiked, spiked[k]) << info.name << ": neuron " << k;
            spikes += spiked[k];
        }
    }
    std::printf("%s dt %g: %zu spikes, alone = together\n", info.name.c_str(), dt, spikes);
    EXPECT_GT(spikes, 100u);  // the threshold and refractory paths ran
}

TEST(VectorMath, IfCondExpNeuronAloneEqualsNeuronInALoop) {
    const std::map<std::string, double> va = {
        {"cm", 0.2},        {"tau_m", 20.0},     {"v_rest", -60.0},  {"v_thresh", -50.0},
        {"v_reset", -60.0}, {"tau_refrac", 5.0}, {"tau_syn_E", 5.0}, {"tau_syn_I", 10.0},
        {"e_rev_E", 0.0},   {"e_rev_I", -80.0}};
    check_alone_equals_together<models::if_cond_exp>(va, 0.1);
    // Ten sub-steps per step.
    auto small = va;
    small["tau_syn_E"] = 2.0;
    check_alone_equals_together<models::if_cond_exp>(small, 1.0);
}

TEST(VectorMath, IfCurrExpNeuronAloneEqualsNeuronInALoop) {
    check_alone_equals_together<models::if_curr_exp>({{"tau_refrac", 2.0}, {"i_offset", 1.0}}, 0.1);
}

TEST(VectorMath, IfCurrDeltaNeuronAloneEqualsNeuronInALoop) {
    check_alone_equals_together<models::if_curr_delta>({{"tau_refrac", 2.0}, {"i_offset", 1.0}},
                                                       0.1);
}

}  // namespace
}  // namespace ganglion
