// libFuzzer target over the whole pipeline a pasted script goes through: lexing, parsing,
// evaluation, backward, `:tree`, `:grad`, `:vars`, and DOT and JSON generation for the named
// nodes. Any input must end in output or a clean mgrad::Error; a crash, a sanitizer report, a
// leak or an exception other than mgrad::Error is a bug.
//
// Commands that touch the file system (`:load`, `:save`, `:draw`) are replaced by versions
// that stay in memory: `:draw NAME [options]` parses the draw options and makes the DOT text
// (Graphviz's cgraph, not its slow layout), so the fuzzer explores options too.
//
// Build and run: cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/fuzz/mgrad-fuzz-session -max_total_time=60 fuzz/corpus tests/golden examples
#include <sys/time.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/render/render.hpp>
#include <mgrad/support/error.hpp>

namespace {

/// Throws output away; counting keeps the calls from being optimised out.
class NullOutput : public mgrad::Output {
  public:
    void text(std::string_view text) override { m_bytes += text.size(); }
    void diagnostic(mgrad::Severity, std::string_view formatted) override {
        m_bytes += formatted.size();
    }
    std::size_t m_bytes = 0;
};

void draw_in_memory(mgrad::Session& session, std::span<const mgrad::Word> args, mgrad::Output&) {
    if (args.empty()) throw mgrad::Error("usage: :draw NAME [options]");
    const mgrad::NodeId root = session.require(args[0].text, args[0].span);
    std::vector<std::string> words;
    for (const auto& w : args.subspan(1))
        words.push_back(w.text);
    mgrad::DrawOptions options = mgrad::parse_draw_options(words);
    options.max_nodes = std::min<std::size_t>(options.max_nodes, 300);
    (void)mgrad::to_dot(session.graph(), root, options);
    (void)mgrad::to_json(session.graph(), root, options);
}

void no_op(mgrad::Session&, std::span<const mgrad::Word>, mgrad::Output&) {}

// A CPU-time budget per input, delivered as the REPL's Ctrl-C: commands that can run long
// (`:minimize` with a huge step count) must poll Session::interrupted() and stop, so an input
// never times out and the interrupt path is fuzzed too. SIGVTALRM, because libFuzzer's own
// -timeout uses SIGALRM.
volatile std::sig_atomic_t g_interrupt = 0;

extern "C" void on_budget(int) { g_interrupt = 1; }

void start_budget() {
    static const bool installed = [] {
        struct sigaction action {};
        action.sa_handler = on_budget;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGVTALRM, &action, nullptr);
        return true;
    }();
    (void)installed;
    g_interrupt = 0;
    itimerval budget{};
    budget.it_value.tv_sec = 2;
    setitimer(ITIMER_VIRTUAL, &budget, nullptr);
}

void stop_budget() {
    itimerval off{};
    setitimer(ITIMER_VIRTUAL, &off, nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    NullOutput out;
    mgrad::SessionOptions options;
    options.keep_going = true;   // every statement, not only up to the first error
    options.max_nodes = 20'000;  // keeps one input fast; the cap itself gets exercised
    mgrad::Session session(out, options);
    mgrad::add_standard_commands(session);
    session.add_command({"load", ":load FILE", "", "", no_op});
    session.add_command({"save", ":save FILE", "", "", no_op});
    session.add_command({"draw", ":draw NAME [options]", "", "", draw_in_memory});
    // The gradient lab's file outputs: :export and :plot FILE write files, :trace DIR writes
    // frames, :minimize plot=FILE a chart. The rest of each command still runs.
    session.add_command({"export", ":export", "", "", no_op});
    session.add_command({"plot", ":plot", "", "", no_op});
    if (const mgrad::Command* trace = session.find_command("trace")) {
        auto handler = trace->handler;
        session.add_command(
            {"trace", ":trace NAME", "", "",
             [handler](mgrad::Session& s, std::span<const mgrad::Word> args, mgrad::Output& o) {
                 if (args.size() <= 1) handler(s, args, o);
             }});
    }
    if (const mgrad::Command* minimize = session.find_command("minimize")) {
        auto handler = minimize->handler;
        session.add_command(
            {"minimize", ":minimize", "", "",
             [handler](mgrad::Session& s, std::span<const mgrad::Word> args, mgrad::Output& o) {
                 std::vector<mgrad::Word> kept;
                 for (const mgrad::Word& w : args)
                     if (w.text.rfind("plot=", 0) != 0) kept.push_back(w);
                 handler(s, kept, o);
             }});
    }
    session.set_interrupt_flag(&g_interrupt);
    start_budget();

    (void)session.run("<fuzz>", text);

    // Then every named node (a few, to keep each input fast) goes through the rest.
    // The last few names (copied: running commands may bind more).
    const auto& all = session.names();
    std::vector<std::string> names(
        all.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(all.size(), 4)), all.end());
    for (const auto& name : names) {
        (void)session.run_command("backward", {name});
        (void)session.run_command("tree", {name});
        (void)session.run_command("grad", {});
        mgrad::DrawOptions draw;
        draw.max_nodes = 300;
        try {
            const mgrad::NodeId id = session.require(name);
            (void)mgrad::to_dot(session.graph(), id, draw);
            draw.hide_constants = true;
            draw.depth = 3;
            (void)mgrad::to_json(session.graph(), id, draw);
        } catch (const mgrad::Error&) {
            // A graph over the node cap is refused with an Error: that is the expected outcome.
        }
    }
    (void)session.run_command("vars", {});
    stop_budget();
    return 0;
}
