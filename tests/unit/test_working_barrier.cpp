// core/working_barrier.hpp: no thread leaves a barrier before every thread
// has reached it, what was written before it is seen after it, and the
// work handed to it is done only while a thread waits, until it says it is
// done.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/working_barrier.hpp"

using ganglion::working_barrier;

TEST(working_barrier, no_thread_passes_before_all_arrive) {
    constexpr int n_threads = 4, rounds = 2000;
    working_barrier barrier(n_threads);
    std::vector<int> reached(n_threads, -1);  // plain ints: the barrier orders them
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < n_threads; ++t)
        threads.emplace_back([&, t] {
            for (int r = 0; r < rounds; ++r) {
                reached[t] = r;
                barrier.wait();
                for (int u = 0; u < n_threads; ++u)
                    if (reached[u] != r) ++errors;
                barrier.wait();  // nobody writes round r + 1 before all have read
            }
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(errors.load(), 0);
}

TEST(working_barrier, work_is_done_while_waiting_until_it_returns_false) {
    // Thread 0 arrives late every round; the others have 5 units of work
    // each in all, and must do all of them and call work() no more after it
    // returned false (once per wait).
    constexpr int n_threads = 3, rounds = 50;
    working_barrier barrier(n_threads);
    std::vector<int> left(n_threads, 5), calls_after_done(n_threads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < n_threads; ++t)
        threads.emplace_back([&, t] {
            for (int r = 0; r < rounds; ++r) {
                if (t == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
                bool said_done = false;
                barrier.wait([&] {
                    if (said_done) ++calls_after_done[t];
                    if (left[t] == 0) {
                        said_done = true;
                        return false;
                    }
                    --left[t];
                    return true;
                });
            }
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(left[1], 0);
    EXPECT_EQ(left[2], 0);
    for (int t = 0; t < n_threads; ++t)
        EXPECT_EQ(calls_after_done[t], 0) << "thread " << t;
}
