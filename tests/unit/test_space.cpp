// PyNN's structures and Space: positions against hand-computed PyNN positions
// (pyNN/space.py), the sizes grids accept and the message when they do not, random
// fill orders and RandomStructure from counter-based streams, and distances.

#include "core/space.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace {

using ganglion::structure_spec;
using position = std::array<double, 3>;
using positions = std::vector<position>;

constexpr std::uint64_t seed = 12345;

std::string error_text(const structure_spec& s, std::uint64_t n) {
    try {
        ganglion::check_structure(s, n);
    } catch (const ganglion::error& e) {
        return e.what();
    }
    return "(no error)";
}

structure_spec grid2d(double aspect_ratio) {
    structure_spec s;
    s.k = structure_spec::kind::grid2d;
    s.aspect_ratio = aspect_ratio;
    return s;
}

structure_spec grid3d(double xy, double xz) {
    structure_spec s;
    s.k = structure_spec::kind::grid3d;
    s.aspect_ratio_xy = xy;
    s.aspect_ratio_xz = xz;
    return s;
}

// ---- Line -------------------------------------------------------------------------------

TEST(Line, PositionsAsPyNN) {
    // PyNN: Line(dx=2, x0=1, y=3, z=-1).generate_positions(4)
    structure_spec s;
    s.k = structure_spec::kind::line;
    s.dx = 2;
    s.x0 = 1;
    s.y0 = 3;
    s.z0 = -1;
    const positions expected{{1, 3, -1}, {3, 3, -1}, {5, 3, -1}, {7, 3, -1}};
    EXPECT_EQ(ganglion::generate_positions(s, 4, seed, 0), expected);
}

