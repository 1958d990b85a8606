// Drawing graphs of any shape: the layout budget (copies of values beside distant uses, the
// compact look of large graphs), the bitmap cap, and the child process that an interrupt
// stops. How fast they are is measured by bench/bench_render.cpp, not here.
#include <doctest/doctest.h>

#include <mgrad/commands/commands.hpp>
#include <mgrad/language/session.hpp>
#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "draw_shapes.hpp"
#include "render/child_process.hpp"
#include "render/layout_budget.hpp"
#include "render/scene.hpp"

#include "engines.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using mgrad::DrawControl;
using mgrad::DrawOptions;
using mgrad::DrawProgress;
using mgrad::Format;
using mgrad::Graph;
using mgrad::NodeId;
using mgrad::render_detail::not_a_copy;
using mgrad::render_detail::Scene;
using mgrad::render_detail::SceneNode;

namespace {

using mgrad_test::TempDir;

std::string attr(const SceneNode& n, std::string_view name) {
    for (const auto& a : n.attrs)
        if (a.name == name) return a.value;
    return {};
}

std::string graph_attr(const Scene& s, std::string_view name) {
    for (const auto& a : s.graph_attrs)
        if (a.name == name) return a.value;
    return {};
}

std::size_t copies(const Scene& s) {
    std::size_t n = 0;
    for (const auto& node : s.nodes)
        n += node.copy_of != not_a_copy;
    return n;
}

std::size_t op_nodes(const Scene& s) {
    std::size_t n = 0;
    for (const auto& node : s.nodes)
        n += node.name.starts_with('o');
    return n;
}

DrawOptions cap(std::size_t n) {
    DrawOptions o;
    o.max_nodes = n;
    return o;
}

}  // namespace

TEST_CASE("layout: small graphs keep micrograd's look, untouched") {
    for (const auto& shape : mgrad::bench::shapes) {
        CAPTURE(shape.name);
        Graph g;
        NodeId root = shape.build(g, 40);
        Scene s = mgrad::render_detail::build_scene(g, root, {});
        CHECK(copies(s) == 0);
        CHECK(op_nodes(s) > 0);
        CHECK(graph_attr(s, "mclimit").empty());
    }
}

TEST_CASE("layout: a leaf shared by every step is drawn again beside its distant uses") {
    Graph g;
    NodeId root = mgrad::bench::shared_leaf(g, 300);  // ~100 steps: 60,000 virtual nodes uncut
    Scene s = mgrad::render_detail::build_scene(g, root, {});
    REQUIRE(copies(s) > 0);
    CHECK(op_nodes(s) > 0);  // still micrograd's look
    CHECK(s.layout_size <= mgrad::render_detail::layout_budget);
    CHECK(graph_attr(s, "nslimit") == "2");
    for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        const SceneNode& n = s.nodes[i];
        if (n.copy_of == not_a_copy) continue;
        const SceneNode& original = s.nodes[n.copy_of];
        // The same box (same value, same label and colours), with a dotted border.
        CHECK(attr(n, "label") == attr(original, "label"));
        CHECK(attr(n, "fillcolor") == attr(original, "fillcolor"));
        CHECK(attr(n, "style") == attr(original, "style") + ",dotted");
        CHECK(n.name.starts_with(original.name + "_"));
        // Every copy feeds something, and only forward.
        bool feeds = false;
        for (const auto& e : s.edges)
            if (e.tail == i) feeds = true;
        CHECK(feeds);
    }
    // The shared leaf `y` keeps its own edges to the steps next to it.
    const auto y = std::find_if(s.nodes.begin(), s.nodes.end(), [](const SceneNode& n) {
        return n.copy_of == not_a_copy && attr(n, "label").find("y |") != std::string::npos;
    });
    REQUIRE(y != s.nodes.end());
    const auto y_index = static_cast<std::uint32_t>(y - s.nodes.begin());
    CHECK(std::count_if(s.edges.begin(), s.edges.end(),
                        [&](const auto& e) { return e.tail == y_index; }) > 0);
    // The legend says what a dotted box is.
    CHECK(attr(s.nodes.back(), "label").find("value drawn again near its use") !=
          std::string::npos);
}

TEST_CASE("layout: graphs near the node cap fold operations into their boxes") {
    for (const auto& shape : mgrad::bench::shapes) {
        CAPTURE(shape.name);
        Graph g;
        NodeId root = shape.build(g, 1500);
        Scene s = mgrad::render_detail::build_scene(g, root, {});
        CHECK(op_nodes(s) == 0);
        CHECK_FALSE(graph_attr(s, "nslimit").empty());
        CHECK(graph_attr(s, "mclimit") == "0.5");
        // What the benchmarks show dot lays out in well under a second on the reference
        // machine (bench/bench_render.cpp, docs/performance.md).
        CHECK(s.layout_size <= 4000);
        CHECK(attr(s.nodes.back(), "label").find("starts with the operation") != std::string::npos);
    }
    // An interior value's box starts with its operation: `tanh | data … | grad …`.
    Graph g;
    NodeId root = mgrad::bench::chain(g, 1500);
    Scene s = mgrad::render_detail::build_scene(g, root, {});
    CHECK(attr(s.nodes[s.nodes.size() - 2], "label").starts_with("{ tanh | out | data "));
}

