// Session commands on a large session: how long `:grad` and `:vars` take to show their first
// screen in the REPL (a page of 50 rows, Output::page_rows()) against printing the whole table
// (a script or a pipe, page_rows() = 0), on the same session of about a million nodes.
//
// The session is W4's script (bench/gen_script.py's shapes) of 333,333 statements: one name and
// about three nodes each, then `:backward` of the last. Output goes to /dev/null, so writing
// costs what a terminal's write() costs the process.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <memory>
#include <string>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>

namespace {

constexpr std::size_t statements = 333'333;

std::string script() {
    constexpr std::array<const char*, 4> shapes = {"x{} * 0.999 + x{}", "tanh(x{}) - x{} / 3",
                                                   "x{} + x{} * x{}", "sigmoid(x{}) * 2 - 1"};
    std::string text = "x0 = 0.5\nx1 = -1.25\n";
    for (std::size_t i = 2; i < statements; ++i) {
        text += fmt::format("x{} = ", i);
        switch (i % 4) {
            case 0: text += fmt::format(fmt::runtime(shapes[0]), i - 1, i - 2); break;
            case 1: text += fmt::format(fmt::runtime(shapes[1]), i - 1, i - 2); break;
            case 2: text += fmt::format(fmt::runtime(shapes[2]), i - 1, i - 2, i - 1); break;
            default: text += fmt::format(fmt::runtime(shapes[3]), i - 2); break;
        }
        text += '\n';
    }
    return text + fmt::format(":backward x{}\n", statements - 1);
}

struct Big {
    std::ofstream null{"/dev/null"};
    mgrad::StreamOutput out{null, null};
    mgrad::Session session{out, mgrad::SessionOptions{false, false, 5'000'000}};
    Big() {
        mgrad::add_standard_commands(session);
        if (!session.run("<bench>", script())) throw std::runtime_error("the script failed");
    }
};

Big& big() {
    static const auto session = std::make_unique<Big>();
    return *session;
}

void run_command(benchmark::State& state, const std::string& command, std::size_t page) {
    Big& b = big();
    b.out.set_page_rows(page);
    for (auto _ : state)
        if (!b.session.run("<bench>", command)) state.SkipWithError("the command failed");
    state.counters["nodes"] = static_cast<double>(b.session.graph().size());
    b.out.set_page_rows(0);
}

const std::string last = fmt::format(":grad x{}", statements - 1);

void BM_grad_all_first_screen(benchmark::State& s) { run_command(s, ":grad", 50); }
void BM_grad_all_whole(benchmark::State& s) { run_command(s, ":grad", 0); }
void BM_grad_root_first_screen(benchmark::State& s) { run_command(s, last, 50); }
void BM_grad_root_whole(benchmark::State& s) { run_command(s, last, 0); }
void BM_vars_first_screen(benchmark::State& s) { run_command(s, ":vars", 50); }
void BM_vars_whole(benchmark::State& s) { run_command(s, ":vars", 0); }

}  // namespace

BENCHMARK(BM_grad_all_first_screen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_grad_all_whole)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_grad_root_first_screen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_grad_root_whole)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_vars_first_screen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_vars_whole)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
