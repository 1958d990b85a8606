// The session rule: whatever a command or statement did to the session is either undone when
// it fails, or recorded so that `:save` replays to the same state. Each test makes one kind of
// failure or interrupt happen, then runs the transcript in a fresh session and compares the
// two tapes node by node (op, parents, data, gradient and label, to the bit) and the bindings.
#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>

#include "engines.hpp"
#include "test_support.hpp"

using mgrad_test::FileSizeLimit;
using mgrad_test::InterruptAfter;
using mgrad_test::slurp;
using mgrad_test::TempDir;

namespace {

struct Fixture {
    std::ostringstream out, err;
    mgrad::StreamOutput sink{out, err};
    mgrad::Session session;
    explicit Fixture(mgrad::SessionOptions options = {}) : session(sink, options) {
        mgrad::add_standard_commands(session);
    }
};

struct NodeState {
    mgrad::Op op;
    mgrad::NodeId a, b, c;
    std::uint64_t data, grad;  // bits: NaN equals NaN, -0 differs from 0
    std::string label;
    bool operator==(const NodeState&) const = default;
};

struct State {
    std::vector<NodeState> nodes;
    std::map<std::string, mgrad::NodeId> bindings;
    bool operator==(const State&) const = default;
};

State state_of(mgrad::Session& session) {
    mgrad::Graph& g = session.graph();
    g.forward();
    State s;
    for (mgrad::NodeId id = 0; id < g.size(); ++id) {
        const mgrad::Node& n = g.node(id);
        s.nodes.push_back({n.op, n.a, n.b, n.c, std::bit_cast<std::uint64_t>(n.data),
                           std::bit_cast<std::uint64_t>(n.grad), std::string(g.label(id))});
    }
    for (const auto& name : session.names())
        s.bindings[name] = *session.lookup(name);
    return s;
}

/// Where the two states first differ, for the failure message.
std::string first_difference(const State& live, const State& replayed) {
    if (live.nodes.size() != replayed.nodes.size())
        return fmt::format("{} nodes live, {} after replay", live.nodes.size(),
                           replayed.nodes.size());
    for (std::size_t i = 0; i < live.nodes.size(); ++i)
        if (!(live.nodes[i] == replayed.nodes[i]))
            return fmt::format("node {} ('{}'): data {} / {}, grad {} / {}", i, live.nodes[i].label,
                               std::bit_cast<double>(live.nodes[i].data),
                               std::bit_cast<double>(replayed.nodes[i].data),
                               std::bit_cast<double>(live.nodes[i].grad),
                               std::bit_cast<double>(replayed.nodes[i].grad));
    return "the bindings differ";
}

/// What :save writes, run in a fresh session, gives the live session's state exactly.
void check_replay(Fixture& live) {
    TempDir dir;
    const std::filesystem::path saved = dir.path / "saved.mg";
    REQUIRE_MESSAGE(live.session.run("<test>", fmt::format(":save \"{}\"", saved.string())),
                    live.err.str());
    const std::string script = slurp(saved);
    Fixture replay(live.session.options());
    replay.session.options().keep_going = false;
    INFO("saved script:\n", script);
    REQUIRE_MESSAGE(replay.session.run_file(saved.string()), replay.err.str());
    const State a = state_of(live.session), b = state_of(replay.session);
    CHECK_MESSAGE(a == b, first_difference(a, b));
}

/// A loss whose descent is slow enough to be interrupted: 40 terms, a tiny lr.
constexpr std::string_view slow_loss =
    "w = 3; v = -2\n"
    "M = (w - 1)**2 + (v + 1)**2 + (w*v)**2 + (w - 1)**2 + (v + 1)**2 + (w*v)**2 + "
    "(w - 1)**2 + (v + 1)**2 + (w*v)**2 + (w - 1)**2 + (v + 1)**2 + (w*v)**2\n"
    ":backward M\n";

}  // namespace

TEST_CASE("session rule: an interrupted :minimize is recorded with the steps it took") {
    Fixture f;
    REQUIRE(f.session.run("<test>", slow_loss));
    {
        InterruptAfter ctrl_c(200);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        CHECK_FALSE(f.session.run("<test>", ":minimize M steps=10000000 lr=1e-9"));
    }
    CHECK(f.err.str().find("interrupted after") != std::string::npos);
    const double w = f.session.graph().data(*f.session.lookup("w"));
    CHECK(w < 3.0);  // it moved
    CHECK(f.session.transcript().text.find(":minimize M steps=") != std::string::npos);
    check_replay(f);
}

