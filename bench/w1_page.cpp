// W1 (bench/workloads.hpp: micrograd's test_more_ops into 1,000,000 nodes, build + backward),
// timed the same way natively and in WebAssembly, for the playground's budget (within 3× native,
// bench/page_bench.py). Built natively by the preset bench (mgrad-w1) and with emscripten by the
// preset wasm (w1.js, run by node and by Chromium).
//   mgrad-w1 [REPETITIONS] [NODES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mgrad/engine/value.hpp"
#include "workloads.hpp"

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::atoi(argv[1]) : 7;
    const auto nodes =
        static_cast<std::size_t>(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000);
    mgrad::Graph g;
    std::vector<double> ms;
    double y = 0, g0 = 0;
    for (int r = 0; r < reps; ++r) {
        g.clear();
        const auto start = std::chrono::steady_clock::now();
        auto leaf = [&g](double v) { return mgrad::Value{g, v}; };
        const mgrad::Value out = workloads::w1<mgrad::Value>(leaf, nodes);
        out.backward();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
        y = out.data();
        g0 = g.node(0).grad;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("w1 nodes=%zu y=%.17g g0=%.17g median_ms=%.2f min_ms=%.2f reps=%d\n",
                static_cast<std::size_t>(g.size()), y, g0, ms[ms.size() / 2], ms.front(), reps);
    return 0;
}
