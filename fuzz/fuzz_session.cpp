// libFuzzer target over the whole pipeline a pasted script goes through: lexing, parsing,
// evaluation, backward, `:tree`, `:grad`, `:vars`, DOT and JSON generation for the named nodes,
// and the commands that write and read files. Any input must end in output or a clean
// mgrad::Error; a crash, a sanitizer report, a leak or an exception other than mgrad::Error is
// a bug.
//
// File commands (`:load`, `:save`, `:draw`, `:export`, `:plot FILE`, `:trace NAME DIR`,
// `:minimize … plot=FILE`) run for real, inside a scratch directory emptied before each input:
// their file arguments are made to point into it, and an absolute name or a `..` is refused, so
// an input can save a script and load it again but never touch another file. Layouts (`:draw`
// to SVG/PNG/PDF, `:trace` frames) run with a small time budget: at most 150 values a picture,
// and 0.3 s of CPU time for one command, delivered as Ctrl-C (`:trace` stops between frames).
//
// After the input, the session rule is checked: the transcript `:save` would write, replayed in
// a fresh session, must give the same tape and bindings, whatever failed or was interrupted.
//
// Build and run: cmake --preset fuzz && cmake --build --preset fuzz
//   build/fuzz/fuzz/mgrad-fuzz-session -dict=fuzz/mgrad.dict CORPUS fuzz/corpus tests/golden
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <bit>
#include <charconv>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/command_spec.hpp>
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

// A CPU-time budget per input, delivered as the REPL's Ctrl-C: commands that can run long
// (`:minimize` with a huge step count) must poll Session::interrupted() and stop, so an input
// never times out and the interrupt path is fuzzed too. SIGVTALRM, because libFuzzer's own
// -timeout uses SIGALRM.
volatile std::sig_atomic_t g_interrupt = 0;

extern "C" void on_budget(int) { g_interrupt = 1; }

constexpr long input_budget_us = 2'000'000;
constexpr long layout_budget_us = 300'000;

void set_budget(long microseconds) {
    itimerval budget{};
    budget.it_value.tv_sec = microseconds / 1'000'000;
    budget.it_value.tv_usec = microseconds % 1'000'000;
    setitimer(ITIMER_VIRTUAL, &budget, nullptr);
}

long budget_left() {
    itimerval now{};
    getitimer(ITIMER_VIRTUAL, &now);
    return now.it_value.tv_sec * 1'000'000L + now.it_value.tv_usec;
}

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
    set_budget(input_budget_us);
}

void stop_budget() { set_budget(0); }

/// For one command that lays out or writes pictures: the input's budget shrinks to
/// layout_budget_us while it runs, and what is left of the input's budget comes back after
/// (unless the input's own budget ran out meanwhile, or had already).
class LayoutBudget {
  public:
    LayoutBudget() : m_left(g_interrupt ? 0 : budget_left()) {
        if (m_left > 0) set_budget(std::min(m_left, layout_budget_us));
        m_start = std::clock();
    }
    LayoutBudget(const LayoutBudget&) = delete;
    LayoutBudget& operator=(const LayoutBudget&) = delete;
    ~LayoutBudget() {
        if (m_left <= 0) return;
        const double seconds =
            static_cast<double>(std::clock() - m_start) / static_cast<double>(CLOCKS_PER_SEC);
        const long used = static_cast<long>(seconds * 1e6);
        if (used < m_left) {
            g_interrupt = 0;
            set_budget(m_left - used);
        } else {
            g_interrupt = 1;
        }
    }

  private:
    long m_left;
    std::clock_t m_start{};
};

/// The directory every file command of an input works in: $TMPDIR/mgrad-fuzz-PID, emptied
/// before each input. libFuzzer ends the process without running exit handlers, so instead
/// the directories of fuzz processes that are gone are removed when the next one starts.
const std::filesystem::path& scratch() {
    static const std::filesystem::path dir = [] {
        namespace fs = std::filesystem;
        const fs::path tmp = fs::temp_directory_path();
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(tmp, ec)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with("mgrad-fuzz-")) continue;
            int pid = 0;
            const auto [end, bad] =
                std::from_chars(name.data() + 11, name.data() + name.size(), pid);
            if (bad != std::errc{} || end != name.data() + name.size() || pid <= 0) continue;
            if (::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
        }
        fs::path mine = tmp / fmt::format("mgrad-fuzz-{}", ::getpid());
        fs::create_directories(mine, ec);
        if (ec) std::abort();
        return mine;
    }();
    return dir;
}

