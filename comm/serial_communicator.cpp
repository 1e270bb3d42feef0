#include "comm/serial_communicator.hpp"

#include <cstdlib>

namespace ganglion {

void serial_communicator::abort(int code) {
    std::_Exit(code);
}

}  // namespace ganglion
