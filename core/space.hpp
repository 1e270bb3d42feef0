#pragma once

// PyNN's spatial structures (Line, Grid2D, Grid3D, RandomStructure), the
// positions they give a population's cells, and PyNN's Space: the distance
// between two positions over some axes, with periodic boundaries.
//
// Positions follow pyNN/space.py (NeuralEnsemble/PyNN): the same cell order
// and the same formulas, so a model ported from PyNN puts every cell where
// PyNN put it. The random parts (RandomStructure, Grid fill_order "random")
// use ganglion's counter-based streams instead of PyNN's NumpyRNG, so every
// rank computes the same positions without talking to the others.
// Positions are unitless, in the unit of the structure's parameters (dx...).

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ganglion {

// The stream purpose of population p's positions: kind 4 of core/random.hpp's
// purpose namespace (kinds 1-3 are connect, initial_value and source). The
// shift is purpose::kind_shift (checked in space.cpp); written out here so
// that this header, which core/spec.hpp includes, does not include random.hpp.
constexpr std::uint64_t positions_purpose(std::uint64_t population) {
    return (4ull << 48) | population;
}

// A population's structure, with PyNN's parameters and defaults. PyNN names
// some offsets differently per structure; here they share the fields:
//   Line(dx, x0, y, z):                      dx, x0, y0 (= y), z0 (= z)
//   Grid2D(aspect_ratio, dx, dy, x0, y0, z, fill_order):
//                                            aspect_ratio, dx, dy, x0, y0, z0 (= z), random_fill
//   Grid3D(aspect_ratioXY, aspect_ratioXZ, dx, dy, dz, x0, y0, z0, fill_order):
//                                            aspect_ratio_xy, aspect_ratio_xz, dx, dy, dz,
//                                            x0, y0, z0, random_fill
//   RandomStructure(boundary, origin):       boundary, width/height/depth (Cuboid: extents
//                                            along x/y/z) or radius (Sphere), origin
// kind::none is a population without a structure: PyNN gives it Line(), so
// cell i sits at (i, 0, 0).
struct structure_spec {
    enum class kind { none, line, grid2d, grid3d, random };
    kind k = kind::none;
    double dx = 1, dy = 1, dz = 1, x0 = 0, y0 = 0, z0 = 0;
    // Numbers of grid points per side: aspect_ratio = nx / ny (Grid2D);
    // aspect_ratio_xy = nx / ny and aspect_ratio_xz = nx / nz (Grid3D).
    double aspect_ratio = 1, aspect_ratio_xy = 1, aspect_ratio_xz = 1;
    bool random_fill = false;  // fill_order "random" (grids)
    enum class boundary_kind { cuboid, sphere } boundary = boundary_kind::cuboid;
    double width = 1, height = 1, depth = 1, radius = 1;
    std::array<double, 3> origin{0, 0, 0};  // centre of the RandomStructure's volume
};

// The PyNN class name of a kind ("Line", "Grid2D", ...; "none" for kind::none).
std::string_view structure_name(structure_spec::kind k);

// Throws ganglion::error when the structure cannot hold n cells, or when a
// parameter makes no sense (a non-positive aspect ratio, a negative extent, a
// number that is not finite). For grids the message names the nearest sizes
// that fit and their shapes, e.g. "Grid2D with aspect_ratio 1 cannot hold 10
// cells ...: the nearest sizes that fit are 9 (3 x 3) and 16 (4 x 4)".
// Messages name the parameter as PyNN does; the model file reader adds the
// JSON path.
void check_structure(const structure_spec& s, std::uint64_t n);

// Grid shapes as PyNN computes them (Grid2D/Grid3D.calculate_size); nullopt
// when n cells do not fit. n = 0 fits as an empty grid.
std::optional<std::array<std::uint64_t, 2>> grid2d_shape(double aspect_ratio, std::uint64_t n);
std::optional<std::array<std::uint64_t, 3>> grid3d_shape(double aspect_ratio_xy,
                                                         double aspect_ratio_xz, std::uint64_t n);

// Positions of all n cells of population `population` (its index in the
// model), row i = cell i, in PyNN's order:
//   Line:   cell i at (x0 + i dx, y, z)
//   Grid2D: cell i at (x0 + ix dx, y0 + iy dy, z), ix = i / ny, iy = i % ny
//   Grid3D: cell i at (x0 + ix dx, y0 + iy dy, z0 + iz dz), z index fastest,
//           then y, then x
//   random fill_order: a permutation of those rows (Fisher-Yates), drawn
//           from random_stream(seed, positions_purpose(population), population)
//   RandomStructure: cell i from random_stream(seed, positions_purpose(population), i):
//           uniform in the cuboid centred on origin, or uniform in the sphere's
//           volume (rejection from the enclosing cube, as PyNN does)
// Calls check_structure first. The same on every rank, for any split.
std::vector<std::array<double, 3>> generate_positions(const structure_spec& s, std::uint64_t n,
                                                      std::uint64_t seed, std::uint64_t population);

// PyNN's Space: which axes count in a distance, and periodic boundaries
// [lo, hi) per axis (nullopt: open). PyNN's scale_factor and offset are not
// supported (always 1 and 0).
struct space_spec {
    std::array<bool, 3> axes{true, true, true};
    std::array<std::optional<std::pair<double, double>>, 3> periodic;
};

// The axes of PyNN's Space(axes=...): "x", "y", "z", "xy", "yz", "xz" or
// "xyz" (the keys PyNN accepts); nullopt for anything else.
std::optional<std::array<bool, 3>> parse_axes(std::string_view axes);

// Throws ganglion::error for a periodic axis whose bounds are not finite or
// not increasing (hi <= lo).
void check_space(const space_spec& s);

// The distance between two positions and its components. dx, dy, dz are the
// absolute differences along each axis after wrapping (0 for an axis the space
// does not use); d is the Euclidean norm over the used axes.
struct displacement {
    double d, dx, dy, dz;
};

// Along a periodic axis of length L = hi - lo, the component is
// min(r, L - r) with r = |a - b| reduced modulo L (for positions inside
// [lo, hi), r = |a - b| and this is PyNN's formula).
displacement distance(const space_spec& s, const std::array<double, 3>& a,
                      const std::array<double, 3>& b);

}  // namespace ganglion