void empty_scratch() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(scratch(), ec))
        std::filesystem::remove_all(entry.path(), ec);
}

/// A file argument, made to point into the scratch directory. An absolute name or one with a
/// `..` would leave it: refused, as an Error the input sees like any other.
std::string confined(const mgrad::Word& word, std::string_view text) {
    const std::filesystem::path path(text);
    bool outside = path.is_absolute() || path.has_root_name();
    for (const auto& part : path)
        outside = outside || part == "..";
    if (outside)
        throw mgrad::Error("the fuzz target writes only in its scratch directory", word.span);
    return (scratch() / path).string();
}

using Handler = mgrad::CommandHandler;

/// Registers `name` again with the same usage, help and replay flag, and `wrap(handler)` as its
/// handler.
template <class Wrap>
void rewrap(mgrad::Session& session, const char* name, Wrap wrap) {
    const mgrad::Command* command = session.find_command(name);
    if (command == nullptr) return;
    mgrad::Command replaced = *command;
    replaced.handler = wrap(command->handler);
    session.add_command(std::move(replaced));
}

/// The changed words checked again against the command's spec, as the session checks what is
/// typed, so the handler reads its arguments as it would have.
mgrad::CommandArgs recheck(mgrad::Session& s, const char* name,
                           std::span<const mgrad::Word> words) {
    const mgrad::Command* command = s.find_command(name);
    return command != nullptr ? mgrad::check_args(s, *command, words) : mgrad::CommandArgs(words);
}

/// The handler with its argument `index` (counted from the end when negative) confined.
Handler confine_arg(Handler handler, const char* name, int index) {
    return [handler, name, index](mgrad::Session& s, std::span<const mgrad::Word> args,
                                  mgrad::Output& o) {
            std::vector<mgrad::Word> words(args.begin(), args.end());
            const long at = index >= 0 ? index : static_cast<long>(words.size()) + index;
            if (at >= 0 && at < static_cast<long>(words.size()))
                words[at].text = confined(words[at], words[at].text);
            LayoutBudget budget;
            handler(s, recheck(s, name, words), o);
        };
}

bool looks_like_range(std::string_view word) {
    const std::size_t eq = word.find('=');
    return eq != std::string_view::npos && word.find("..", eq) != std::string_view::npos;
}

/// Draw options after NAME FILE: at most 150 values, so that one layout stays short.
bool small_picture(const std::vector<mgrad::Word>& words) {
    for (std::size_t i = 2; i < words.size(); ++i) {
        const std::string_view w = words[i].text;
        if (!w.starts_with("max-nodes=")) continue;
        unsigned long n = 0;
        const auto [end, ec] = std::from_chars(w.data() + 10, w.data() + w.size(), n);
        if (ec == std::errc{} && end == w.data() + w.size() && n <= 150) return true;
    }
    return false;
}

void install_file_commands(mgrad::Session& session) {
    rewrap(session, "load", [](Handler h) { return confine_arg(h, "load", 0); });
    rewrap(session, "save", [](Handler h) { return confine_arg(h, "save", 0); });
    rewrap(session, "export", [](Handler h) { return confine_arg(h, "export", 1); });
    rewrap(session, "trace", [](Handler h) { return confine_arg(h, "trace", 1); });
    rewrap(session, "draw", [](Handler h) -> Handler {
        return [h](mgrad::Session& s, std::span<const mgrad::Word> args, mgrad::Output& o) {
            std::vector<mgrad::Word> words(args.begin(), args.end());
            if (words.size() >= 2) {
                words[1].text = confined(words[1], words[1].text);
                if (!small_picture(words)) words.push_back({"max-nodes=150", words[1].span});
            }
            LayoutBudget budget;
            h(s, recheck(s, "draw", words), o);
        };
    });
    // :plot EXPR x=A..B FILE: FILE is the last word when the one before it is the range.
    rewrap(session, "plot", [](Handler h) -> Handler {
        return [h](mgrad::Session& s, std::span<const mgrad::Word> args, mgrad::Output& o) {
            std::vector<mgrad::Word> words(args.begin(), args.end());
            if (words.size() >= 3 && looks_like_range(words[words.size() - 2].text))
                words.back().text = confined(words.back(), words.back().text);
            LayoutBudget budget;
            h(s, recheck(s, "plot", words), o);
        };
    });
    rewrap(session, "minimize", [](Handler h) -> Handler {
        return [h](mgrad::Session& s, std::span<const mgrad::Word> args, mgrad::Output& o) {
            std::vector<mgrad::Word> words(args.begin(), args.end());
            for (mgrad::Word& w : words)
                if (w.text.starts_with("plot=") && w.text.size() > 5)
                    w.text = "plot=" + confined(w, std::string_view(w.text).substr(5));
            h(s, recheck(s, "minimize", words), o);
        };
    });
}