TEST_CASE("session rule: a :minimize whose plot cannot be written keeps and records its steps" *
          MGRAD_NEEDS_PLOTS) {
    TempDir dir;
    const std::string plot = (dir.path / "m.png").string();
    mgrad_test::put(plot, "the old picture");
    Fixture f;
    REQUIRE(f.session.run("<test>", "x = 3; L = (x - 1)**2"));
    {
        // The picture is rendered (in memory), then the write fails halfway: EFBIG, as ENOSPC.
        FileSizeLimit limit(1024);
        CHECK_FALSE(
            f.session.run("<test>", fmt::format(":minimize L steps=20 lr=0.1 \"plot={}\"", plot)));
    }
    CHECK(f.err.str().find("File too large (the descent is done") != std::string::npos);
    CHECK(f.out.str().find("L: 4 → ") != std::string::npos);  // the table was printed
    CHECK(mgrad_test::slurp(plot) == "the old picture");
    CHECK(dir.entries() == std::set<std::string>{"m.png"});
    CHECK(f.session.graph().data(*f.session.lookup("x")) < 3.0);
    check_replay(f);
}

TEST_CASE("session rule: a :minimize refused for its plot's directory changes nothing" *
          MGRAD_NEEDS_PLOTS) {
    Fixture f;
    REQUIRE(f.session.run("<test>", "x = 3; L = (x - 1)**2\n:backward L"));
    CHECK_FALSE(f.session.run("<test>", ":minimize L steps=20 plot=nodir/m.png"));
    CHECK(f.err.str().find("there is no directory 'nodir'") != std::string::npos);
    CHECK(f.session.graph().data(*f.session.lookup("x")) == 3.0);
    CHECK(f.out.str().empty());  // no step was taken
    check_replay(f);
}

TEST_CASE("session rule: a diverging :minimize puts the leaves and the gradients back") {
    Fixture f;
    REQUIRE(f.session.run("<test>", "x = 3; L = x**4\n:backward L"));
    const double grad_before = f.session.graph().grad(*f.session.lookup("x"));
    CHECK_FALSE(f.session.run("<test>", ":minimize L steps=1000 lr=10"));
    CHECK(f.err.str().find("the leaves are back at their start values") != std::string::npos);
    CHECK(f.session.graph().grad(*f.session.lookup("x")) == grad_before);
    check_replay(f);
}

TEST_CASE("session rule: a :trace whose frames fail part-way leaves the gradients as before" *
          MGRAD_NEEDS_LAYOUT) {
    TempDir dir;
    Fixture f;
    REQUIRE(f.session.run("<test>",
                          "a = 2; b = -3; c = 10; e = a*b; d = e + c; f = -2\n"
                          "L = d * f\n:backward e"));
    const State before = state_of(f.session);
    // Frame 3 cannot be written: a directory has its name.
    std::filesystem::create_directory(dir.path / "L-003.svg");
    CHECK_FALSE(f.session.run("<test>", fmt::format(":trace L \"{}\"", dir.path.string())));
    CHECK(f.err.str().find("it is a directory") != std::string::npos);
    CHECK(dir.entries().count("L-002.svg") == 1);  // the frames before were written
    CHECK(state_of(f.session) == before);
    check_replay(f);
}

