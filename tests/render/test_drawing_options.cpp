// Rendering options: op labels, hide-constants, depth, clusters, collapsed modules, shading,
// direction, decimals, the legend, the node cap and the option words.
#include <doctest/doctest.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/render/render.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "render/scene.hpp"

#include "engines.hpp"

#include "test_support.hpp"

namespace fs = std::filesystem;
using mgrad::DrawOptions;
using mgrad::Format;
using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Value;

#include "render_support.hpp"

using mgrad_test::TempDir;
using namespace render_test;

TEST_CASE("render: ops show their symbol; ** shows the exponent") {
    Graph g;
    Value x{g, 3.0, "x"};
    Value y = (mgrad::tanh(mgrad::pow(x, 2.0)) - x).set_label("y");
    Value z = mgrad::pow(y, 0.5).set_label("z");
    std::string dot = mgrad::to_dot(g, z.id());
    CHECK(count(dot, "label=\"**2\"") == 1);
    CHECK(count(dot, "label=\"**0.5\"") == 1);
    CHECK(count(dot, "label=tanh") == 1);
    CHECK(count(dot, "label=\"-\"") == 1);
}

TEST_CASE("render: hide-constants folds constants into the op label") {
    Graph g;
    Value x{g, 3.0, "x"};
    Value y = (2.0 * x + 1.0).set_label("y");
    Value z = (y - 0.5).set_label("z");
    DrawOptions o;
    const std::string constant_fill = "fillcolor=\"#F1F5F9\"";
    std::string shown = mgrad::to_dot(g, z.id(), o);
    CHECK(count(shown, constant_fill) == 3);
    CHECK(shown.find("constant") != std::string::npos);  // in the legend
    o.hide_constants = true;
    std::string dot = mgrad::to_dot(g, z.id(), o);
    CHECK(count(dot, constant_fill) == 0);
    CHECK(count(dot, "label=\"2*\"") == 1);
    CHECK(count(dot, "label=\"+1\"") == 1);
    CHECK(count(dot, "label=-0.5") == 1);
    CHECK(count(dot, " -> ") == 6);                    // x->o, o->2x, 2x->o, o->y, y->o, o->z
    CHECK(dot.find("constant") == std::string::npos);  // nor in the legend
    // A constant asked for by name is still drawn.
    Value k = Value::constant(4.0, g);
    CHECK(count(mgrad::to_dot(g, k.id(), o), "label=4,") == 1);
}

TEST_CASE("render: depth limits the drawing to values near the root") {
    Lecture lec;
    DrawOptions o;
    o.depth = 1;
    std::string dot = mgrad::to_dot(lec.g, lec.L.id(), o);
    CHECK(count(dot, "{ L |") == 1);
    CHECK(count(dot, "{ d |") == 1);
    CHECK(count(dot, "{ f |") == 1);
    CHECK(count(dot, "{ e |") == 0);
    CHECK(count(dot, "{ a |") == 0);
    CHECK(dot_node(dot, "v4").find("dashed") != std::string::npos);  // d: inputs cut off
    CHECK(dot_node(dot, "v5").find("dashed") == std::string::npos);  // f is a leaf
    o.depth = 0;
    auto json = nlohmann::json::parse(mgrad::to_json(lec.g, lec.L.id(), o));
    CHECK(json["nodes"].size() == 1);
    CHECK(json["nodes"][0]["truncated"] == true);
    o.depth = 2;
    CHECK(nlohmann::json::parse(mgrad::to_json(lec.g, lec.L.id(), o))["nodes"].size() == 5);
}

