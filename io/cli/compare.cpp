// `ganglion compare RUN_A RUN_B [--seed-baseline RUN_C]`: how far apart two runs are
// (say double precision and SpiNNaker fixed point), per population, in firing rates, CVs
// of inter-spike intervals and spike count correlations, measured against the distance
// between two seeds of one arithmetic. The statistics are in io/compare.hpp. Runs on rank
// 0 alone; the other ranks of an MPI job only learn the exit status.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "core/error.hpp"
#include "io/cli/commands.hpp"
#include "io/compare.hpp"

namespace ganglion::cli {

namespace {

// Four significant digits; "-" where a value is undefined (an empty sample).
std::string number(double x) {
    if (std::isnan(x)) return "-";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

std::string label(statistic s, double bin_ms) {
    switch (s) {
        case statistic::rate:
            return "rate (Hz)";
        case statistic::cv:
            return "CV ISI";
        case statistic::correlation: {
            std::ostringstream os;
            os << "corr (" << bin_ms << " ms)";
            return os.str();
        }
    }
    return "?";
}

std::string table(const comparison& cmp) {
    const bool baseline = cmp.runs.size() > 2;
    std::ostringstream os;
    os << "ganglion compare\n";
    static const char* letters[] = {"A", "B", "C"};
    for (std::size_t k = 0; k < cmp.runs.size(); ++k) {
        const run_data& r = *cmp.runs[k];
        os << "  " << letters[k] << "  " << r.label << "  (dt " << r.dt_ms << " ms, "
           << r.biological_time_ms << " ms" << (k == 2 ? "; seed baseline" : "") << ")\n";
    }
    os << "  window (" << cmp.window.t_start << ", " << cmp.window.t_stop << "] ms; rates of every "
       << "neuron; CVs of neurons with >= " << min_spikes_for_cv << " spikes; correlations of "
       << "counts in " << cmp.options.bin_ms << " ms bins, all pairs of the first "
       << cmp.options.n_corr << " neurons with spikes\n";
    os << "  KS: Kolmogorov-Smirnov distance; KL: D_KL(A||B) in nats of Gaussian-kernel-"
          "smoothed histograms (definitions in --json)\n";
    if (baseline) os << "  ratio: A-B / A-C; above 1 the runs differ more than two seeds do\n";
    os << "\n";

    std::vector<std::string> head = {"population", "statistic", "mean A", "mean B"};
    if (baseline) head.push_back("mean C");
    for (const char* h : {"KS A-B", "KL A-B"})
        head.push_back(h);
    if (baseline)
        for (const char* h : {"KS A-C", "KL A-C", "KS ratio", "KL ratio"})
            head.push_back(h);
    std::size_t name_width = head[0].size();
    for (const auto& p : cmp.populations)
        name_width = std::max(name_width, p.name.size());
    const std::size_t stat_width = 14, width = 11;
    const auto row = [&](const std::vector<std::string>& cells) {
        os << "  " << std::left << std::setw(static_cast<int>(name_width)) << cells[0] << "  "
           << std::setw(static_cast<int>(stat_width)) << cells[1] << std::right;
        for (std::size_t c = 2; c < cells.size(); ++c)
            os << std::setw(static_cast<int>(width)) << cells[c];
        os << "\n";
    };
    row(head);
    for (const auto& p : cmp.populations) {
        for (std::size_t si = 0; si < std::size(all_statistics); ++si) {
            const statistic s = all_statistics[si];
            std::vector<std::string> cells = {si == 0 ? p.name : "", label(s, cmp.options.bin_ms)};
            for (const auto& r : p.runs)
                cells.push_back(number(sample_mean(sample_of(r, s))));
            cells.push_back(number(p.a_vs_b[si].ks));
            cells.push_back(number(p.a_vs_b[si].kl));
            if (baseline) {
                cells.push_back(number(p.a_vs_c[si].ks));
                cells.push_back(number(p.a_vs_c[si].kl));
                cells.push_back(number(distance_ratio(p.a_vs_b[si].ks, p.a_vs_c[si].ks)));
                cells.push_back(number(distance_ratio(p.a_vs_b[si].kl, p.a_vs_c[si].kl)));
            }
            row(cells);
        }
    }
    if (!baseline)
        os << "\n  (add --seed-baseline RUN_C, a run of A's arithmetic with another seed, to "
              "judge these distances)\n";
    return os.str();
}

// Writes the JSON to path + ".partial" and renames it, so a file at path is complete.
void write_json(const std::string& path, const nlohmann::json& j) {
    const std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp);
        if (!out) throw run_input_error(tmp, "cannot be written (does its directory exist?)");
        out << j.dump() << "\n";
        if (!out) throw run_input_error(tmp, "writing failed (disk full?)");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw run_input_error(path, "cannot rename " + tmp + " to it: " + ec.message());
}

int compare_on_rank_0(const compare_options& opt) {
    try {
        const run_data a = read_run(opt.run_a);
        const run_data b = read_run(opt.run_b);
        std::optional<run_data> c;
        if (!opt.seed_baseline.empty()) c = read_run(opt.seed_baseline);
        ganglion::comparison_options o;
        o.transient_ms = opt.transient_ms;
        o.bin_ms = opt.bin_ms;
        o.n_corr = opt.n_corr;
        const comparison cmp = compare_runs(a, b, c ? &*c : nullptr, o);
        if (!opt.json_file.empty()) write_json(opt.json_file, to_json(cmp));
        std::cout << table(cmp);
        if (!opt.json_file.empty()) std::cout << "\n  json  " << opt.json_file << "\n";
        std::cout << std::flush;
    } catch (const error& e) {
        print_error(e.what());
        return exit_user_error;
    }
    return exit_ok;
}

}  // namespace

int compare_command(const compare_options& opt, communicator& comm) {
    const int rc = comm.rank() == 0 ? compare_on_rank_0(opt) : exit_ok;
    return static_cast<int>(comm.max(static_cast<std::uint64_t>(rc)));
}

}  // namespace ganglion::cli