TEST(Line, NoStructureIsPyNNsDefaultLine) {
    // A PyNN Population without a structure gets Line(): cell i at (i, 0, 0), whatever the
    // other fields say.
    structure_spec s;
    s.dx = 5;
    s.y0 = 7;
    const positions expected{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
    EXPECT_EQ(ganglion::generate_positions(s, 3, seed, 0), expected);
    EXPECT_NO_THROW(ganglion::check_structure(s, 17));
}

TEST(Line, AnySizeFitsButParametersMustBeFinite) {
    structure_spec s;
    s.k = structure_spec::kind::line;
    EXPECT_NO_THROW(ganglion::check_structure(s, 0));
    EXPECT_NO_THROW(ganglion::check_structure(s, 1234567));
    s.dx = std::nan("");
    EXPECT_NE(error_text(s, 3).find("'dx'"), std::string::npos) << error_text(s, 3);
}

// ---- Grid2D ------------------------------------------------------------------------------

TEST(Grid2D, SquareSequentialAsPyNN) {
    // np.indices((3, 3, 1)) flattened: the y index runs fastest.
    const positions expected{{0, 0, 0}, {0, 1, 0}, {0, 2, 0}, {1, 0, 0}, {1, 1, 0},
                             {1, 2, 0}, {2, 0, 0}, {2, 1, 0}, {2, 2, 0}};
    EXPECT_EQ(ganglion::generate_positions(grid2d(1), 9, seed, 0), expected);
}

TEST(Grid2D, AspectRatioSpacingAndOffsets) {
    // aspect_ratio = nx / ny = 2: 8 cells are 4 x 2 (nx = sqrt(8 * 2) = 4).
    auto s = grid2d(2);
    s.dx = 10;
    s.dy = 5;
    s.x0 = 1;
    s.y0 = 2;
    s.z0 = 3;
    const positions expected{{1, 2, 3},  {1, 7, 3},  {11, 2, 3}, {11, 7, 3},
                             {21, 2, 3}, {21, 7, 3}, {31, 2, 3}, {31, 7, 3}};
    EXPECT_EQ(ganglion::generate_positions(s, 8, seed, 0), expected);

    // aspect_ratio 0.5: 8 cells are 2 x 4.
    const positions tall{{0, 0, 0}, {0, 1, 0}, {0, 2, 0}, {0, 3, 0},
                         {1, 0, 0}, {1, 1, 0}, {1, 2, 0}, {1, 3, 0}};
    EXPECT_EQ(ganglion::generate_positions(grid2d(0.5), 8, seed, 0), tall);
}

TEST(Grid2D, ShapesAsPyNN) {
    // (aspect_ratio, n) -> (nx, ny), from PyNN's Grid2D.calculate_size.
    using shape = std::array<std::uint64_t, 2>;
    EXPECT_EQ(ganglion::grid2d_shape(1, 1), (shape{1, 1}));
    EXPECT_EQ(ganglion::grid2d_shape(1, 10000), (shape{100, 100}));
    EXPECT_EQ(ganglion::grid2d_shape(3, 12), (shape{6, 2}));
    EXPECT_EQ(ganglion::grid2d_shape(1.5, 6), (shape{3, 2}));
    EXPECT_EQ(ganglion::grid2d_shape(0.25, 36), (shape{3, 12}));
    EXPECT_EQ(ganglion::grid2d_shape(1, 0), (shape{0, 0}));
    EXPECT_FALSE(ganglion::grid2d_shape(1, 10));
    EXPECT_FALSE(ganglion::grid2d_shape(2, 9));
    EXPECT_FALSE(ganglion::grid2d_shape(0, 4));
    EXPECT_FALSE(ganglion::grid2d_shape(-1, 4));
    // nx = sqrt(n * aspect_ratio) is whole but does not divide n.
    EXPECT_FALSE(ganglion::grid2d_shape(4, 1));
    EXPECT_FALSE(ganglion::grid2d_shape(9, 4));
    // PyNN's test passes here (nx = sqrt(6.25) = 2.5 divides 5; nx = sqrt(2.25) = 1.5
    // divides 9), but PyNN then builds int(round(2.5)) x 5 // 2 = 2 x 2 = 4 cells, not 5,
    // and 2 x 4 = 8, not 9: rejected.
    EXPECT_FALSE(ganglion::grid2d_shape(1.25, 5));
    EXPECT_FALSE(ganglion::grid2d_shape(0.25, 9));
    // 2835 * 1.4 is 3968.9999999999995 in doubles, so PyNN rejects the 63 x 45 grid;
    // rounding error does not count here.
    EXPECT_EQ(ganglion::grid2d_shape(1.4, 2835), (shape{63, 45}));
}

TEST(Grid2D, SizeThatDoesNotFitNamesTheSizesThatFit) {
    const std::string square = error_text(grid2d(1), 10);
    EXPECT_NE(square.find("Grid2D"), std::string::npos) << square;
    EXPECT_NE(square.find("10 cells"), std::string::npos) << square;
    EXPECT_NE(square.find("9 (3 x 3) and 16 (4 x 4)"), std::string::npos) << square;

    const std::string wide = error_text(grid2d(2), 10);
    EXPECT_NE(wide.find("aspect_ratio 2"), std::string::npos) << wide;
    EXPECT_NE(wide.find("8 (4 x 2) and 18 (6 x 3)"), std::string::npos) << wide;

    // Nothing fits below: only the smallest size is named.
    const std::string small = error_text(grid2d(2), 1);
    EXPECT_NE(small.find("smallest size that fits is 2 (2 x 1)"), std::string::npos) << small;

    // generate_positions checks too.
    EXPECT_THROW(ganglion::generate_positions(grid2d(1), 10, seed, 0), ganglion::error);
}

TEST(Grid2D, BadAspectRatioIsNamed) {
    const std::string text = error_text(grid2d(0), 4);
    EXPECT_NE(text.find("'aspect_ratio'"), std::string::npos) << text;
    EXPECT_NE(text.find("> 0"), std::string::npos) << text;
}

// ---- Grid3D ------------------------------------------------------------------------------

TEST(Grid3D, CubeSequentialAsPyNN) {
    // np.indices((2, 2, 2)) flattened: z fastest, then y, then x (PyNN's docstring: the
    // first cell at (0,0,0), the second at (0,0,1)).
    const positions expected{{0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 1, 1},
                             {1, 0, 0}, {1, 0, 1}, {1, 1, 0}, {1, 1, 1}};
    EXPECT_EQ(ganglion::generate_positions(grid3d(1, 1), 8, seed, 0), expected);
}

TEST(Grid3D, AspectRatiosSpacingAndOffsets) {
    // aspect_ratioXY = nx / ny = 2, aspect_ratioXZ = nx / nz = 1: 4 cells are 2 x 1 x 2.
    auto s = grid3d(2, 1);
    s.dx = 10;
    s.dy = 20;
    s.dz = 0.5;
    s.x0 = -1;
    s.y0 = 4;
    s.z0 = 100;
    const positions expected{{-1, 4, 100}, {-1, 4, 100.5}, {9, 4, 100}, {9, 4, 100.5}};
    EXPECT_EQ(ganglion::generate_positions(s, 4, seed, 0), expected);

    // aspect_ratioXZ 0.5: nz = 2 nx; 16 cells are 2 x 2 x 4.
    const auto p = ganglion::generate_positions(grid3d(1, 0.5), 16, seed, 0);
    ASSERT_EQ(p.size(), 16u);
    EXPECT_EQ(p[3], (position{0, 0, 3}));
    EXPECT_EQ(p[4], (position{0, 1, 0}));
    EXPECT_EQ(p[8], (position{1, 0, 0}));
    EXPECT_EQ(p[15], (position{1, 1, 3}));
}

TEST(Grid3D, ShapesAsPyNN) {
    // (a, b, n) -> (nx, ny, nz), computed with PyNN's Grid3D.calculate_size.
    using shape = std::array<std::uint64_t, 3>;
    EXPECT_EQ(ganglion::grid3d_shape(1, 1, 27), (shape{3, 3, 3}));
    EXPECT_EQ(ganglion::grid3d_shape(1, 1, 1000), (shape{10, 10, 10}));
    EXPECT_EQ(ganglion::grid3d_shape(2, 1, 4), (shape{2, 1, 2}));
    EXPECT_EQ(ganglion::grid3d_shape(1, 2.0 / 3.0, 12), (shape{2, 2, 3}));
    // PyNN rounds ny = round(3 / 1.4) = 2: 18 cells fit aspect_ratioXY 1.4 as 3 x 2 x 3.
    EXPECT_EQ(ganglion::grid3d_shape(1.4, 1, 18), (shape{3, 2, 3}));
    EXPECT_FALSE(ganglion::grid3d_shape(1, 1, 12));
    EXPECT_FALSE(ganglion::grid3d_shape(1, 1, 9));
    EXPECT_FALSE(ganglion::grid3d_shape(0, 1, 8));
}

TEST(Grid3D, SizeThatDoesNotFitNamesTheSizesThatFit) {
    const std::string text = error_text(grid3d(1, 1), 12);
    EXPECT_NE(text.find("Grid3D"), std::string::npos) << text;
    EXPECT_NE(text.find("12 cells"), std::string::npos) << text;
    EXPECT_NE(text.find("8 (2 x 2 x 2) and 27 (3 x 3 x 3)"), std::string::npos) << text;
    const std::string bad = error_text(grid3d(1, -2), 8);
    EXPECT_NE(bad.find("'aspect_ratioXZ'"), std::string::npos) << bad;
}

// ---- Random fill order -----------------------------------------------------------------

positions sorted(positions p) {
    std::sort(p.begin(), p.end());
    return p;
}

TEST(RandomFill, IsAPermutationOfSequentialAndDependsOnSeedAndPopulation) {
    for (const auto& base : {grid2d(1), grid3d(1, 1)}) {
        const std::uint64_t n = base.k == structure_spec::kind::grid2d ? 100 : 125;
        const auto sequential = ganglion::generate_positions(base, n, seed, 3);
        auto s = base;
        s.random_fill = true;
        const auto a = ganglion::generate_positions(s, n, seed, 3);
        EXPECT_EQ(sorted(a), sorted(sequential));
        EXPECT_NE(a, sequential);
        EXPECT_EQ(a, ganglion::generate_positions(s, n, seed, 3));
        EXPECT_NE(a, ganglion::generate_positions(s, n, seed + 1, 3));
        EXPECT_NE(a, ganglion::generate_positions(s, n, seed, 4));
    }
}

TEST(RandomFill, EveryPermutationEquallyLikely) {
    // 3 cells on a 1 x 3 grid: over many seeds, each of the 6 orders ~ 1/6 of the time.
    // A Fisher-Yates off by one (j drawn from [0, i) or from [0, n)) fails this.
    auto s = grid2d(1.0 / 3.0);
    s.random_fill = true;
    constexpr int draws = 6000;
    std::map<positions, int> counts;
    for (int k = 0; k < draws; ++k)
        ++counts[ganglion::generate_positions(s, 3, static_cast<std::uint64_t>(k), 0)];
    ASSERT_EQ(counts.size(), 6u);
    const double expected = draws / 6.0;
    const double sigma = std::sqrt(draws * (1.0 / 6.0) * (5.0 / 6.0));
    for (const auto& [order, count] : counts)
        EXPECT_NEAR(count, expected, 5 * sigma);
}

// ---- RandomStructure ----------------------------------------------------------------------

structure_spec cuboid(double w, double h, double d, position origin) {
    structure_spec s;
    s.k = structure_spec::kind::random;
    s.boundary = structure_spec::boundary_kind::cuboid;
    s.width = w;
    s.height = h;
    s.depth = d;
    s.origin = origin;
    return s;
}

structure_spec sphere(double r, position origin) {
    structure_spec s;
    s.k = structure_spec::kind::random;
    s.boundary = structure_spec::boundary_kind::sphere;
    s.radius = r;
    s.origin = origin;
    return s;
}

TEST(RandomStructure, CuboidInsideAndCentredOnOrigin) {
    const position origin{1, -2, 3};
    const std::array<double, 3> extent{2, 4, 6};  // width (x), height (y), depth (z)
    constexpr std::uint64_t n = 20000;
    const auto p = ganglion::generate_positions(cuboid(2, 4, 6, origin), n, seed, 0);
    ASSERT_EQ(p.size(), n);
    std::array<double, 3> sum{0, 0, 0}, sum2{0, 0, 0};
    for (const auto& q : p)
        for (int k = 0; k < 3; ++k) {
            const double u = q[k] - origin[k];
            ASSERT_LE(std::abs(u), extent[k] / 2);
            sum[k] += u;
            sum2[k] += u * u;
        }
    for (int k = 0; k < 3; ++k) {
        // Uniform on [-e/2, e/2]: variance e^2 / 12.
        const double var = extent[k] * extent[k] / 12;
        EXPECT_NEAR(sum[k] / n, 0.0, 4 * std::sqrt(var / n)) << "axis " << k;
        // Variance of u^2 for uniform: e^4/80 - e^4/144 = e^4/180.
        const double var2 = std::pow(extent[k], 4) / 180;
        EXPECT_NEAR(sum2[k] / n, var, 4 * std::sqrt(var2 / n)) << "axis " << k;
    }
}

TEST(RandomStructure, SphereInsideCentredAndUniformInVolume) {
    const position origin{10, 20, -30};
    constexpr double r = 2;
    constexpr std::uint64_t n = 20000;
    const auto p = ganglion::generate_positions(sphere(r, origin), n, seed, 1);
    ASSERT_EQ(p.size(), n);
    std::array<double, 3> sum{0, 0, 0};
    std::uint64_t inner = 0;
    for (const auto& q : p) {
        double rho2 = 0;
        for (int k = 0; k < 3; ++k) {
            const double u = q[k] - origin[k];
            sum[k] += u;
            rho2 += u * u;
        }
        ASSERT_LT(std::sqrt(rho2), r);
        if (std::sqrt(rho2) < r / 2) ++inner;
    }
    // A coordinate uniform in the ball has variance r^2 / 5.
    for (int k = 0; k < 3; ++k)
        EXPECT_NEAR(sum[k] / n, 0.0, 4 * std::sqrt(r * r / 5 / n)) << "axis " << k;
    // Uniform in volume: P(rho < r/2) = 1/8 (a uniform radius would give 1/2).
    const double p8 = 1.0 / 8;
    EXPECT_NEAR(static_cast<double>(inner) / n, p8, 4 * std::sqrt(p8 * (1 - p8) / n));
}

TEST(RandomStructure, PerCellStreamsSameForAnySizeAndSeedDependent) {
    const auto s = sphere(1, {0, 0, 0});
    const auto small = ganglion::generate_positions(s, 10, seed, 2);
    const auto large = ganglion::generate_positions(s, 100, seed, 2);
    EXPECT_TRUE(std::equal(small.begin(), small.end(), large.begin()));
    EXPECT_EQ(small, ganglion::generate_positions(s, 10, seed, 2));
    EXPECT_NE(small, ganglion::generate_positions(s, 10, seed + 1, 2));
    EXPECT_NE(small, ganglion::generate_positions(s, 10, seed, 3));
    // Different positions for different cells.
    const auto ordered = sorted(small);
    EXPECT_EQ(std::adjacent_find(ordered.begin(), ordered.end()), ordered.end());
}

TEST(RandomStructure, BadBoundaryIsNamed) {
    const std::string text = error_text(sphere(-1, {0, 0, 0}), 5);
    EXPECT_NE(text.find("'radius'"), std::string::npos) << text;
    const std::string cub = error_text(cuboid(1, std::nan(""), 1, {0, 0, 0}), 5);
    EXPECT_NE(cub.find("'height'"), std::string::npos) << cub;
    // A zero extent is allowed: every cell on the plane (PyNN allows it too).
    EXPECT_NO_THROW(ganglion::check_structure(cuboid(1, 1, 0, {0, 0, 0}), 5));
}

TEST(Structure, Names) {
    EXPECT_EQ(ganglion::structure_name(structure_spec::kind::grid2d), "Grid2D");
    EXPECT_EQ(ganglion::structure_name(structure_spec::kind::random), "RandomStructure");
}

// ---- Space and distances ------------------------------------------------------------------

TEST(Distance, AllAxesAndSubsets) {
    const position a{0, 0, 0}, b{3, -4, 12};
    ganglion::space_spec s;
    auto d = ganglion::distance(s, a, b);
    EXPECT_DOUBLE_EQ(d.d, 13);
    EXPECT_DOUBLE_EQ(d.dx, 3);
    EXPECT_DOUBLE_EQ(d.dy, 4);
    EXPECT_DOUBLE_EQ(d.dz, 12);

    s.axes = *ganglion::parse_axes("xy");
    d = ganglion::distance(s, a, b);
    EXPECT_DOUBLE_EQ(d.d, 5);
    EXPECT_EQ(d.dz, 0);

    s.axes = *ganglion::parse_axes("z");
    d = ganglion::distance(s, a, b);
    EXPECT_DOUBLE_EQ(d.d, 12);
    EXPECT_EQ(d.dx, 0);
    EXPECT_EQ(d.dy, 0);

    s.axes = *ganglion::parse_axes("xz");
    EXPECT_DOUBLE_EQ(ganglion::distance(s, a, b).d, std::sqrt(9.0 + 144.0));
    // Symmetric.
    EXPECT_EQ(ganglion::distance(s, a, b).d, ganglion::distance(s, b, a).d);
}

TEST(Distance, ParseAxesAcceptsPyNNsKeysOnly) {
    EXPECT_EQ(ganglion::parse_axes("xyz"), (std::array<bool, 3>{true, true, true}));
    EXPECT_EQ(ganglion::parse_axes("yz"), (std::array<bool, 3>{false, true, true}));
    EXPECT_EQ(ganglion::parse_axes("y"), (std::array<bool, 3>{false, true, false}));
    EXPECT_FALSE(ganglion::parse_axes("yx"));
    EXPECT_FALSE(ganglion::parse_axes(""));
    EXPECT_FALSE(ganglion::parse_axes("w"));
}

TEST(Distance, PeriodicRing) {
    // A ring of 10 cells (Line, periodic x in [0, 10)): cells 0 and 9 are neighbours.
    ganglion::space_spec s;
    s.axes = *ganglion::parse_axes("x");
    s.periodic[0] = std::pair{0.0, 10.0};
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {0, 0, 0}, {9, 0, 0}).d, 1);
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {9, 0, 0}, {0, 0, 0}).d, 1);
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {2, 0, 0}, {7, 0, 0}).d, 5);
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {2, 0, 0}, {6, 0, 0}).d, 4);
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {3, 0, 0}, {3, 0, 0}).d, 0);
    // Outside the box, the difference is reduced modulo the length first.
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {0, 0, 0}, {23, 0, 0}).d, 3);
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {0, 0, 0}, {-19, 0, 0}).d, 1);
    // With a non-zero lower bound only the length matters.
    s.periodic[0] = std::pair{-5.0, 5.0};
    EXPECT_DOUBLE_EQ(ganglion::distance(s, {-4.5, 0, 0}, {4.5, 0, 0}).d, 1);
}

