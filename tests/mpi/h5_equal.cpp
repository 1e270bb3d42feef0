// h5_equal A.h5 B.h5: exit 0 when both files hold the same groups and datasets, the datasets
// with the same type, the same shape and bit-for-bit identical contents (any fixed-size
// type: integers, floats, enums, fixed-length strings, compounds of those). Otherwise prints
// the first difference and exits 1; also exits 1 when there is nothing to compare (no dataset
// element in either file). Exits 2 on a usage error, an unreadable file, or a dataset of
// variable-length type. Attributes are not compared.

#include <hdf5.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "io/hdf5_common.hpp"

namespace {

using ganglion::hdf5::handle;

struct unreadable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class kind { group, dataset, other };

const char* name_of(kind k) {
    switch (k) {
        case kind::group:
            return "group";
        case kind::dataset:
            return "dataset";
        case kind::other:
            return "object of another kind";
    }
    return "?";
}

// Every object below the root, by path, in name order.
std::map<std::string, kind> objects(hid_t file) {
    std::vector<std::string> paths;
    const herr_t rc = H5Lvisit(
        file, H5_INDEX_NAME, H5_ITER_INC,
        [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
            static_cast<std::vector<std::string>*>(out)->push_back(name);
            return 0;
        },
        &paths);
    if (rc < 0) throw unreadable("cannot list the objects: " + ganglion::hdf5::error_detail());
    std::map<std::string, kind> result;
    for (const auto& path : paths) {
        handle object(H5Oopen(file, path.c_str(), H5P_DEFAULT), H5Oclose);
        if (!object.valid()) {
            result["/" + path] = kind::other;  // a dangling soft link, say
            continue;
        }
        const H5I_type_t type = H5Iget_type(object.get());
        result["/" + path] = type == H5I_GROUP     ? kind::group
                             : type == H5I_DATASET ? kind::dataset
                                                   : kind::other;
    }
    return result;
}

struct dataset_contents {
    handle type;
    std::vector<hsize_t> dims;
    std::size_t element_size = 0;
    std::vector<unsigned char> bytes;  // as stored, no conversion
};

dataset_contents read_raw(hid_t file, const std::string& path) {
    dataset_contents d;
    handle dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset.valid()) throw unreadable("cannot open dataset " + path);
    d.type = handle(H5Dget_type(dataset.get()), H5Tclose);
    handle space(H5Dget_space(dataset.get()), H5Sclose);
    if (!d.type.valid() || !space.valid()) throw unreadable("cannot inspect dataset " + path);
    if (H5Tis_variable_str(d.type.get()) > 0 || H5Tdetect_class(d.type.get(), H5T_VLEN) > 0)
        throw unreadable("dataset " + path + " has a variable-length type");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) throw unreadable("cannot get the shape of dataset " + path);
    d.dims.resize(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), d.dims.data(), nullptr);
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    d.element_size = H5Tget_size(d.type.get());
    d.bytes.resize(static_cast<std::size_t>(n) * d.element_size);
    if (n > 0 &&
        H5Dread(dataset.get(), d.type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, d.bytes.data()) < 0)
        throw unreadable("cannot read dataset " + path + ": " + ganglion::hdf5::error_detail());
    return d;
}

std::string shape(const std::vector<hsize_t>& dims) {
    std::ostringstream out;
    out << "[";
    for (std::size_t k = 0; k < dims.size(); ++k)
        out << (k ? ", " : "") << dims[k];
    out << "]";
    return out.str();
}

