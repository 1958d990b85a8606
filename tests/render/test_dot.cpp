// The renderer's own DOT writer against Graphviz's: for every kind of picture (clusters, nested
// modules, collapsed boxes, copies, the legend, shading, hostile and long labels, random graphs)
// write_dot(scene) is byte for byte what cgraph's agwrite makes from the graph built from the same
// scene. Graphviz then reads the same text in the page and natively.
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "render/scene.hpp"

namespace mgrad::render_detail {
/// Graphviz's own DOT text of the graph built from `scene` (graphviz_reference.cpp).
std::string graphviz_dot(const Scene& scene);
}  // namespace mgrad::render_detail

namespace {

using mgrad::DrawOptions;
using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Value;
using mgrad::render_detail::build_scene;
using mgrad::render_detail::graphviz_dot;
using mgrad::render_detail::write_dot;

/// The DOT text with the subgraphs of each graph sorted. Graphviz 2.42 writes subgraphs in the
/// order of the addresses of their names in memory, which nothing fixes; write_dot writes them
/// in the order they were made. Everything else must be the same.
std::string sorted_subgraphs(const std::vector<std::string>& lines, std::size_t& i,
                             const std::string& indent) {
    std::vector<std::string> blocks;
    std::string rest;
    while (i < lines.size()) {
        const std::string& line = lines[i];
        if (line.rfind(indent + "subgraph ", 0) == 0) {
            std::string block = line + "\n";
            ++i;
            block += sorted_subgraphs(lines, i, indent + "\t");
            blocks.push_back(block);
            continue;
        }
        ++i;
        if (line == indent.substr(1) + "}") {
            rest += line + "\n";
            break;
        }
        rest += line + "\n";
    }
    std::sort(blocks.begin(), blocks.end());
    std::string out;
    for (const std::string& b : blocks)
        out += b;
    return out + rest;
}

std::string normalized(const std::string& dot) {
    std::vector<std::string> lines;
    std::string line;
    for (char c : dot) {
        if (c == '\n') {
            lines.push_back(line);
            line.clear();
        } else {
            line += c;
        }
    }
    std::size_t i = 1;
    return lines.at(0) + "\n" + sorted_subgraphs(lines, i, "\t");
}

void check_same(Graph& g, NodeId root, const DrawOptions& o = {}) {
    const auto scene = build_scene(g, root, o);
    const std::string ours = normalized(write_dot(scene));
    const std::string theirs = normalized(graphviz_dot(scene));
    std::size_t i = 0;
    while (i < ours.size() && i < theirs.size() && ours[i] == theirs[i])
        ++i;
    const bool same = ours.size() == theirs.size() && i == ours.size();
    const std::size_t from = i < 200 ? 0 : i - 200;
    INFO("ours:   ..." << ours.substr(from, 400));
    INFO("theirs: ..." << theirs.substr(from, 400));
    CHECK(same);
}

/// A random expression over a few leaves, with constants, every kind of op and shared uses.
Value random_graph(Graph& g, unsigned seed, std::size_t ops) {
    std::mt19937 rng(seed);
    std::vector<Value> pool;
    for (int i = 0; i < 4; ++i)
        pool.emplace_back(g, 0.5 + i, fmt::format("{}", static_cast<char>('a' + i)));
    auto pick = [&] {
        return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)];
    };
    for (std::size_t k = 0; k < ops; ++k) {
        Value x = pick(), y = pick();
        switch (rng() % 9) {
            case 0: pool.push_back(x + y); break;
            case 1: pool.push_back(x * y); break;
            case 2: pool.push_back(x - y); break;
            case 3: pool.push_back(x / (y * y + 1.0)); break;
            case 4: pool.push_back(mgrad::tanh(x)); break;
            case 5: pool.push_back(x * 2.0 + 1.0); break;
            case 6: pool.push_back(x.pow(2.0)); break;
            case 7: pool.push_back(x + x); break;
            default: pool.push_back(mgrad::relu(x) - y); break;
        }
        if (rng() % 3 == 0) pool.back().set_label(fmt::format("n{}", k));
    }
    Value root = pool.back();
    for (std::size_t i = pool.size() - 4; i + 1 < pool.size(); ++i)
        root = root + pool[i];
    root.set_label("out");
    root.backward();
    return root;
}

}  // namespace

