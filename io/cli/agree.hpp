#pragma once

#include <exception>
#include <string>

#include "core/error.hpp"

namespace ganglion::cli {

template <class F>
bool agree(communicator& comm, F&& f) {
    std::string message;
    bool failed = false;
    try {
        f();
    } catch (const error& e) {
        failed = true;
        message = e.what();
    }
    // The lowest failing rank: the largest (size - rank) among failures.
    const std::uint64_t mine = failed ? static_cast<std::uint64_t>(comm.size() - comm.rank()) : 0;
    const std::uint64_t worst = comm.max(mine);
    if (worst == 0) return true;
    if (failed && mine == worst) print_error(message);
    return false;
}

}  // namespace ganglion::cli
