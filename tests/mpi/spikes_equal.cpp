// spikes_equal A.h5 B.h5: exit 0 when two SONATA spike files hold the same
// populations with bit-for-bit identical node_ids and timestamps; otherwise
// prints the first difference and exits 1.

#include <cstdio>
#include <cstring>
#include <iostream>

#include "io/spike_file.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: spikes_equal A.h5 B.h5\n";
        return 2;
    }
    try {
        const auto a = ganglion::read_sonata_spikes(argv[1]);
        const auto b = ganglion::read_sonata_spikes(argv[2]);
        if (a.size() != b.size()) {
            std::cerr << "different population counts: " << a.size() << " vs " << b.size() << "\n";
            return 1;
        }
        std::size_t total = 0;
        for (const auto& [name, ta] : a) {
            const auto it = b.find(name);
            if (it == b.end()) {
                std::cerr << "population " << name << " missing in " << argv[2] << "\n";
                return 1;
            }
            const auto& tb = it->second;
            if (ta.node_ids.size() != tb.node_ids.size() ||
                ta.timestamps.size() != tb.timestamps.size()) {
                std::cerr << name << ": " << ta.node_ids.size() << " vs " << tb.node_ids.size()
                          << " spikes\n";
                return 1;
            }
            for (std::size_t i = 0; i < ta.node_ids.size(); ++i) {
                // Bit-for-bit: compare the bytes of the doubles, not their values.
                if (ta.node_ids[i] != tb.node_ids[i] ||
                    std::memcmp(&ta.timestamps[i], &tb.timestamps[i], sizeof(double)) != 0) {
                    std::cerr << name << ": spike " << i << " differs: (" << ta.node_ids[i] << ", "
                              << ta.timestamps[i] << ") vs (" << tb.node_ids[i] << ", "
                              << tb.timestamps[i] << ")\n";
                    return 1;
                }
            }
            total += ta.node_ids.size();
        }
        if (total == 0) {
            std::cerr << "no spikes at all: nothing was compared\n";
            return 1;
        }
        std::cout << "identical: " << a.size() << " populations, " << total << " spikes\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "spikes_equal: " << e.what() << "\n";
        return 2;
    }
}
