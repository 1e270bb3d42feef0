#include "io/connections_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <compare>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <system_error>

#include "io/hdf5_common.hpp"

namespace ganglion {
namespace {

using hdf5::handle;

// ---------------------------------------------------------------------------------------
// Input checks

// Checks what each rank can check alone, then makes every rank agree, so that all ranks
// throw together or none does.
void check_input(const std::string& path, const std::vector<projection_connections>& projections,
                 communicator& comm) {
    std::string user_problem, bug;
    std::set<std::string> seen;
    hdf5::layout_hash layout;
    layout.add(projections.size());
    for (const auto& p : projections) {
        layout.add(p.label + (p.with_gids ? " with gids" : ""));
        if (p.with_gids != projections.front().with_gids)
            bug = "projection '" + p.label + "': gids given for some projections only";
        if (p.with_gids &&
            (p.pre_gid.size() != p.pre_index.size() || p.post_gid.size() != p.pre_index.size()))
            bug = "projection '" + p.label + "': gid columns differ in length from pre_index";
        if (const auto why = hdf5::why_not_a_link_name(p.label); !why.empty())
            user_problem =
                "projection label '" + p.label + "' cannot be an HDF5 group name (" + why + ")";
        else if (!seen.insert(p.label).second)
            user_problem = "projection '" + p.label + "' is given twice";
        const auto n = p.post_index.size();
        if (p.pre_index.size() != n || p.weight.size() != n || p.delay.size() != n)
            bug = "projection '" + p.label +
                  "': pre_index, post_index, weight and delay differ in length";
    }
    std::vector<std::uint64_t> flags{user_problem.empty() ? 0u : 1u, bug.empty() ? 0u : 1u};
    comm.sum_in_place(flags);
    const bool agree = hdf5::ranks_agree(comm, layout);
    if (flags[0] > 0)
        throw connections_file_error(
            path, user_problem.empty() ? "bad projection label on another rank" : user_problem);
    if (flags[1] > 0)
        throw internal_error("write_connections('" + path +
                             "'): " + (bug.empty() ? "bad input on another rank" : bug));
    if (!agree)
        throw internal_error("write_connections('" + path +
                             "'): the ranks disagree on the projections (labels or order)");
}

// ---------------------------------------------------------------------------------------
// The global order

// Where every connection of this rank goes in its projection's datasets, sorted by
// (post_index, pre_index, delay, weight). Since all connections of a post index are on one
// rank, the connections before post index j in the file are exactly those with a smaller post
// index on all ranks: a sum over ranks of the counts per post index, then a prefix sum, gives
// each post index's first position, and each rank orders its own connections within it.
// Collective; returns one index vector per projection.
std::vector<std::vector<std::uint64_t>> global_positions(
    const std::vector<projection_connections>& projections, communicator& comm,
    std::vector<std::uint64_t>& totals) {
    const std::size_t n = projections.size();
    // counts[base[p] + j]: connections of projection p onto post index j.
    std::vector<std::size_t> base(n + 1, 0);
    for (std::size_t p = 0; p < n; ++p) {
        std::uint64_t size = 0;
        for (const auto j : projections[p].post_index)
            size = std::max(size, j + 1);
        base[p + 1] = base[p] + comm.max(size);
    }
    std::vector<std::uint64_t> counts(base[n], 0);
    for (std::size_t p = 0; p < n; ++p)
        for (const auto j : projections[p].post_index)
            ++counts[base[p] + j];
    comm.sum_in_place(counts);
    // Counts become first positions (exclusive prefix sums, per projection).
    totals.assign(n, 0);
    for (std::size_t p = 0; p < n; ++p) {
        std::uint64_t running = 0;
        for (std::size_t k = base[p]; k < base[p + 1]; ++k)
            running += std::exchange(counts[k], running);
        totals[p] = running;
    }

    std::vector<std::vector<std::uint64_t>> positions(n);
    std::vector<std::size_t> order;
    for (std::size_t p = 0; p < n; ++p) {
        const auto& c = projections[p];
        order.resize(c.post_index.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        // IEEE total order for the doubles: a strict weak order even with NaN, and -0.0
        // before +0.0, so that equal keys are equal bits and any tie order gives one file.
        std::sort(order.begin(), order.end(), [&c](std::size_t a, std::size_t b) {
            if (c.post_index[a] != c.post_index[b]) return c.post_index[a] < c.post_index[b];
            if (c.pre_index[a] != c.pre_index[b]) return c.pre_index[a] < c.pre_index[b];
            if (const auto d = std::strong_order(c.delay[a], c.delay[b]); d != 0) return d < 0;
            return std::strong_order(c.weight[a], c.weight[b]) < 0;
        });
        auto& pos = positions[p];
        pos.resize(order.size());
        std::size_t group_start = 0;
        for (std::size_t k = 0; k < order.size(); ++k) {
            const auto j = c.post_index[order[k]];
            if (k > 0 && j != c.post_index[order[k - 1]]) group_start = k;
            pos[order[k]] = counts[base[p] + j] + (k - group_start);
        }
    }
    return positions;
}

// Columns of a connection block.
constexpr std::size_t pre_column = 0, post_column = 1;          // u64
constexpr std::size_t pre_gid_column = 2, post_gid_column = 3;  // u64, when with gids
constexpr std::size_t weight_column = 0, delay_column = 1;      // f64

// ---------------------------------------------------------------------------------------
// The collective write

void write_contents(hdf5::write_context& ctx,
                    const std::vector<projection_connections>& projections,
                    const std::vector<std::uint64_t>& totals,
                    const std::vector<hdf5::row_block>& blocks) {
    handle all;
    ctx.step("creating group /projections", [&](std::string& detail) {
        all = handle(H5Gcreate2(ctx.file, "projections", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     H5Gclose);
        return all.valid() || hdf5::fail(detail);
    });
    for (std::size_t p = 0; p < projections.size(); ++p) {
        const std::string& label = projections[p].label;
        const std::string where = "/projections/" + label;
        const auto& b = blocks[p];
        const auto total = totals[p];
        handle group;
        ctx.step("creating group " + where, [&](std::string& detail) {
            group =
                handle(H5Gcreate2(all.get(), label.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                       H5Gclose);
            return group.valid() || hdf5::fail(detail);
        });
        using u64 = std::span<const std::uint64_t>;
        using f64 = std::span<const double>;
        hdf5::write_column(ctx, group.get(), where, "pre_index", total, b.first,
                           u64(b.u64[pre_column]));
        hdf5::write_column(ctx, group.get(), where, "post_index", total, b.first,
                           u64(b.u64[post_column]));
        hdf5::write_column(ctx, group.get(), where, "weight", total, b.first,
                           f64(b.f64[weight_column]), "uS or nA");
        hdf5::write_column(ctx, group.get(), where, "delay", total, b.first,
                           f64(b.f64[delay_column]), "ms");
        if (b.u64.size() > pre_gid_column) {
            hdf5::write_column(ctx, group.get(), where, "pre_gid", total, b.first,
                               u64(b.u64[pre_gid_column]));
            hdf5::write_column(ctx, group.get(), where, "post_gid", total, b.first,
                               u64(b.u64[post_gid_column]));
        }
        ctx.step("closing " + where,
                 [&](std::string& detail) { return group.close() || hdf5::fail(detail); });
    }
    ctx.step("closing /projections",
             [&](std::string& detail) { return all.close() || hdf5::fail(detail); });
}

}  // namespace

void write_connections(const std::string& path,
                       const std::vector<projection_connections>& projections, communicator& comm) {
    const hdf5::quiet_errors quiet;
    check_input(path, projections, comm);
    std::vector<std::uint64_t> totals;
    const auto positions = global_positions(projections, comm, totals);

    const bool parallel = hdf5::is_parallel(comm);
    std::vector<hdf5::indexed_rows> tables;
    tables.reserve(projections.size());
    const bool gids = !projections.empty() && projections.front().with_gids;
    for (std::size_t p = 0; p < projections.size(); ++p) {
        const auto& c = projections[p];
        tables.push_back(
            {totals[p], positions[p], {c.pre_index, c.post_index}, {c.weight, c.delay}});
        if (gids) {
            tables.back().u64.emplace_back(c.pre_gid);
            tables.back().u64.emplace_back(c.post_gid);
        }
    }
    std::vector<hdf5::row_block> blocks;
    if (!hdf5::redistribute(tables, gids ? 4 : 2, 2, comm, parallel ? comm.size() : 1, blocks))
        throw internal_error("write_connections('" + path +
                             "'): the connections of one post_index are on more than one rank");
    tables.clear();

    try {
        hdf5::write_atomically(path, comm, parallel, [&](hdf5::write_context& ctx) {
            write_contents(ctx, projections, totals, blocks);
        });
    } catch (const hdf5::step_failed& failure) {
        throw connections_file_error(path, failure.what());
    }
}

// ---------------------------------------------------------------------------------------
// Reading HDF5

std::map<std::string, connection_table> read_connections(const std::string& path) {
    const hdf5::quiet_errors quiet;
    try {
        const handle file = hdf5::open_for_reading(path);
        const handle all = hdf5::open_group(file.get(), "projections", "/projections");
        std::map<std::string, connection_table> result;
        for (const auto& label : hdf5::subgroup_names(all.get(), "/projections")) {
            const std::string where = "/projections/" + label;
            const handle group = hdf5::open_group(all.get(), label.c_str(), where);
            connection_table t;
            t.pre_index = hdf5::read_1d<std::uint64_t>(group.get(), where, "pre_index");
            t.post_index = hdf5::read_1d<std::uint64_t>(group.get(), where, "post_index");
            t.weight = hdf5::read_1d<double>(group.get(), where, "weight");
            t.delay = hdf5::read_1d<double>(group.get(), where, "delay");
            const auto n = t.post_index.size();
            if (t.pre_index.size() != n || t.weight.size() != n || t.delay.size() != n)
                throw hdf5::read_failed(where + ": pre_index, post_index, weight and delay have " +
                                        std::to_string(t.pre_index.size()) + ", " +
                                        std::to_string(n) + ", " + std::to_string(t.weight.size()) +
                                        " and " + std::to_string(t.delay.size()) + " elements");
            result.emplace(label, std::move(t));
        }
        return result;
    } catch (const hdf5::read_failed& e) {
        throw connections_file_error(path, e.what());
    }
}

// ---------------------------------------------------------------------------------------
// Reading PyNN's text format

namespace {

constexpr std::string_view blanks = " \t\r\v\f";

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

// A problem on one line of the file; the reader adds the path.
struct line_error {
    std::size_t line;
    std::string problem;
};

// The names in "columns = ['i', 'j', 'weight', 'delay']" (after the '#'), or nothing when
// the comment is not a columns header.
std::optional<std::vector<std::string>> columns_header(std::string_view comment, std::size_t line) {
    comment = trim(comment);
    constexpr std::string_view key = "columns";
    if (comment.substr(0, key.size()) != key) return std::nullopt;
    std::string_view rest = trim(comment.substr(key.size()));
    if (rest.empty() || rest.front() != '=') return std::nullopt;  // "columnsfoo ..."
    rest = trim(rest.substr(1));
    const std::string expected =
        "expected a columns header such as \"# columns = ['i', 'j', "
        "'weight', 'delay']\"";
    if (rest.size() < 2 || rest.front() != '[' || rest.back() != ']')
        throw line_error{line, expected};
    rest = rest.substr(1, rest.size() - 2);
    std::vector<std::string> names;
    while (true) {
        const auto comma = rest.find(',');
        std::string_view item = trim(rest.substr(0, comma));
        if (item.size() >= 2 && (item.front() == '\'' || item.front() == '"') &&
            item.back() == item.front())
            item = item.substr(1, item.size() - 2);
        if (item.empty()) {
            // Python allows one trailing comma: ['i', 'j',]
            if (comma == std::string_view::npos && !names.empty()) break;
            throw line_error{line, expected};
        }
        names.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
    }
    return names;
}

// numpy 2 writes a number with '%r' as "np.float64(1.5)": the number is what is inside.
std::string_view unwrap(std::string_view token) {
    const auto open = token.find('(');
    if (open == std::string_view::npos || token.back() != ')') return token;
    const auto name = token.substr(0, open);
    const bool is_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
    });
    return is_name ? token.substr(open + 1, token.size() - open - 2) : token;
}

std::optional<double> parse_double(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return x;
}

// i and j: "7", or "7.0" as PyNN writes them (its arrays are float).
std::uint64_t parse_index(std::string_view token, const std::string& column, std::size_t line) {
    const auto s = unwrap(token);
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
    const auto x = parse_double(s);
    // 2^64 is exact in double; anything from there up does not fit.
    if (x && *x >= 0 && *x < 18446744073709551616.0 && std::floor(*x) == *x)
        return static_cast<std::uint64_t>(*x);
    throw line_error{
        line, "column " + column + ": '" + std::string(token) + "' is not a non-negative integer"};
}

double parse_value(std::string_view token, const std::string& column, std::size_t line) {
    const auto x = parse_double(unwrap(token));
    if (!x)
        throw line_error{line,
                         "column " + column + ": '" + std::string(token) + "' is not a number"};
    if (!std::isfinite(*x))
        throw line_error{
            line, "column " + column + ": '" + std::string(token) + "' is not a finite number"};
    return *x;
}

// Which field each column of the file fills.
enum class field { i, j, weight, delay, other };

std::vector<field> fields_of(const std::vector<std::string>& names, std::size_t line) {
    std::vector<field> fields;
    std::set<std::string> seen;
    for (const auto& name : names) {
        if (!seen.insert(name).second)
            throw line_error{line, "column '" + name + "' is named twice"};
        fields.push_back(name == "i"        ? field::i
                         : name == "j"      ? field::j
                         : name == "weight" ? field::weight
                         : name == "delay"  ? field::delay
                                            : field::other);
    }
    if (!seen.count("i") || !seen.count("j"))
        throw line_error{line, "the columns header names no 'i' or no 'j' column"};
    return fields;
}

connection_table parse_text(std::istream& in) {
    connection_table table;
    std::vector<field> fields;  // from the header, or from the first connection
    bool have_header = false;
    std::size_t first_data_line = 0;  // 0: no connection yet
    std::string text;
    std::vector<std::string_view> tokens;
    for (std::size_t line = 1; std::getline(in, text); ++line) {
        const std::string_view content = trim(text);
        if (content.empty()) continue;
        if (content.front() == '#') {
            auto names = columns_header(content.substr(1), line);
            if (!names) continue;  // any other comment or metadata line
            if (have_header) throw line_error{line, "a second columns header"};
            if (first_data_line > 0)
                throw line_error{line, "a columns header after the first connection (line " +
                                           std::to_string(first_data_line) + ")"};
            fields = fields_of(*names, line);
            have_header = true;
            continue;
        }

        tokens.clear();
        for (std::size_t pos = 0; pos < content.size();) {
            const auto start = content.find_first_not_of(blanks, pos);
            if (start == std::string_view::npos) break;
            auto end = content.find_first_of(blanks, start);
            if (end == std::string_view::npos) end = content.size();
            tokens.push_back(content.substr(start, end - start));
            pos = end;
        }
        if (first_data_line == 0) {
            first_data_line = line;
            if (!have_header) {
                if (tokens.size() < 2 || tokens.size() > 4)
                    throw line_error{line, std::to_string(tokens.size()) +
                                               " columns; expected 'i j', 'i j weight' or "
                                               "'i j weight delay', or a header \"# columns = "
                                               "[...]\" naming the columns"};
                const field positional[] = {field::i, field::j, field::weight, field::delay};
                fields.assign(positional, positional + tokens.size());
            }
        }
        if (tokens.size() != fields.size())
            throw line_error{
                line, std::to_string(tokens.size()) + " columns, but " +
                          (have_header ? "the columns header names " + std::to_string(fields.size())
                                       : "line " + std::to_string(first_data_line) + " has " +
                                             std::to_string(fields.size()))};
        for (std::size_t c = 0; c < tokens.size(); ++c) {
            switch (fields[c]) {
                case field::i:
                    table.pre_index.push_back(parse_index(tokens[c], "i", line));
                    break;
                case field::j:
                    table.post_index.push_back(parse_index(tokens[c], "j", line));
                    break;
                case field::weight:
                    table.weight.push_back(parse_value(tokens[c], "weight", line));
                    break;
                case field::delay:
                    table.delay.push_back(parse_value(tokens[c], "delay", line));
                    break;
                case field::other:
                    break;
            }
        }
    }
    return table;
}

}  // namespace

connection_table read_connections_text(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw connections_file_error(path, "no such file");
    if (fs::is_directory(path, ec)) throw connections_file_error(path, "is a directory");
    std::ifstream in(path);
    if (!in) throw connections_file_error(path, "cannot open for reading");
    try {
        auto table = parse_text(in);
        if (in.bad()) throw connections_file_error(path, "read error");
        return table;
    } catch (const line_error& e) {
        throw connections_file_error(path, e.line, e.problem);
    }
}

}  // namespace ganglion