TEST_CASE("render: clusters by name prefix and by nn module" * MGRAD_NEEDS_LAYOUT) {
    Graph g;
    Value x{g, 1.0, "x"};
    Value w1{g, 0.5, "w1"}, w2{g, -0.5, "w2"};
    Value out;
    {
        mgrad::ScopeGuard layer(g, "layer0");
        Value n1, n2;
        {
            mgrad::ScopeGuard neuron(g, "neuron0");
            n1 = mgrad::tanh(x * w1).set_label("n1");
        }
        {
            mgrad::ScopeGuard neuron(g, "neuron1");
            n2 = mgrad::tanh(x * w2).set_label("n2");
        }
        out = (n1 + n2).set_label("out");
    }
    out.backward();
    DrawOptions o;
    o.cluster_prefixes = {"w"};
    std::string dot = mgrad::to_dot(g, out.id(), o);
    CHECK(count(dot, "subgraph cluster_p0") == 1);
    std::string cluster = dot.substr(dot.find("subgraph cluster_p0"));
    cluster = cluster.substr(0, cluster.find('}', cluster.find("label=")));
    CHECK(cluster.find("label=w…") != std::string::npos);
    CHECK(count(dot, "cluster_m") == 0);

    o.cluster_prefixes.clear();
    o.cluster_modules = true;
    dot = mgrad::to_dot(g, out.id(), o);
    CHECK(count(dot, "subgraph cluster_m0") == 1);
    CHECK(count(dot, "subgraph cluster_m1") == 1);
    CHECK(count(dot, "subgraph cluster_m2") == 1);
    CHECK(count(dot, "label=layer0") == 1);
    CHECK(count(dot, "label=neuron1") == 1);
    // neuron1 nests inside layer0
    CHECK(dot.find("subgraph cluster_m2") > dot.find("subgraph cluster_m0"));
    CHECK(mgrad::render(g, out.id(), Format::Svg, o).find(">neuron0</text>") != std::string::npos);
}

TEST_CASE("render: collapse-modules draws each nn module as one box" * MGRAD_NEEDS_LAYOUT) {
    Graph g;
    Value x{g, 1.0, "x"};
    Value w1{g, 0.5, "w1"}, w2{g, -0.5, "w2"};
    Value out, n1, n2;
    {
        mgrad::ScopeGuard layer(g, "layer0");
        {
            mgrad::ScopeGuard neuron(g, "neuron0");
            n1 = mgrad::tanh(x * w1).set_label("n1");
        }
        {
            mgrad::ScopeGuard neuron(g, "neuron1");
            n2 = mgrad::tanh(x * w2).set_label("n2");
        }
        out = (n1 + n2).set_label("out");  // the root: never folded into a box
    }
    out.backward();
    DrawOptions o;
    o.collapse_modules = true;
    std::string dot = mgrad::to_dot(g, out.id(), o);
    std::string box1 = fmt::format("{{ neuron0 | 2 values | out data {:.4f} | grad {:.4f} }}",
                                   n1.data(), n1.grad());
    CHECK(count(dot, box1) == 1);
    CHECK(count(dot, "neuron1 | 2 values") == 1);
    CHECK(count(dot, "{ n1 |") == 0);  // folded into the box
    CHECK(count(dot, "{ out |") == 1);
    CHECK(count(dot, "v0 -> m1;") == 1);  // x feeds both neurons, once each
    CHECK(count(dot, "v0 -> m2;") == 1);
    CHECK(count(dot, "v1 -> m1;") == 1);
    CHECK(count(dot, "m1 -> o7;") == 1);
    CHECK(count(dot, "m2 -> o7;") == 1);
    CHECK(count(dot, " -> ") == 7);
    CHECK(dot.find("nn module, collapsed") != std::string::npos);
    // With cluster-modules too, the boxes sit inside their layer.
    o.cluster_modules = true;
    dot = mgrad::to_dot(g, out.id(), o);
    CHECK(count(dot, "subgraph cluster_m0") == 1);
    CHECK(count(dot, "cluster_m1") == 0);
    // The node cap counts boxes, and suggests collapsing when it helps.
    DrawOptions tight;
    tight.max_nodes = 6;
    std::string message = error_of([&] { (void)mgrad::to_dot(g, out.id(), tight); });
    CHECK(message.find("has 8 values") != std::string::npos);
    CHECK(message.find("collapse-modules (one box per nn module: 6 boxes)") != std::string::npos);
    tight.collapse_modules = true;
    CHECK(mgrad::render(g, out.id(), Format::Svg, tight).find(">neuron1</text>") !=
          std::string::npos);
}

TEST_CASE("render: shading follows the gradient's sign and size") {
    Lecture lec;
    DrawOptions o;
    o.shade_gradients = true;
    std::string dot = mgrad::to_dot(lec.g, lec.L.id(), o);
    auto fill = [&](const std::string& node) {
        std::string block = dot_node(dot, node);
        std::size_t at = block.find("fillcolor=\"#");
        REQUIRE(at != std::string::npos);
        unsigned rgb = static_cast<unsigned>(std::stoul(block.substr(at + 12, 6), nullptr, 16));
        return std::array<int, 3>{static_cast<int>(rgb >> 16), static_cast<int>((rgb >> 8) & 255),
                                  static_cast<int>(rgb & 255)};
    };
    auto a = fill("v0"), b = fill("v1"), c = fill("v2"), f = fill("v5");
    CHECK(a[2] > a[0]);  // grad 6: blue
    CHECK(b[0] > b[2]);  // grad -4: red
    CHECK(c[0] > c[2]);  // grad -2: red, paler than b
    CHECK(c[1] > b[1]);
    CHECK(a[0] < f[0]);                                   // grad 6 is stronger blue than grad 4
    CHECK(dot.find("grad &lt; 0") != std::string::npos);  // the legend explains it
}