/// The session rule as an oracle: the transcript (what `:save` writes after its header line),
/// run in a fresh session, must give the same session, whatever failed or was interrupted in
/// the input: every binding names a node with the same op, data and gradient (to the bit) and
/// label, whose operands match in the same way, all the way down. (Unnamed nodes, such as an
/// expression statement's value, are not part of what :save rebuilds, so the tapes themselves
/// may differ in length.) A mismatch is a crash. Skipped when the replay itself runs out of its
/// CPU budget.
bool same_node(const mgrad::Graph& a, mgrad::NodeId x, const mgrad::Graph& b, mgrad::NodeId y) {
    const mgrad::Node& p = a.node(x);
    const mgrad::Node& q = b.node(y);
    if (p.op != q.op ||
        std::bit_cast<std::uint64_t>(p.data) != std::bit_cast<std::uint64_t>(q.data) ||
        std::bit_cast<std::uint64_t>(p.grad) != std::bit_cast<std::uint64_t>(q.grad) ||
        a.label(x) != b.label(y) || a.parents(x).size() != b.parents(y).size())
        return false;
    return p.op != mgrad::Op::PowConst || (p.b == q.b && p.c == q.c);  // the exponent's bits
}

/// Whether the graphs below `x` in `a` and `y` in `b` are the same; `seen` maps the nodes of
/// `a` already matched to theirs in `b`.
bool same_graph(const mgrad::Graph& a, mgrad::NodeId x, const mgrad::Graph& b, mgrad::NodeId y,
                std::unordered_map<mgrad::NodeId, mgrad::NodeId>& seen) {
    std::vector<std::pair<mgrad::NodeId, mgrad::NodeId>> todo{{x, y}};
    while (!todo.empty()) {
        const auto [u, v] = todo.back();
        todo.pop_back();
        const auto [it, fresh] = seen.emplace(u, v);
        if (!fresh) {
            if (it->second != v) return false;
            continue;
        }
        if (!same_node(a, u, b, v)) return false;
        const mgrad::Parents pu = a.parents(u), pv = b.parents(v);
        for (std::size_t i = 0; i < pu.size(); ++i)
            todo.emplace_back(pu[i], pv[i]);
    }
    return true;
}

void check_replay(mgrad::Session& live, const mgrad::SessionOptions& options) {
    const std::string script(live.transcript().text);
    NullOutput out;
    mgrad::Session replay(out, options);
    mgrad::add_standard_commands(replay);
    install_file_commands(replay);
    replay.set_interrupt_flag(&g_interrupt);
    start_budget();
    (void)replay.run("<replay>", script);
    const bool complete = !g_interrupt;
    stop_budget();
    if (!complete) return;
    mgrad::Graph& a = live.graph();
    mgrad::Graph& b = replay.graph();
    a.forward();
    b.forward();
    std::unordered_map<mgrad::NodeId, mgrad::NodeId> seen;
    std::string wrong;
    if (live.names().size() != replay.names().size())
        wrong =
            fmt::format("{} names live, {} replayed", live.names().size(), replay.names().size());
    for (const auto& name : live.names()) {
        if (!wrong.empty()) break;
        const auto x = live.lookup(name);
        const auto y = replay.lookup(name);
        if (!y)
            wrong = fmt::format("'{}' is not bound by the replay", name);
        else if (!same_graph(a, *x, b, *y, seen))
            wrong = fmt::format("'{}' differs", name);
    }
    if (wrong.empty()) return;
    std::fprintf(stderr, "session rule broken: %s; the transcript:\n%s\n", wrong.c_str(),
                 script.substr(0, 4000).c_str());
    std::abort();
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
    install_file_commands(session);
    empty_scratch();
    session.set_interrupt_flag(&g_interrupt);
    start_budget();

    (void)session.run("<fuzz>", text);
    stop_budget();
    check_replay(session, options);
    start_budget();

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