TEST_CASE("dot: sorting subgraphs hides their order and nothing else") {
    const std::string one =
        "digraph g {\n\tsubgraph b {\n\t\tx;\n\t}\n\tsubgraph a {\n\t}\n\ty;\n}\n";
    const std::string two =
        "digraph g {\n\tsubgraph a {\n\t}\n\tsubgraph b {\n\t\tx;\n\t}\n\ty;\n}\n";
    CHECK(normalized(one) == normalized(two));
    CHECK(normalized(one) !=
          normalized("digraph g {\n\tsubgraph a {\n\t}\n\tsubgraph b {\n\t\tz;\n\t}\n\ty;\n}\n"));
}

TEST_CASE("dot: the lecture, with every drawing option") {
    Graph g;
    Value a{g, 2.0, "a"}, b{g, -3.0, "b"}, c{g, 10.0, "c"}, f{g, -2.0, "f"};
    Value e = (a * b).set_label("e");
    Value d = (e + c).set_label("d");
    Value L = (d * f).set_label("L");
    L.backward();
    check_same(g, L.id());
    DrawOptions o;
    o.rankdir = mgrad::RankDir::TopBottom;
    o.decimals = 2;
    o.shade_gradients = true;
    check_same(g, L.id(), o);
    o.legend = false;
    o.highlight = e.id();
    check_same(g, L.id(), o);
    o = {};
    o.depth = 1;
    check_same(g, L.id(), o);
    o = {};
    o.cluster_prefixes = {"a", "d"};
    check_same(g, L.id(), o);
}

TEST_CASE("dot: nn modules as clusters and as collapsed boxes") {
    Graph g;
    Value x{g, 1.0, "x"};
    Value out;
    {
        mgrad::ScopeGuard layer(g, "layer0");
        std::vector<Value> ns;
        for (int i = 0; i < 3; ++i) {
            mgrad::ScopeGuard neuron(g, fmt::format("neuron{}", i));
            Value w{g, 0.1 * (i + 1), fmt::format("w{}", i)};
            ns.push_back(mgrad::tanh(x * w + 0.5));
        }
        out = (ns[0] + ns[1] + ns[2]).set_label("out");
    }
    out.backward();
    DrawOptions o;
    o.cluster_modules = true;
    check_same(g, out.id(), o);
    o.collapse_modules = true;
    check_same(g, out.id(), o);
    o.cluster_modules = false;
    check_same(g, out.id(), o);
    o = {};
    o.hide_constants = true;
    check_same(g, out.id(), o);
}

TEST_CASE("dot: hostile, quoted and long labels") {
    Graph g;
    Value a{g, 1.5, "{x|y}<p> \"q\" \\N \\l end"};
    Value b{g, 2.0, "&amp; <b>bold</b>"};
    std::string long_label(300, 'w');
    long_label.append(" and ").append(140, '-').append(".").append(200, 'z');
    Value c{g, 3.0, long_label};
    Value d{g, 4.0, "node"};
    Value e{g, 5.0, "w\xC3\xA9ight \xE2\x88\x82L \xFF"};
    Value r = (a * b + c * d - e).set_label("}|{");
    r.backward();
    check_same(g, r.id());
    DrawOptions o;
    o.cluster_prefixes = {"{x", "\"", std::string(150, 'w')};
    check_same(g, r.id(), o);
}

TEST_CASE("dot: a leaf shared by many steps (copies beside distant uses)") {
    Graph g;
    Value x{g, 1.0, "x"}, y{g, 1.01, "y"};
    Value acc = x * y;
    for (int i = 0; i < 40; ++i)
        acc = acc + 0.1 * (i % 2) + y * acc * 0.01;
    acc.set_label("out");
    acc.backward();
    check_same(g, acc.id());
}

TEST_CASE("dot: random graphs") {
    for (unsigned seed = 1; seed <= 40; ++seed) {
        Graph g;
        Value root = random_graph(g, seed, 5 + seed * 3);
        CAPTURE(seed);
        check_same(g, root.id());
        DrawOptions o;
        o.hide_constants = seed % 2 == 0;
        o.cluster_prefixes = {"n1", "a"};
        check_same(g, root.id(), o);
    }
}