TEST_CASE("render: top-to-bottom, decimals, no legend") {
    Lecture lec;
    std::vector<std::string> words{"tb", "decimals=2", "no-legend"};
    DrawOptions o = mgrad::parse_draw_options(words);
    std::string dot = mgrad::to_dot(lec.g, lec.L.id(), o);
    CHECK(count(dot, "rankdir=TB") == 1);
    CHECK(count(dot, "label=\"a | data 2.00 | grad 6.00\"") == 1);
    CHECK(dot.find("legend") == std::string::npos);
}

TEST_CASE("render: the node cap refuses a huge layout and says what to do") {
    Graph g;
    Value x{g, 0.5, "x"};
    Value acc = x;
    for (int i = 0; i < 1500; ++i)
        acc = acc * 1.001 + x;
    acc.set_label("big");
    DrawOptions o;
    o.max_nodes = 1000;
    std::string message = error_of([&] { (void)mgrad::to_dot(g, acc.id(), o); });
    CHECK(message.find("'big' has 4,501 values") != std::string::npos);
    CHECK(message.find("max-nodes=1000") != std::string::npos);
    CHECK(message.find("hide-constants (leaves 3,001 values)") != std::string::npos);
    CHECK(message.find("max-nodes=4501") != std::string::npos);
    // The suggested depth really fits under the cap.
    std::size_t at = message.find("with depth=");
    REQUIRE(at != std::string::npos);
    o.depth = static_cast<unsigned>(std::stoul(message.substr(at + 11)));
    auto json = nlohmann::json::parse(mgrad::to_json(g, acc.id(), o));
    CHECK(json["nodes"].size() <= 1000);
    CHECK(json["nodes"].size() > 990);
    CHECK(mgrad::to_dot(g, acc.id(), o).size() > 0);
    o.depth.reset();
    o.max_nodes = 7000;
    CHECK(mgrad::to_dot(g, acc.id(), o).size() > 0);
}

TEST_CASE("render: options parse and bad words get a clear message") {
    std::vector<std::string> words{
        "tb",        "decimals=2",      "hide-constants",   "depth=3",        "cluster=w",
        "cluster=b", "cluster-modules", "collapse-modules", "max-nodes=5000", "shade",
        "no-legend", "format=PNG"};
    DrawOptions o = mgrad::parse_draw_options(words);
    CHECK(o.rankdir == mgrad::RankDir::TopBottom);
    CHECK(o.decimals == 2);
    CHECK(o.hide_constants);
    CHECK(o.depth == 3u);
    CHECK(o.cluster_prefixes == std::vector<std::string>{"w", "b"});
    CHECK(o.cluster_modules);
    CHECK(o.collapse_modules);
    CHECK(o.max_nodes == 5000);
    CHECK(o.shade_gradients);
    CHECK(!o.legend);
    CHECK(o.format == Format::Png);

    auto parse_error = [](std::string word) {
        std::vector<std::string> w{std::move(word)};
        return error_of([&] { (void)mgrad::parse_draw_options(w); });
    };
    CHECK(parse_error("decimal=3").find("did you mean 'decimals='") != std::string::npos);
    CHECK(parse_error("hide-constant").find("did you mean 'hide-constants'") != std::string::npos);
    CHECK(parse_error("zzzzzzzz").find("unknown draw option 'zzzzzzzz'; options:") !=
          std::string::npos);
    CHECK(parse_error("decimals=18").find("from 0 to 17") != std::string::npos);
    CHECK(parse_error("decimals=x").find("whole number") != std::string::npos);
    CHECK(parse_error("depth=-1").find("whole number") != std::string::npos);
    CHECK(parse_error("depth").find("needs a value") != std::string::npos);
    CHECK(parse_error("shade=1").find("takes no value") != std::string::npos);
    CHECK(parse_error("format=gif").find("supported: svg, png, pdf, dot, json") !=
          std::string::npos);
    CHECK(parse_error("cluster=").find("needs a name prefix") != std::string::npos);
    CHECK(mgrad::draw_options_help().find("hide-constants") != std::string::npos);
}