TEST(Distance, Torus2DAndOpenThirdAxis) {
    ganglion::space_spec s;
    s.periodic[0] = std::pair{0.0, 10.0};
    s.periodic[1] = std::pair{0.0, 20.0};
    const auto d = ganglion::distance(s, {1, 1, 0}, {9, 19, 2});
    EXPECT_DOUBLE_EQ(d.dx, 2);
    EXPECT_DOUBLE_EQ(d.dy, 2);
    EXPECT_DOUBLE_EQ(d.dz, 2);  // z is open
    EXPECT_DOUBLE_EQ(d.d, std::sqrt(12.0));
    // On a torus made of a 10 x 10 Grid2D, the farthest cell is (5, 5) away.
    s.axes = *ganglion::parse_axes("xy");
    s.periodic[1] = std::pair{0.0, 10.0};
    structure_spec g;
    g.k = structure_spec::kind::grid2d;
    const auto p = ganglion::generate_positions(g, 100, seed, 0);
    double farthest = 0;
    for (const auto& q : p)
        farthest = std::max(farthest, ganglion::distance(s, p[0], q).d);
    EXPECT_DOUBLE_EQ(farthest, std::sqrt(50.0));
}

TEST(Distance, CheckSpaceRejectsEmptyOrInfiniteBoundaries) {
    ganglion::space_spec s;
    EXPECT_NO_THROW(ganglion::check_space(s));
    s.periodic[1] = std::pair{3.0, 3.0};
    try {
        ganglion::check_space(s);
        FAIL() << "no error";
    } catch (const ganglion::error& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("y axis"), std::string::npos) << text;
        EXPECT_NE(text.find("[3, 3]"), std::string::npos) << text;
    }
    s.periodic[1] = std::pair{0.0, INFINITY};
    EXPECT_THROW(ganglion::check_space(s), ganglion::error);
}

}  // namespace