// One element as a person reads it: a number for integers and floats, else its bytes.
std::string element_text(hid_t type, const unsigned char* element, std::size_t size) {
    alignas(16) unsigned char buffer[64] = {};
    const H5T_class_t cls = H5Tget_class(type);
    if (size <= 16 && (cls == H5T_INTEGER || cls == H5T_FLOAT)) {
        std::memcpy(buffer, element, size);
        char text[64];
        if (cls == H5T_FLOAT) {
            if (H5Tconvert(type, H5T_NATIVE_DOUBLE, 1, buffer, nullptr, H5P_DEFAULT) >= 0) {
                double x;
                std::memcpy(&x, buffer, sizeof x);
                std::snprintf(text, sizeof text, "%.17g", x);
                return text;
            }
        } else if (H5Tget_sign(type) == H5T_SGN_NONE) {
            if (H5Tconvert(type, H5T_NATIVE_UINT64, 1, buffer, nullptr, H5P_DEFAULT) >= 0) {
                std::uint64_t x;
                std::memcpy(&x, buffer, sizeof x);
                std::snprintf(text, sizeof text, "%" PRIu64, x);
                return text;
            }
        } else if (H5Tconvert(type, H5T_NATIVE_INT64, 1, buffer, nullptr, H5P_DEFAULT) >= 0) {
            std::int64_t x;
            std::memcpy(&x, buffer, sizeof x);
            std::snprintf(text, sizeof text, "%" PRId64, x);
            return text;
        }
    }
    std::string hex = "0x";
    for (std::size_t k = 0; k < size; ++k) {
        char byte[3];
        std::snprintf(byte, sizeof byte, "%02x", element[k]);
        hex += byte;
    }
    return hex;
}

// Empty when equal, else the first difference.
std::string compare_datasets(hid_t file_a, hid_t file_b, const std::string& path,
                             std::uint64_t& elements) {
    const auto a = read_raw(file_a, path);
    const auto b = read_raw(file_b, path);
    if (H5Tequal(a.type.get(), b.type.get()) <= 0) return path + ": the types differ";
    if (a.dims != b.dims) return path + ": shape " + shape(a.dims) + " vs " + shape(b.dims);
    const std::size_t size = a.element_size;
    const std::size_t n = size ? a.bytes.size() / size : 0;
    for (std::size_t k = 0; k < n; ++k)
        if (std::memcmp(&a.bytes[k * size], &b.bytes[k * size], size) != 0)
            return path + ": element " + std::to_string(k) +
                   " differs: " + element_text(a.type.get(), &a.bytes[k * size], size) + " vs " +
                   element_text(b.type.get(), &b.bytes[k * size], size);
    elements += n;
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: h5_equal A.h5 B.h5\n";
        return 2;
    }
    const ganglion::hdf5::quiet_errors quiet;
    const std::string path_a = argv[1], path_b = argv[2];
    try {
        handle file_a, file_b;
        try {
            file_a = ganglion::hdf5::open_for_reading(path_a);
        } catch (const ganglion::hdf5::read_failed& e) {
            throw unreadable(path_a + ": " + e.what());
        }
        try {
            file_b = ganglion::hdf5::open_for_reading(path_b);
        } catch (const ganglion::hdf5::read_failed& e) {
            throw unreadable(path_b + ": " + e.what());
        }
        const auto in_a = objects(file_a.get());
        const auto in_b = objects(file_b.get());
        for (const auto& [path, k] : in_a) {
            const auto it = in_b.find(path);
            if (it == in_b.end()) {
                std::cerr << path << " (" << name_of(k) << ") is missing in " << path_b << "\n";
                return 1;
            }
            if (it->second != k) {
                std::cerr << path << " is a " << name_of(k) << " in " << path_a << " but a "
                          << name_of(it->second) << " in " << path_b << "\n";
                return 1;
            }
        }
        for (const auto& [path, k] : in_b)
            if (!in_a.count(path)) {
                std::cerr << path << " (" << name_of(k) << ") is missing in " << path_a << "\n";
                return 1;
            }

        std::uint64_t groups = 0, datasets = 0, elements = 0;
        for (const auto& [path, k] : in_a) {
            if (k == kind::group) ++groups;
            if (k != kind::dataset) continue;
            ++datasets;
            const auto difference = compare_datasets(file_a.get(), file_b.get(), path, elements);
            if (!difference.empty()) {
                std::cerr << difference << "\n";
                return 1;
            }
        }
        if (elements == 0) {
            std::cerr << "no dataset elements at all: nothing was compared\n";
            return 1;
        }
        std::cout << "identical: " << groups << " groups, " << datasets << " datasets, " << elements
                  << " elements\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "h5_equal: " << e.what() << "\n";
        return 2;
    }
}
