// W3 as a whole process: build, evaluate and backpropagate an N-deep tanh chain, then print the
// time and the peak resident memory per node. Used with /usr/bin/time -v in bench/run.sh.
//   mgrad-chain [N] [mgrad|reference]
#include <fmt/format.h>
#include <sys/resource.h>

#include <mgrad/mgrad.hpp>

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "reference_tape.hpp"

int main(int argc, char** argv) {
    const std::size_t depth = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
    const std::string_view engine = argc > 2 ? argv[2] : "mgrad";
    const auto start = std::chrono::steady_clock::now();
    double grad = 0.0, data = 0.0;
    if (engine == "reference") {
        reftape::Tape t;
        reftape::Var x = reftape::leaf(t, 0.5);
        reftape::Var y = x;
        for (std::size_t i = 0; i < depth; ++i)
            y = tanh(y);
        t.backward(y.id);
        grad = x.g();
        data = y.v();
    } else {
        mgrad::Value x{0.5, "x"};
        mgrad::Value y = x;
        for (std::size_t i = 0; i < depth; ++i)
            y = tanh(y);
        y.backward();
        grad = x.grad();
        data = y.data();
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double peak = static_cast<double>(usage.ru_maxrss) * 1024.0;
    fmt::print(
        "{}: depth {} y={:.6g} x.grad={:.6g} time {:.3f} s ({:.1f} ns/node), peak RSS "
        "{:.1f} MiB ({:.1f} bytes/node)\n",
        engine, depth, data, grad, took.count(), took.count() * 1e9 / double(depth + 1),
        peak / (1024.0 * 1024.0), peak / double(depth + 1));
    return 0;
}
