#include "models/checks.hpp"

#include <sstream>

namespace ganglion::checks {

std::string format_value(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

}  // namespace ganglion::checks
