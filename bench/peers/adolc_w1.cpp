// ADOL-C peer for W1 (micrograd's test_more_ops into a 1,000,000-node graph) and W3 (tanh
// chain): re-recording the tape every time, and recording once then replaying it.
//   mgrad-peer-adolc w1|w3 [repeats]
// Prints one line per mode: the median seconds and ns per mgrad-equivalent node.
#include <adolc/adolc.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <vector>

// ADOL-C's types live in the global namespace, so relu must too, before the workloads see it.
inline adouble relu(const badouble& x) { return fmax(x, 0.0); }

#include "../workloads.hpp"

namespace {
using workloads::w1;

// Builds W1 on the active tape; records each leaf value so the replay can reuse them.
double record_w1(short tag, std::vector<double>& xs) {
    xs.clear();
    trace_on(tag);
    auto leaf = [&xs](double v) {
        adouble a;
        a <<= v;
        xs.push_back(v);
        return a;
    };
    adouble out = w1<adouble>(leaf, 1'000'000);
    double y = 0;
    out >>= y;
    trace_off();
    return y;
}

double record_w3(short tag, std::vector<double>& xs, std::size_t depth) {
    xs.assign(1, 0.5);
    trace_on(tag);
    adouble x;
    x <<= 0.5;
    adouble y = x;
    for (std::size_t i = 0; i < depth; ++i)
        y = tanh(y);
    double out = 0;
    y >>= out;
    trace_off();
    return out;
}

template <class F>
double median_seconds(int repeats, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        auto s = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view which = argc > 1 ? argv[1] : "w1";
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    const std::size_t depth = 1'000'000;
    // mgrad's node count for the same maths, so ns/node compares across engines.
    const double nodes = which == "w1" ? 999'973.0 : static_cast<double>(depth + 1);
    std::vector<double> xs, g;
    auto record = [&] { return which == "w1" ? record_w1(1, xs) : record_w3(1, xs, depth); };
    double y = 0;
    const double rerecord = median_seconds(repeats, [&] {
        y = record();
        g.assign(xs.size(), 0.0);
        gradient(1, static_cast<int>(xs.size()), xs.data(), g.data());
    });
    fmt::print("adolc-rerecord {} y={:.17g} g0={:.17g} {:.4f} s {:.2f} ns/node\n", which, y,
               g.at(0), rerecord, rerecord * 1e9 / nodes);
    record();
    const double replay = median_seconds(
        repeats, [&] { gradient(1, static_cast<int>(xs.size()), xs.data(), g.data()); });
    fmt::print("adolc-replay {} y={:.17g} g0={:.17g} {:.4f} s {:.2f} ns/node\n", which, y, g.at(0),
               replay, replay * 1e9 / nodes);
    return 0;
}
