// Rendering: golden DOT, SVG/PNG/PDF content, escaping, selection options, errors, determinism.
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

TEST_CASE("render: lecture example matches the golden DOT") {
    Lecture lec;
    std::string dot = mgrad::to_dot(lec.g, lec.L.id());
    fs::path golden = fs::path(MGRAD_GOLDEN_DIR) / "render" / "lecture.dot";
    if (std::getenv("MGRAD_UPDATE_GOLDEN") != nullptr) std::ofstream(golden) << dot;
    REQUIRE(fs::exists(golden));
    CHECK(dot == read_file(golden));
}

TEST_CASE("render: record labels carry label, data and grad with 4 decimals") {
    Lecture lec;
    std::string dot = mgrad::to_dot(lec.g, lec.L.id());
    for (const Value* v : {&lec.a, &lec.b, &lec.c, &lec.d, &lec.e, &lec.f, &lec.L}) {
        std::string expected =
            fmt::format("{{ {} | data {:.4f} | grad {:.4f} }}", v->label(), v->data(), v->grad());
        CHECK_MESSAGE(count(dot, expected) == 1, expected);
    }
    CHECK(count(dot, "{ a | data 2.0000 | grad 6.0000 }") == 1);  // micrograd's picture
    CHECK(count(dot, "{ b | data -3.0000 | grad -4.0000 }") == 1);
    // One op node per computed value, labelled by the op table.
    CHECK(count(dot, "label=\"*\"") == 2);
    CHECK(count(dot, "label=\"+\"") == 1);
    // Edges: operands into the op node, op node into its value.
    CHECK(count(dot, " -> ") == 9);
    CHECK(count(dot, "rankdir=LR") == 1);
}

TEST_CASE("render: SVG contains every node's label, data and grad text" * MGRAD_NEEDS_LAYOUT) {
    Lecture lec;
    std::string svg = mgrad::render(lec.g, lec.L.id(), Format::Svg);
    CHECK(svg.starts_with("<?xml"));
    for (const Value* v : {&lec.a, &lec.b, &lec.c, &lec.d, &lec.e, &lec.f, &lec.L}) {
        CHECK(count(svg, fmt::format(">{}</text>", v->label())) == 1);
        CHECK(count(svg, svg_text(fmt::format("data {:.4f}", v->data()))) == 1);
        CHECK(count(svg, svg_text(fmt::format("grad {:.4f}", v->grad()))) >= 1);
    }
    CHECK(count(svg, ">legend</text>") == 1);
}

