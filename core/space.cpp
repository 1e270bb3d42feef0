#include "core/space.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/random.hpp"

namespace ganglion {

static_assert(positions_purpose(7) == ((4ull << purpose::kind_shift) | 7),
              "positions_purpose must use purpose::kind_shift");

namespace {

// Shortest text that reads back as the same double ("1", "0.5", "1e-06").
std::string format_number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// Grids larger than this many cells along a side, or in total, are not considered:
// far beyond any network, and every product below stays exact in 64 bits.
constexpr double max_grid_cells = 0x1.0p62;

// Python's int(round(x)) for the x PyNN rounds: round half to even, as
// std::nearbyint does in the default rounding mode. 0 for anything out of range.
std::uint64_t python_round(double x) {
    const double r = std::nearbyint(x);
    if (!(r >= 0) || r > max_grid_cells) return 0;
    return static_cast<std::uint64_t>(r);
}

void require_finite(const char* structure, const char* name, double v) {
    if (!std::isfinite(v))
        throw error(std::string(structure) + " parameter '" + name + "' must be a finite number, " +
                    "got " + format_number(v));
}

void require_positive(const char* structure, const char* name, double v) {
    if (!(v > 0) || !std::isfinite(v))
        throw error(std::string(structure) + " parameter '" + name +
                    "' must be a finite number > 0, got " + format_number(v));
}

void require_non_negative(const char* structure, const char* name, double v) {
    if (!(v >= 0) || !std::isfinite(v))
        throw error(std::string(structure) + " parameter '" + name +
                    "' must be a finite number >= 0, got " + format_number(v));
}

template <std::size_t N>
std::string shape_text(const std::array<std::uint64_t, N>& shape) {
    std::string text;
    for (std::size_t k = 0; k < N; ++k)
        text += (k ? " x " : "") + std::to_string(shape[k]);
    return text;
}

// The nearest grid sizes below and above n that fit, with their shapes.
template <std::size_t N>
struct nearest_fits {
    std::optional<std::pair<std::uint64_t, std::array<std::uint64_t, N>>> below, above;
};

// Iterations of the search for sizes that fit: enough for sides of a million cells.
constexpr std::uint64_t max_search = 1u << 21;

template <std::size_t N>
std::string fits_text(const nearest_fits<N>& f, std::uint64_t n) {
    auto one = [](const auto& fit) {
        return std::to_string(fit.first) + " (" + shape_text(fit.second) + ")";
    };
    if (f.below && f.above)
        return "the nearest sizes that fit are " + one(*f.below) + " and " + one(*f.above);
    if (f.above) return "the smallest size that fits is " + one(*f.above);
    if (f.below)
        return "the largest size up to " + std::to_string(n) + " that fits is " + one(*f.below) +
               " (no larger size found)";
    return "no size fits these aspect ratios (none found up to sides of " +
           std::to_string(max_search) + " cells)";
}

// Candidate sizes come from each possible ny: nx = round(aspect_ratio * ny). They grow with
// ny, and every size that fits is among them (its nx is round(aspect_ratio * ny)).
nearest_fits<2> nearest_grid2d(double aspect_ratio, std::uint64_t n) {
    nearest_fits<2> f;
    for (std::uint64_t ny = 1; ny <= max_search; ++ny) {
        const double nx_real = std::nearbyint(aspect_ratio * static_cast<double>(ny));
        if (nx_real < 1) continue;
        if (nx_real * static_cast<double>(ny) > max_grid_cells) break;
        const std::uint64_t candidate = static_cast<std::uint64_t>(nx_real) * ny;
        const auto shape = grid2d_shape(aspect_ratio, candidate);
        if (!shape) continue;
        if (candidate < n) f.below = {candidate, *shape};
        if (candidate > n) {
            f.above = {candidate, *shape};
            break;
        }
    }
    return f;
}

// As above with nx as the free side: ny = round(nx / aspect_ratio_xy) and
// nz = round(nx / aspect_ratio_xz), as in PyNN's Grid3D.calculate_size.
nearest_fits<3> nearest_grid3d(double a, double b, std::uint64_t n) {
    nearest_fits<3> f;
    for (std::uint64_t nx = 1; nx <= max_search; ++nx) {
        const auto x = static_cast<double>(nx);
        const double ny = std::nearbyint(x / a), nz = std::nearbyint(x / b);
        if (ny < 1 || nz < 1) continue;
        if (x * ny * nz > max_grid_cells) break;
        const std::uint64_t candidate =
            nx * static_cast<std::uint64_t>(ny) * static_cast<std::uint64_t>(nz);
        const auto shape = grid3d_shape(a, b, candidate);
        if (!shape) continue;
        if (candidate < n) f.below = {candidate, *shape};
        if (candidate > n) {
            f.above = {candidate, *shape};
            break;
        }
    }
    return f;
}

}  // namespace

std::string_view structure_name(structure_spec::kind k) {
    switch (k) {
        case structure_spec::kind::none:
            return "none";
        case structure_spec::kind::line:
            return "Line";
        case structure_spec::kind::grid2d:
            return "Grid2D";
        case structure_spec::kind::grid3d:
            return "Grid3D";
        case structure_spec::kind::random:
            return "RandomStructure";
    }
    throw internal_error("structure_name: unknown kind");
}

// PyNN: nx = sqrt(n * aspect_ratio), rejected unless n % nx == 0, then nx = int(round(nx)) and
// ny = n // nx. PyNN's test is on the unrounded nx; here nx must be a whole number (to
// rounding error) that divides n. That accepts every size for which PyNN builds an n-cell
// grid, and rejects the few for which PyNN's test passes but the grid has another size
// (n = 5, aspect_ratio = 1.25: nx = 2.5 divides 5, and PyNN builds 2 x 2).
std::optional<std::array<std::uint64_t, 2>> grid2d_shape(double aspect_ratio, std::uint64_t n) {
    if (!(aspect_ratio > 0) || !std::isfinite(aspect_ratio)) return std::nullopt;
    if (n == 0) return std::array<std::uint64_t, 2>{0, 0};
    const double nx_real = std::sqrt(static_cast<double>(n) * aspect_ratio);
    const std::uint64_t nx = python_round(nx_real);
    if (nx == 0 || std::abs(nx_real - static_cast<double>(nx)) > 1e-9 * static_cast<double>(nx))
        return std::nullopt;
    if (n % nx != 0) return std::nullopt;
    return std::array<std::uint64_t, 2>{nx, n / nx};
}

// PyNN, exactly: nx = int(round((n a b)^(1/3))), ny = int(round(nx / a)),
// nz = int(round(nx / b)), and the grid fits when nx ny nz == n.
std::optional<std::array<std::uint64_t, 3>> grid3d_shape(double a, double b, std::uint64_t n) {
    if (!(a > 0) || !std::isfinite(a) || !(b > 0) || !std::isfinite(b)) return std::nullopt;
    if (n == 0) return std::array<std::uint64_t, 3>{0, 0, 0};
    const std::uint64_t nx = python_round(std::pow(static_cast<double>(n) * a * b, 1 / 3.0));
    if (nx == 0) return std::nullopt;
    const std::uint64_t ny = python_round(static_cast<double>(nx) / a);
    const std::uint64_t nz = python_round(static_cast<double>(nx) / b);
    if (ny == 0 || nz == 0) return std::nullopt;
    if (static_cast<double>(nx) * static_cast<double>(ny) * static_cast<double>(nz) >
        max_grid_cells)
        return std::nullopt;
    if (nx * ny * nz != n) return std::nullopt;
    return std::array<std::uint64_t, 3>{nx, ny, nz};
}

void check_structure(const structure_spec& s, std::uint64_t n) {
    using kind = structure_spec::kind;
    switch (s.k) {
        case kind::none:
            return;
        case kind::line:
            require_finite("Line", "dx", s.dx);
            require_finite("Line", "x0", s.x0);
            require_finite("Line", "y", s.y0);
            require_finite("Line", "z", s.z0);
            return;
        case kind::grid2d: {
            require_positive("Grid2D", "aspect_ratio", s.aspect_ratio);
            require_finite("Grid2D", "dx", s.dx);
            require_finite("Grid2D", "dy", s.dy);
            require_finite("Grid2D", "x0", s.x0);
            require_finite("Grid2D", "y0", s.y0);
            require_finite("Grid2D", "z", s.z0);
            if (grid2d_shape(s.aspect_ratio, n)) return;
            throw error("Grid2D with aspect_ratio " + format_number(s.aspect_ratio) +
                        " cannot hold " + std::to_string(n) +
                        " cells: it needs nx x ny cells with nx / ny = aspect_ratio, "
                        "so sqrt(size * aspect_ratio) must be a whole number dividing the size; " +
                        fits_text(nearest_grid2d(s.aspect_ratio, n), n));
        }
        case kind::grid3d: {
            require_positive("Grid3D", "aspect_ratioXY", s.aspect_ratio_xy);
            require_positive("Grid3D", "aspect_ratioXZ", s.aspect_ratio_xz);
            require_finite("Grid3D", "dx", s.dx);
            require_finite("Grid3D", "dy", s.dy);
            require_finite("Grid3D", "dz", s.dz);
            require_finite("Grid3D", "x0", s.x0);
            require_finite("Grid3D", "y0", s.y0);
            require_finite("Grid3D", "z0", s.z0);
            if (grid3d_shape(s.aspect_ratio_xy, s.aspect_ratio_xz, n)) return;
            throw error("Grid3D with aspect_ratioXY " + format_number(s.aspect_ratio_xy) +
                        " and aspect_ratioXZ " + format_number(s.aspect_ratio_xz) +
                        " cannot hold " + std::to_string(n) +
                        " cells: it needs nx x ny x nz cells with nx = round((size * "
                        "aspect_ratioXY * aspect_ratioXZ)^(1/3)), ny = round(nx / aspect_ratioXY) "
                        "and nz = round(nx / aspect_ratioXZ); " +
                        fits_text(nearest_grid3d(s.aspect_ratio_xy, s.aspect_ratio_xz, n), n));
        }
        case kind::random:
            if (s.boundary == structure_spec::boundary_kind::cuboid) {
                require_non_negative("Cuboid", "width", s.width);
                require_non_negative("Cuboid", "height", s.height);
                require_non_negative("Cuboid", "depth", s.depth);
            } else {
                require_non_negative("Sphere", "radius", s.radius);
            }
            for (const double v : s.origin)
                if (!std::isfinite(v))
                    throw error(
                        "RandomStructure parameter 'origin' must be three finite numbers, "
                        "got [" +
                        format_number(s.origin[0]) + ", " + format_number(s.origin[1]) + ", " +
                        format_number(s.origin[2]) + "]");
            return;
    }
    throw internal_error("check_structure: unknown structure kind");
}

std::vector<std::array<double, 3>> generate_positions(const structure_spec& s, std::uint64_t n,
                                                      std::uint64_t seed,
                                                      std::uint64_t population) {
    using kind = structure_spec::kind;
    check_structure(s, n);
    std::vector<std::array<double, 3>> p(n);
    const std::uint64_t stream_purpose = positions_purpose(population);
    switch (s.k) {
        case kind::none:
            // PyNN's default structure, Line() with its defaults.
            for (std::uint64_t i = 0; i < n; ++i)
                p[i] = {static_cast<double>(i), 0.0, 0.0};
            return p;
        case kind::line:
            for (std::uint64_t i = 0; i < n; ++i)
                p[i] = {s.dx * static_cast<double>(i) + s.x0, s.y0, s.z0};
            return p;
        case kind::grid2d: {
            // np.indices((nx, ny, 1)) flattened in C order: the y index runs fastest.
            const auto shape = *grid2d_shape(s.aspect_ratio, n);
            const std::uint64_t ny = shape[1];
            for (std::uint64_t i = 0; i < n; ++i)
                p[i] = {s.x0 + s.dx * static_cast<double>(i / ny),
                        s.y0 + s.dy * static_cast<double>(i % ny), s.z0 + 0.0};
            break;
        }
        case kind::grid3d: {
            // np.indices((nx, ny, nz)) flattened in C order: z fastest, then y, then x.
            const auto shape = *grid3d_shape(s.aspect_ratio_xy, s.aspect_ratio_xz, n);
            const std::uint64_t ny = shape[1], nz = shape[2];
            for (std::uint64_t i = 0; i < n; ++i)
                p[i] = {s.x0 + s.dx * static_cast<double>(i / (ny * nz)),
                        s.y0 + s.dy * static_cast<double>(i / nz % ny),
                        s.z0 + s.dz * static_cast<double>(i % nz)};
            break;
        }
        case kind::random:
            // One stream per cell: a cell's position does not depend on how many cells
            // there are or on which rank computes it.
            for (std::uint64_t i = 0; i < n; ++i) {
                random_stream rng(seed, stream_purpose, i);
                std::array<double, 3> offset;
                if (s.boundary == structure_spec::boundary_kind::cuboid) {
                    // PyNN's Cuboid.sample: 0.5 * uniform(-1, 1) * (width, height, depth).
                    const std::array<double, 3> extent{s.width, s.height, s.depth};
                    for (int k = 0; k < 3; ++k)
                        offset[k] = 0.5 * rng.uniform(-1.0, 1.0) * extent[k];
                } else {
                    // PyNN's Sphere.sample: uniform in the cube [-1, 1]^3 until inside the
                    // unit ball (strictly), then scaled by the radius. Uniform in volume.
                    std::array<double, 3> c;
                    do {
                        for (auto& v : c)
                            v = rng.uniform(-1.0, 1.0);
                    } while (c[0] * c[0] + c[1] * c[1] + c[2] * c[2] >= 1.0);
                    for (int k = 0; k < 3; ++k)
                        offset[k] = s.radius * c[k];
                }
                for (int k = 0; k < 3; ++k)
                    p[i][k] = s.origin[k] + offset[k];
            }
            return p;
    }
    if (s.random_fill) {
        // PyNN permutes the rows with its NumpyRNG; here Fisher-Yates with one stream per
        // population, so that every rank draws the same permutation.
        random_stream rng(seed, stream_purpose, population);
        for (std::uint64_t i = n; i > 1; --i)
            std::swap(p[i - 1], p[rng.below(i)]);
    }
    return p;
}

std::optional<std::array<bool, 3>> parse_axes(std::string_view axes) {
    if (axes == "x") return std::array<bool, 3>{true, false, false};
    if (axes == "y") return std::array<bool, 3>{false, true, false};
    if (axes == "z") return std::array<bool, 3>{false, false, true};
    if (axes == "xy") return std::array<bool, 3>{true, true, false};
    if (axes == "yz") return std::array<bool, 3>{false, true, true};
    if (axes == "xz") return std::array<bool, 3>{true, false, true};
    if (axes == "xyz") return std::array<bool, 3>{true, true, true};
    return std::nullopt;
}

void check_space(const space_spec& s) {
    static const char* const names[3] = {"x", "y", "z"};
    for (int k = 0; k < 3; ++k) {
        if (!s.periodic[k]) continue;
        const auto [lo, hi] = *s.periodic[k];
        if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo))
            throw error(std::string("periodic boundaries of the ") + names[k] + " axis must be [" +
                        names[k] + "_min, " + names[k] + "_max] with finite " + names[k] +
                        "_min < " + names[k] + "_max, got [" + format_number(lo) + ", " +
                        format_number(hi) + "]");
    }
}

displacement distance(const space_spec& s, const std::array<double, 3>& a,
                      const std::array<double, 3>& b) {
    std::array<double, 3> c{0, 0, 0};
    for (int k = 0; k < 3; ++k) {
        if (!s.axes[k]) continue;
        double diff = std::abs(a[k] - b[k]);
        if (s.periodic[k]) {
            const double length = s.periodic[k]->second - s.periodic[k]->first;
            // fmod is exact, and leaves a difference inside [0, length) unchanged.
            if (diff >= length) diff = std::fmod(diff, length);
            diff = std::min(diff, length - diff);
        }
        c[k] = diff;
    }
    return {std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]), c[0], c[1], c[2]};
}

}  // namespace ganglion
