// Large sessions: the label table, the name index and the reused parser statement behave like
// the simple containers they replace, at sizes where their fast paths and growth both run.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include <mgrad/commands/commands.hpp>
#include <mgrad/engine/detail/label_table.hpp>
#include <mgrad/engine/graph.hpp>
#include <mgrad/language/parser.hpp>
#include <mgrad/language/session.hpp>

TEST_CASE("label table: random sets, replacements and removals agree with a std::map") {
    mgrad::detail::LabelTable table;
    std::map<std::uint32_t, std::string> model;
    std::mt19937 rng(7);
    std::uint32_t newest = 0;
    for (int step = 0; step < 200000; ++step) {
        // Mostly the newest node (the common case), sometimes an older one, sometimes removal.
        const auto dice = rng() % 10;
        std::uint32_t id = 0;
        if (dice < 6)
            id = newest++;
        else
            id = newest == 0 ? 0 : static_cast<std::uint32_t>(rng() % newest);
        std::string label;
        if (dice != 9) label = std::string(1 + rng() % 20, static_cast<char>('a' + rng() % 26));
        if (rng() % 1000 == 0) label.assign(70000, 'z');  // longer than an arena chunk
        table.set(id, label);
        if (label.empty())
            model.erase(id);
        else
            model[id] = label;
        if (step % 1000 == 0) {
            const auto probe = static_cast<std::uint32_t>(rng() % (newest + 2));
            const auto it = model.find(probe);
            REQUIRE(table.find(probe) == (it == model.end() ? std::string() : it->second));
        }
    }
    for (std::uint32_t id = 0; id < newest + 2; ++id) {
        const auto it = model.find(id);
        REQUIRE(table.find(id) == (it == model.end() ? std::string() : it->second));
    }
    // ids(): every labelled id once, ascending, those set out of order merged in.
    std::vector<std::uint32_t> ids;
    for (const auto& [id, label] : model)
        ids.push_back(id);
    CHECK(table.ids() == ids);
    table.clear();
    for (std::uint32_t id = 0; id < newest; ++id)
        REQUIRE(table.find(id).empty());
    table.set(3, "again");
    table.set(1, "before");
    CHECK(table.find(3) == "again");
    CHECK(table.find(1) == "before");
    CHECK(table.find(2).empty());
}

TEST_CASE("graph labels: set to empty removes, setting again replaces, out of order works") {
    mgrad::Graph g;
    const auto a = g.leaf(1.0, "a");
    const auto b = g.leaf(2.0);
    const auto c = g.binary(mgrad::Op::Add, a, b);
    g.set_label(c, "c");
    g.set_label(b, "b");  // older than the newest labelled node
    CHECK(g.label(a) == "a");
    CHECK(g.label(b) == "b");
    CHECK(g.label(c) == "c");
    g.set_label(c, "a much longer label");
    CHECK(g.label(c) == "a much longer label");
    g.set_label(c, "s");
    CHECK(g.label(c) == "s");
    g.set_label(a, "");
    g.set_label(b, "");
    CHECK(g.label(a).empty());
    CHECK(g.label(b).empty());
    g.set_label(a, "back");
    CHECK(g.label(a) == "back");
    g.clear();
    const auto d = g.leaf(0.0);
    CHECK(g.label(d).empty());
}

TEST_CASE("session: 150,000 names keep their nodes, versions and order; :save has them all") {
    std::ostringstream out, err;
    mgrad::StreamOutput sink{out, err};
    mgrad::Session session{sink};
    mgrad::add_standard_commands(session);
    // Enough names for the index's slot table to pass 2 MiB (its huge-page allocation).
    constexpr int n = 150000;
    std::string script = "v0 = 1\n";
    for (int i = 1; i < n; ++i)
        script += fmt::format("v{} = v{} + {}\n", i, i - 1, i);
    script += "v7 = v7 * 2\nv7 = v7 * 2\n";
    REQUIRE(session.run("<test>", script));
    const auto& g = session.graph();
    REQUIRE(session.names().size() == n);
    double expected = 1;
    for (int i = 0; i < n; ++i) {
        const std::string name = fmt::format("v{}", i);
        CHECK(session.names()[static_cast<std::size_t>(i)] == name);
        const auto id = session.lookup(name);
        REQUIRE(id);
        if (i > 0) expected += i;
        if (i == 7) {
            CHECK(g.label(*id) == "v7#3");
            CHECK(session.graph().data(*id) == expected * 4);
        } else {
            CHECK(g.label(*id) == name);
            CHECK(session.graph().data(*id) == expected);
        }
    }
    CHECK_FALSE(session.lookup("v150000"));
    CHECK_FALSE(session.lookup("v"));
    CHECK(session.transcript().statements == n + 2);
    CHECK(session.transcript().text.starts_with("v0 = 1\nv1 = v0 + 1\n"));
    CHECK(session.transcript().text.ends_with("v7 = v7 * 2\nv7 = v7 * 2\n"));
    session.reset();
    CHECK(session.names().empty());
    CHECK_FALSE(session.lookup("v0"));
    CHECK(session.transcript().statements == 0);
    REQUIRE(session.run("<test>", "v0 = 5"));
    CHECK(g.label(*session.lookup("v0")) == "v0");
}

TEST_CASE("parser: statements parsed into one reused Statement equal fresh ones") {
    const std::string text =
        "a = 2; b = pow(a, 3) * tanh(-a)\n:grad a\nb.data = 1 + 2\nf(g(1, h(2, 3)), 4) + 5\nb\n";
    const auto fresh = mgrad::Parser::parse_all(text);
    mgrad::Parser parser(text);
    mgrad::Statement reused;
    std::size_t i = 0;
    while (parser.next(reused)) {
        REQUIRE(i < fresh.size());
        const auto& s = fresh[i++];
        CHECK(reused.kind == s.kind);
        CHECK(reused.span.offset == s.span.offset);
        CHECK(reused.span.length == s.span.length);
        CHECK(reused.target == s.target);
        CHECK(reused.command == s.command);
        CHECK(reused.root == s.root);
        REQUIRE(reused.exprs.size() == s.exprs.size());
        for (std::size_t k = 0; k < s.exprs.size(); ++k) {
            CHECK(reused.exprs[k].kind == s.exprs[k].kind);
            CHECK(reused.exprs[k].name == s.exprs[k].name);
            CHECK(reused.exprs[k].first_arg == s.exprs[k].first_arg);
            CHECK(reused.exprs[k].arg_count == s.exprs[k].arg_count);
        }
        CHECK(reused.args == s.args);
        CHECK(reused.words.size() == s.words.size());
    }
    CHECK(i == fresh.size());
    // f(g(1, h(2, 3)), 4): each call's arguments are its own, in order.
    const auto& call = fresh[4];
    const auto& f = call.exprs[call.exprs[call.root].lhs];
    REQUIRE(f.kind == mgrad::ExprKind::Call);
    REQUIRE(f.arg_count == 2);
    CHECK(call.exprs[call.args[f.first_arg]].name == "g");
    CHECK(call.exprs[call.args[f.first_arg + 1]].number == 4.0);
}