TEST_CASE("render: PNG and PDF have their magic bytes and a sensible size" * MGRAD_NEEDS_LAYOUT) {
    Lecture lec;
    std::string png = mgrad::render(lec.g, lec.L.id(), Format::Png);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    CHECK(png.size() > 5'000);
    CHECK(png.size() < 1'000'000);
    std::string pdf = mgrad::render(lec.g, lec.L.id(), Format::Pdf);
    CHECK(pdf.starts_with("%PDF-"));
    CHECK(pdf.find("%%EOF") != std::string::npos);
    CHECK(pdf.size() > 2'000);
    CHECK(pdf.size() < 1'000'000);
}

TEST_CASE("render: a value used twice by one op shows two edges") {
    Graph g;
    Value a{g, 3.0, "a"};
    Value b = (a + a).set_label("b");
    b.backward();
    std::string dot = mgrad::to_dot(g, b.id());
    CHECK(count(dot, "v0 -> o1;") == 2);
    CHECK(count(dot, "grad 2.0000") == 1);  // a's gradient: both edges counted
    auto json = nlohmann::json::parse(mgrad::to_json(g, b.id()));
    REQUIRE(json["edges"].size() == 2);
    CHECK(json["edges"][0]["operand"] == 0);
    CHECK(json["edges"][1]["operand"] == 1);
    CHECK(json["edges"][1]["from"] == 0);
}

TEST_CASE("render: the operands of -, / and pow are numbered; + and * are not") {
    Graph g;
    Value x{g, 3.0, "x"}, two{g, 2.0, "two"};
    Value y = (two - x).set_label("y");  // 2 - x and x - 2: the same op, operands swapped
    Value z = (x - two).set_label("z");
    Value w = (y * z).set_label("w");
    w.backward();
    const std::string dot = mgrad::to_dot(g, w.id());
    // Values are v<id>, ops o<id>: x is v0, two v1, y's op o2, z's op o3, w's op o4.
    CHECK(count(dot, "v1 -> o2\t[headlabel=1") == 1);
    CHECK(count(dot, "v0 -> o2\t[headlabel=2") == 1);
    CHECK(count(dot, "v0 -> o3\t[headlabel=1") == 1);
    CHECK(count(dot, "v1 -> o3\t[headlabel=2") == 1);
    CHECK(count(dot, "headlabel") == 4);  // none on the edges into *
    CHECK(count(dot, "operands, in order: 1 - 2") == 1);
    CHECK(count(mgrad::render(g, w.id(), Format::Svg), ">1</text>") == 2);
    auto json = nlohmann::json::parse(mgrad::to_json(g, w.id()));
    for (const auto& node : json["nodes"]) {
        if (node["label"] == "y" || node["label"] == "z") CHECK(node["commutative"] == false);
        if (node["label"] == "w") CHECK(node["commutative"] == true);
        if (node["label"] == "x") CHECK_FALSE(node.contains("commutative"));
    }
    // A lecture graph of + and * has no numbers and no legend line for them.
    Lecture lec;
    CHECK(count(mgrad::to_dot(lec.g, lec.L.id()), "headlabel") == 0);
    CHECK(count(mgrad::to_dot(lec.g, lec.L.id()), "operands, in order") == 0);
}

TEST_CASE("render: data and grad from a billion on are in scientific notation") {
    Graph g;
    Value a{g, 1.5e143, "a"};
    Value b = (a * 2.0).set_label("b");
    b.backward();
    const std::string dot = mgrad::to_dot(g, b.id());
    CHECK(count(dot, "{ a | data 1.5000e+143 | grad 2.0000 }") == 1);
    CHECK(count(dot, "{ b | data 3.0000e+143 | grad 1.0000 }") == 1);
    CHECK(count(dot, "data 999999999.0000") == 0);
}

TEST_CASE("render: rebinding versions are separate nodes") {
    Graph g;
    Value c{g, 1.0, "c"};
    Value c2 = (c * 2.0).set_label("c#2");
    Value c3 = (c2 + c).set_label("c#3");
    c3.backward();
    std::string dot = mgrad::to_dot(g, c3.id());
    CHECK(count(dot, "{ c | data 1.0000") == 1);
    CHECK(count(dot, "{ c#2 | data 2.0000") == 1);
    CHECK(count(dot, "{ c#3 | data 3.0000") == 1);
    // The constant is its own, different-looking node.
    std::string constant = dot_node(dot, "v1");
    CHECK(constant.find("shape=ellipse") != std::string::npos);
    CHECK(constant.find("label=2,") != std::string::npos);
}

TEST_CASE("render: hostile labels cannot break the record syntax" * MGRAD_NEEDS_LAYOUT) {
    using mgrad::render_detail::escape_record;
    CHECK(escape_record("{x|y}<p>") == "\\{x\\|y\\}\\<p\\>");
    CHECK(escape_record("a\\b") == "a\\\\b");
    CHECK(escape_record("x1*w1 + x2*w2") == "x1*w1 + x2*w2");
    CHECK(escape_record(" lead  two ") == "\\ lead\\ \\ two\\ ");
    CHECK(escape_record("new\nline") == "new\\ line");
    CHECK(escape_record("&amp;") == "&amp;amp;");

    Graph g;
    std::string hostile = "{x|y}<p> \"q\" \\N \\l end";
    Value a{g, 1.5, hostile};
    Value b{g, 2.0, "&amp; <b>bold</b>"};
    Value c = (a * b).set_label("}|{");
    c.backward();
    std::string svg = mgrad::render(g, c.id(), Format::Svg);
    // Each label comes out whole, as one text element, XML-escaped by Graphviz.
    CHECK(count(svg, ">{x|y}&lt;p&gt; &quot;q&quot; \\N \\l end</text>") == 1);
    CHECK(count(svg, ">&amp;amp; &lt;b&gt;bold&lt;/b&gt;</text>") == 1);
    CHECK(count(svg, ">}|{</text>") == 1);
    CHECK(count(svg, ">data 1.5000</text>") == 1);
    CHECK(count(svg, ">grad 1.5000</text>") == 1);
    // The DOT text reads back: quotes and backslashes are escaped for DOT as well.
    std::string dot = mgrad::to_dot(g, c.id());
    CHECK(count(dot, R"(\"q\")") == 1);
    // Hostile cluster prefixes and JSON labels too.
    DrawOptions o;
    o.cluster_prefixes = {"{x"};
    CHECK(mgrad::render(g, c.id(), Format::Svg, o).find(">{x…</text>") != std::string::npos);
    auto json = nlohmann::json::parse(mgrad::to_json(g, c.id()));
    CHECK(json["nodes"][0]["label"] == hostile);
}

TEST_CASE("render: labels that are not valid UTF-8 are drawn with U+FFFD" * MGRAD_NEEDS_LAYOUT) {
    using mgrad::render_detail::valid_utf8;
    CHECK(valid_utf8("w\xC3\xA9ight \xE2\x88\x82L") == "w\xC3\xA9ight \xE2\x88\x82L");  // kept
    CHECK(valid_utf8("a\xFF"
                     "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(valid_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
    CHECK(valid_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    CHECK(valid_utf8("\xE2\x88") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
    Graph g;
    Value a{g, 1.0, "bad\xFF"};
    Value b = (a * 2.0).set_label("\xC3");
    std::string svg = mgrad::render(g, b.id(), Format::Svg);
    CHECK(count(svg, ">bad\xEF\xBF\xBD</text>") == 1);
    auto json = nlohmann::json::parse(mgrad::to_json(g, b.id()));
    CHECK(json["nodes"][0]["label"] == "bad\xEF\xBF\xBD");
}

TEST_CASE("render: output is deterministic" * MGRAD_NEEDS_LAYOUT) {
    Lecture one, two;
    CHECK(mgrad::render(one.g, one.L.id(), Format::Svg) ==
          mgrad::render(two.g, two.L.id(), Format::Svg));
    CHECK(mgrad::render(one.g, one.L.id(), Format::Svg) ==
          mgrad::render(one.g, one.L.id(), Format::Svg));
    CHECK(mgrad::to_dot(one.g, one.L.id()) == mgrad::to_dot(two.g, two.L.id()));
    CHECK(mgrad::render(one.g, one.L.id(), Format::Png) ==
          mgrad::render(two.g, two.L.id(), Format::Png));
    std::string svg = mgrad::render(one.g, one.L.id(), Format::Svg);
    CHECK(svg.find("0x") == std::string::npos);  // no pointers
}

TEST_CASE("render: JSON lists nodes and edges with exact numbers") {
    Lecture lec;
    auto json = nlohmann::json::parse(mgrad::to_json(lec.g, lec.L.id()));
    CHECK(json["root"] == lec.L.id());
    REQUIRE(json["nodes"].size() == 7);
    CHECK(json["edges"].size() == 6);
    for (const auto& n : json["nodes"]) {
        auto id = n["id"].get<NodeId>();
        CHECK(n["data"].get<double>() == lec.g.data(id));
        CHECK(n["grad"].get<double>() == lec.g.grad(id));
        CHECK(n["label"] == std::string(lec.g.label(id)));
    }
    CHECK(json["nodes"][3]["op"] == "mul");
    CHECK(json["nodes"][3]["symbol"] == "*");
    CHECK(json["nodes"][6]["kind"] == "root");
    CHECK(json["nodes"][0]["kind"] == "leaf");

    Graph g;
    Value x{g, -1.0, "x"};
    Value y = mgrad::log(x).set_label("y");
    Value z = (x / 0.0).set_label("z");
    auto j2 = nlohmann::json::parse(mgrad::to_json(g, y.id()));
    CHECK(j2["nodes"][1]["data"] == "nan");
    auto j3 = nlohmann::json::parse(mgrad::to_json(g, z.id()));
    CHECK(j3["nodes"][2]["data"] == "-inf");
    CHECK(j3["nodes"][1]["kind"] == "constant");
}

TEST_CASE("render: formats follow the extension") {
    CHECK(mgrad::format_from_extension("a/b.svg") == Format::Svg);
    CHECK(mgrad::format_from_extension("x.PNG") == Format::Png);
    CHECK(mgrad::format_from_extension("x.pdf") == Format::Pdf);
    CHECK(mgrad::format_from_extension("x.gv") == Format::Dot);
    CHECK(mgrad::format_from_extension("x.json") == Format::Json);
    CHECK(!mgrad::format_from_extension("x.gif"));
    CHECK(!mgrad::format_from_extension("x"));
    CHECK(mgrad::format_name(Format::Pdf) == "pdf");
}

TEST_CASE("render: draw writes files and reports every failure clearly" * MGRAD_NEEDS_LAYOUT) {
    Lecture lec;
    TempDir dir;
    for (const char* name : {"l.svg", "l.png", "l.pdf", "l.dot", "l.json"}) {
        mgrad::draw(lec.g, lec.L.id(), dir.path / name);
        CHECK(fs::file_size(dir.path / name) > 500);
    }
    CHECK(read_file(dir.path / "l.dot") == mgrad::to_dot(lec.g, lec.L.id()));
    CHECK(dir.entries().size() == 5);  // no temporary files left

    DrawOptions as_svg;
    as_svg.format = Format::Svg;
    mgrad::draw(lec.g, lec.L.id(), dir.path / "picture", as_svg);
    CHECK(read_file(dir.path / "picture").starts_with("<?xml"));

    std::string unknown = error_of([&] { mgrad::draw(lec.g, lec.L.id(), dir.path / "x.gif"); });
    CHECK(unknown.find("x.gif") != std::string::npos);
    CHECK(unknown.find(".svg, .png, .pdf, .dot or .json") != std::string::npos);

    std::string missing_dir =
        error_of([&] { mgrad::draw(lec.g, lec.L.id(), dir.path / "no" / "such" / "l.svg"); });
    CHECK(missing_dir.find("cannot write") != std::string::npos);
    CHECK(missing_dir.find("there is no directory") != std::string::npos);

    std::string not_dir =
        error_of([&] { mgrad::draw(lec.g, lec.L.id(), dir.path / "l.svg" / "x.svg"); });
    CHECK(not_dir.find("l.svg' is not a directory") != std::string::npos);

    fs::create_directory(dir.path / "sub.svg");
    CHECK(error_of([&] {
              mgrad::draw(lec.g, lec.L.id(), dir.path / "sub.svg");
          }).find("is a directory") != std::string::npos);

    // A failure leaves an existing file untouched.
    std::string before = read_file(dir.path / "l.svg");
    DrawOptions tiny;
    tiny.max_nodes = 2;
    CHECK(error_of([&] {
              mgrad::draw(lec.g, lec.L.id(), dir.path / "l.svg", tiny);
          }).find("max-nodes=2") != std::string::npos);
    CHECK(read_file(dir.path / "l.svg") == before);
    CHECK(dir.entries().size() == 7);

    // A node that is not on the graph.
    CHECK(error_of([&] { (void)mgrad::to_dot(lec.g, 99); }).find("node id 99") !=
          std::string::npos);
}

#if MGRAD_TEST_GRAPHVIZ
#include "render/graphviz/api.h"

TEST_CASE("render: a format Graphviz lacks names the package that provides it") {
    Lecture lec;
    const std::string dot = mgrad::to_dot(lec.g, lec.L.id());
    const MgradGraphvizApi& api = *mgrad_graphviz_api();
    char* out = nullptr;
    std::size_t size = 0;
    CHECK(api.render(dot.data(), dot.size(), "nosuchformat", 0, &out, &size, nullptr) != 0);
    const std::string message(out, size);
    api.release(out);
    CHECK(message.find("no 'nosuchformat' output") != std::string::npos);
    CHECK(message.find("Debian package libgvc6") != std::string::npos);
    // The session goes on: the next draw works.
    CHECK(mgrad::render(lec.g, lec.L.id(), Format::Svg).starts_with("<?xml"));
}
#endif

TEST_CASE("render: values changed with set_data are drawn up to date") {
    Lecture lec;
    lec.a.set_data(3.0);
    std::string dot = mgrad::to_dot(lec.g, lec.L.id());
    CHECK(count(dot, "{ e | data -9.0000") == 1);
    CHECK(count(dot, "{ L | data -2.0000") == 1);
}

namespace {

/// The JSON as mgrad wrote it before it was streamed: a nlohmann::json tree, dumped whole.
std::string json_as_a_tree(Graph& g, NodeId root, const DrawOptions& options) {
    g.forward();
    auto sel = mgrad::render_detail::select_nodes(g, root, options);
    auto number = [](double v) -> nlohmann::json {
        if (std::isnan(v)) return "nan";
        if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
        return v;
    };
    nlohmann::json out;
    out["root"] = root;
    nlohmann::json& jnodes = out["nodes"] = nlohmann::json::array();
    nlohmann::json& jedges = out["edges"] = nlohmann::json::array();
    for (std::size_t i = 0; i < sel.ids.size(); ++i) {
        NodeId id = sel.ids[i];
        const mgrad::Node& n = g.nodes()[id];
        const mgrad::OpInfo& info = mgrad::op_info(n.op);
        const char* kind = id == root                 ? "root"
                           : n.op == mgrad::Op::Leaf  ? "leaf"
                           : n.op == mgrad::Op::Const ? "constant"
                                                      : "interior";
        nlohmann::json node{{"id", id},
                            {"label", std::string(g.label(id))},
                            {"op", info.name},
                            {"symbol", info.symbol},
                            {"kind", kind},
                            {"data", number(n.data)},
                            {"grad", number(n.grad)},
                            {"depth", sel.dist[id]}};
        if (n.op == mgrad::Op::PowConst) node["exponent"] = number(g.exponent(id));
        if (info.arity == 2) node["commutative"] = mgrad::render_detail::commutative(n.op);
        if (sel.truncated[i]) node["truncated"] = true;
        jnodes.push_back(std::move(node));
        std::size_t operand = 0;
        for (NodeId p : g.parents(id)) {
            if (sel.dist[p] != mgrad::render_detail::unseen)
                jedges.push_back({{"from", p}, {"to", id}, {"operand", operand}});
            ++operand;
        }
    }
    return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

TEST_CASE("render: streamed JSON is byte for byte what the JSON tree gave") {
    Graph g;
    const double inf = std::numeric_limits<double>::infinity();
    Value a{g, 0.1, "a \"quoted\" \\ back\\slash"}, b{g, -0.0, "tab\there\nnewline\x01\x1f\x7f"};
    Value c{g, 1e300, "λ unicode €"}, d{g, 1e-300, "e"}, e{g, 2.0, ""};
    Value f{g, 123456789012345678.0, "big"}, h{g, 1.0 / 3.0, "third"}, k{g, 1e-5, "small"};
    Value n{g, std::nan(""), "nan"}, i{g, inf, "inf"}, m{g, -inf, "-inf"};
    Value s = a * b + mgrad::pow(c, 2.5) + d / e + f - h * k + (n + i) * m + e * 2.0 + 1e21;
    s.set_label("sum");
    s.backward();
    for (std::optional<unsigned> depth : {std::optional<unsigned>{}, std::optional<unsigned>{3}}) {
        DrawOptions o;
        o.depth = depth;
        CHECK(mgrad::to_json(g, s.id(), o) == json_as_a_tree(g, s.id(), o));
    }
    CHECK(mgrad::to_json(g, a.id()) == json_as_a_tree(g, a.id(), {}));  // no edges at all
    Lecture lec;
    CHECK(mgrad::to_json(lec.g, lec.L.id()) == json_as_a_tree(lec.g, lec.L.id(), {}));
    // Pieces of about a megabyte reach the sink; together they are the whole text.
    Graph big;
    Value x{big, 0.5, "x"};
    for (int j = 0; j < 20000; ++j)
        x = mgrad::tanh(x * 0.9);
    std::vector<std::size_t> pieces;
    std::string whole;
    mgrad::write_json(big, x.id(), {}, [&](std::string_view piece) {
        pieces.push_back(piece.size());
        whole.append(piece);
    });
    CHECK(pieces.size() > 3);
    for (std::size_t j = 0; j + 1 < pieces.size(); ++j)
        CHECK(pieces[j] < (std::size_t{1} << 20) + 4096);
    CHECK(whole == json_as_a_tree(big, x.id(), {}));
}

TEST_CASE("render: a described drawing renders as render() does, and compares by picture" *
          MGRAD_NEEDS_LAYOUT) {
    Lecture lec;
    const NodeId root = lec.L.id();
    mgrad::Drawing drawing = mgrad::describe(lec.g, root);
    CHECK(mgrad::render(drawing, Format::Svg) == mgrad::render(lec.g, root, Format::Svg));
    CHECK(mgrad::render(drawing, Format::Dot) == mgrad::to_dot(lec.g, root));
    CHECK_THROWS_AS((void)mgrad::render(drawing, Format::Json), mgrad::Error);
    // The values drawn: every node of the lecture example, in tape order.
    const std::vector<NodeId> values(drawing.values().begin(), drawing.values().end());
    CHECK(values == std::vector<NodeId>{lec.a.id(), lec.b.id(), lec.c.id(), lec.e.id(), lec.d.id(),
                                        lec.f.id(), lec.L.id()});
    CHECK(mgrad::describe(lec.g, root) == drawing);
    // A new gradient is a new picture; the graph can change once the picture is described.
    lec.g.set_grad(lec.a.id(), 7.0);
    mgrad::Drawing after = mgrad::describe(lec.g, root);
    CHECK_FALSE(after == drawing);
    CHECK(mgrad::render(after, Format::Svg).find("grad 7.0000") != std::string::npos);
    CHECK(mgrad::render(drawing, Format::Svg).find("grad 7.0000") == std::string::npos);
    // Folded constants and values beyond depth= are not drawn as nodes of their own.
    DrawOptions shallow;
    shallow.depth = 1;
    CHECK(mgrad::describe(lec.g, root, shallow).values().size() == 3);  // d, f, L
}