TEST_CASE("layout: a PNG bitmap stays within 16 megapixels and 32,640 pixels a side" *
          MGRAD_NEEDS_LAYOUT) {
    Graph g;
    NodeId root = mgrad::bench::chain(g, 400);  // about 60,000 pixels wide at full size
    std::string png = mgrad::render(g, root, Format::Png, cap(1500));
    REQUIRE(png.size() > 24);
    REQUIRE(png.compare(1, 3, "PNG") == 0);
    auto be32 = [&](std::size_t at) {
        return (std::uint32_t(std::uint8_t(png[at])) << 24) |
               (std::uint32_t(std::uint8_t(png[at + 1])) << 16) |
               (std::uint32_t(std::uint8_t(png[at + 2])) << 8) | std::uint8_t(png[at + 3]);
    };
    const std::uint32_t width = be32(16), height = be32(20);  // the IHDR chunk
    CHECK(width <= 32640);
    CHECK(height <= 32640);
    CHECK(double(width) * height <= 16.0 * 1024 * 1024 * 1.01);
    CHECK(width > 10000);  // scaled down, not thrown away
}

TEST_CASE("child process: bytes, errors and crashes come back to the caller") {
    DrawControl control;
    control.cancelled = [] { return false; };
    std::string big(300'000, 'x');  // more than a pipe holds
    CHECK(mgrad::render_detail::run_in_child([&] { return big; }, control, 1) == big);
    CHECK(mgrad::render_detail::run_in_child([] { return std::string(); }, control, 1).empty());
    try {
        (void)mgrad::render_detail::run_in_child(
            []() -> std::string { throw mgrad::Error("no such plugin"); }, control, 1);
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        CHECK(std::string(e.what()) == "no such plugin");
    }
    try {
        (void)mgrad::render_detail::run_in_child(
            []() -> std::string {
                std::raise(SIGSEGV);
                return "unreachable";
            },
            control, 1);
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        CHECK(std::string(e.what()).find("signal 11") != std::string::npos);
    }
}

TEST_CASE("child process: cancelling kills it at once, progress is reported") {
    std::atomic<bool> stop = false;
    std::vector<DrawProgress> seen;
    DrawControl control;
    control.cancelled = [&] { return stop.load(); };
    control.progress = [&](const DrawProgress& p) {
        seen.push_back(p);
        if (!p.done && p.seconds >= 1.0) stop = true;
    };
    const auto start = std::chrono::steady_clock::now();
    try {
        (void)mgrad::render_detail::run_in_child(
            [] {
                ::sleep(60);  // a layout that would take a minute
                return std::string("late");
            },
            control, 1234);
        FAIL("no error");
    } catch (const mgrad::Error& e) {
        CHECK(std::string(e.what()) == "interrupted; nothing was written");
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    CHECK(took.count() < 30);  // not the minute: the child was killed
    REQUIRE(seen.size() >= 2);
    CHECK(seen.front().nodes == 1234);
    CHECK_FALSE(seen.front().done);
    CHECK(seen.back().done);  // a last call, to clear a status line
}

TEST_CASE(":draw: an interrupt from another thread abandons the layout and writes nothing" *
          MGRAD_NEEDS_LAYOUT) {
    // What the notebook kernel and the page do: set the session's interrupt flag while the
    // session's own thread is inside :draw.
    std::ostringstream out, err;
    mgrad::StreamOutput output(out, err);
    mgrad::Session session(output);
    mgrad::add_standard_commands(session);
    volatile std::sig_atomic_t flag = 0;
    session.set_interrupt_flag(&flag);
    std::string script = "x = 0.5\n";
    for (int i = 0; i < 3000; ++i)
        script += "x = tanh(x*0.9)\n";  // 9,000 values: a layout of minutes
    REQUIRE(session.run("<test>", script));
    TempDir dir;
    const auto file = (dir.path / "big.svg").string();
    std::thread interrupter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        flag = 1;
    });
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(session.run("<test>", fmt::format(":draw x {} max-nodes=100000", file)));
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    interrupter.join();
    CHECK(took.count() < 30);  // far less than the layout would take
    CHECK_MESSAGE(err.str().find("interrupted; nothing was written") != std::string::npos,
                  err.str());
    CHECK(dir.entries().size() == 0);  // no picture, no temporary file
    // The session goes on, and draws again.
    flag = 0;
    CHECK(session.run("<test>", fmt::format(":draw x {} depth=3", file)));
    CHECK(fs::exists(file));
}

TEST_CASE("layout: golden DOT of a leaf shared by 40 steps (its copies and the legend)") {
    Graph g;
    NodeId root = mgrad::bench::shared_leaf(g, 122);
    std::string dot = mgrad::to_dot(g, root);
    fs::path golden = fs::path(MGRAD_GOLDEN_DIR) / "render" / "shared_leaf.dot";
    if (std::getenv("MGRAD_UPDATE_GOLDEN") != nullptr) std::ofstream(golden) << dot;
    REQUIRE(fs::exists(golden));
    std::ifstream in(golden, std::ios::binary);
    std::ostringstream expected;
    expected << in.rdbuf();
    CHECK(dot == expected.str());
}
