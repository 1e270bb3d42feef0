#pragma once

// A barrier for the threads of one parallel region that does useful work
// while it waits (simulation::run: a thread that is through an interval
// before the others draws its Poisson drive's next words instead of
// spinning; on two cores the waits are 7-16% of a thread's time, from
// per-interval imbalance).
//
// Centralised and sense-reversing: the last thread to arrive resets the
// count and advances the generation; the others wait for the generation to
// change, calling work() until it returns false, then pausing, then (after a
// while, for runs with more threads than cores) yielding. Everything written
// before wait() by any thread is visible after it to every thread.

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ganglion {

class working_barrier {
  public:
    explicit working_barrier(int n_threads) : n_(n_threads) {}

    template <class Work>
    void wait(Work&& work) {
        const unsigned generation = generation_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
            arrived_.store(0, std::memory_order_relaxed);
            generation_.fetch_add(1, std::memory_order_release);
            return;
        }
        bool more = true;
        int idle = 0;
        while (generation_.load(std::memory_order_acquire) == generation) {
            if (more && (more = work())) continue;
            if (++idle < spins_before_yield)
                pause();
            else
                std::this_thread::yield();
        }
    }
    void wait() {
        wait([] { return false; });
    }

  private:
    static constexpr int spins_before_yield = 2000;
    static void pause() {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
    }
    const int n_;
    std::atomic<int> arrived_{0};
    std::atomic<unsigned> generation_{0};
};

}  // namespace ganglion