TEST_CASE("session rule: an interrupted :trace leaves the gradients as before") {
    Fixture f;
    std::string chain = "x = 1\ny = x\n";
    for (int i = 0; i < 200'000; ++i)
        chain += "y = y * 1.0001 + x\n";
    REQUIRE(f.session.run("<test>", chain + ":backward x"));
    const State before = state_of(f.session);
    {
        InterruptAfter ctrl_c(100);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        CHECK_FALSE(f.session.run("<test>", ":trace y"));
    }
    CHECK(f.err.str().find("interrupted after") != std::string::npos);
    CHECK(state_of(f.session) == before);
    check_replay(f);
}

TEST_CASE("session rule: a statement that fails halfway leaves no node behind") {
    Fixture f;
    REQUIRE(f.session.run("<test>", "a = 2; b = 3"));
    const std::size_t size = f.session.graph().size();
    // a*b and the sum's constant are made before grad() refuses its plain-number x.
    CHECK_FALSE(f.session.run("<test>", "y = a*b + 1 + grad(a, 2)"));
    CHECK(f.err.str().find("x must be a node") != std::string::npos);
    CHECK(f.session.graph().size() == size);
    CHECK_FALSE(f.session.lookup("y"));
    CHECK_FALSE(f.session.run("<test>", "a.data = a*b + grad(a, 2)"));
    CHECK(f.session.graph().size() == size);
    CHECK(f.session.run("<test>", "y = a*b"));
    check_replay(f);
}

TEST_CASE("node cap: grad() stops at --max-nodes before taking the memory, and undoes") {
    mgrad::SessionOptions options;
    options.max_nodes = 1000;
    Fixture f(options);
    REQUIRE(f.session.run("<test>", "x = 0.5; f = tanh(x) * x"));
    const std::size_t size = f.session.graph().size();
    // 16 nested derivatives: without the cap, 15 million nodes (18: 2.7 GB, then out of memory).
    std::string nested = "f";
    for (int i = 0; i < 16; ++i)
        nested = fmt::format("grad({}, x)", nested);
    CHECK_FALSE(f.session.run("<test>", "d16 = " + nested));
    CHECK(f.err.str().find("this statement would take it past the limit of 1000") !=
          std::string::npos);
    CHECK(f.session.graph().size() == size);
    // The tape never held more than the cap: its memory was not even reserved beyond it.
    CHECK(f.session.graph().max_nodes() == 1000);
    // What fits still works.
    CHECK(f.session.run("<test>", "d2 = grad(grad(f, x), x)"));
    check_replay(f);
}

TEST_CASE("node cap: :plot's scratch session has the same cap") {
    mgrad::SessionOptions options;
    options.max_nodes = 1000;
    Fixture f(options);
    REQUIRE(f.session.run("<test>", "y = 1"));
    std::string nested = "tanh(x) * x";
    for (int i = 0; i < 16; ++i)
        nested = fmt::format("grad({}, x)", nested);
    CHECK_FALSE(f.session.run("<test>", ":plot " + nested + " x=0..1"));
    CHECK(f.err.str().find("past the limit of 1000") != std::string::npos);
}

TEST_CASE("session rule: a :load that fails halfway keeps, and records, what ran before") {
    TempDir dir;
    mgrad_test::put(dir.path / "half.mg", "p = 4\nq = p * p\n:backward q\nr = nothing\ns = 1\n");
    Fixture f;
    CHECK_FALSE(
        f.session.run("<test>", fmt::format(":load \"{}\"", (dir.path / "half.mg").string())));
    CHECK(f.session.lookup("q"));
    CHECK_FALSE(f.session.lookup("s"));
    check_replay(f);
}

TEST_CASE("session rule: an interrupted :check changes nothing") {
    Fixture f;
    std::string sum = "x0 = 0.5\ns = x0";
    for (int i = 1; i < 10000; ++i)
        sum += fmt::format("\nx{} = {}\ns = s + x{} * x{}", i, i % 7, i, i);
    REQUIRE(f.session.run("<test>", sum + "\n:backward s"));
    const State before = state_of(f.session);
    {
        InterruptAfter ctrl_c(100);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        CHECK_FALSE(f.session.run("<test>", ":check s"));
    }
    CHECK(f.err.str().find("interrupted after") != std::string::npos);
    CHECK(state_of(f.session) == before);
    check_replay(f);
}

TEST_CASE("session rule: an interrupted :plot changes nothing and writes nothing" *
          MGRAD_NEEDS_PLOTS) {
    TempDir dir;
    Fixture f;
    REQUIRE(f.session.run("<test>", "a = 2; L = a * a\n:backward L"));
    const State before = state_of(f.session);
    // Twelve nested derivatives: a few seconds for the 401 points without the Ctrl-C.
    std::string expr = "tanh(x)*x*a";
    for (int i = 0; i < 12; ++i)
        expr = fmt::format("grad({}, x)", expr);
    const std::string plot = (dir.path / "p.png").string();
    {
        InterruptAfter ctrl_c(300);
        f.session.set_interrupt_flag(&InterruptAfter::flag);
        CHECK_FALSE(f.session.run("<test>", fmt::format(":plot {} x=0..1 \"{}\"", expr, plot)));
    }
    CHECK(f.err.str().find("interrupted after") != std::string::npos);
    INFO(f.err.str().substr(0, 300));
    CHECK(f.err.str().find("of 401 points") != std::string::npos);
    CHECK(dir.entries().empty());
    CHECK(state_of(f.session) == before);
    check_replay(f);
}
