// What-ifs: :set changes a leaf and shows what moved; :nudge moves one by h and compares the
// change with what the gradient predicted.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

// --- :set ------------------------------------------------------------------------------------

/// Sets a leaf and prints each named node whose data changed.
void set_and_show(Session& session, NodeId leaf, double value, Output& out) {
    Graph& g = session.graph();
    g.forward();
    std::vector<double> before;
    before.reserve(g.size());
    for (const Node& n : g.nodes())
        before.push_back(n.data);
    g.set_data(leaf, value);
    g.forward();
    std::vector<std::vector<std::string>> rows{{"node", "before", "after"}};
    bool stale_grads = false;
    for (NodeId id = leaf + 1; id < g.size(); ++id) {
        const double now = g.data(id);
        const double was = before[id];
        stale_grads = stale_grads || g.grad(id) != 0.0;
        if (g.label(id).empty() || now == was || (std::isnan(now) && std::isnan(was))) continue;
        rows.push_back({session.node_name(id), format_number(was), format_number(now)});
    }
    out.text(fmt::format("{}: {} → {}\n", session.node_name(leaf), format_number(before[leaf]),
                         format_number(value)));
    if (rows.size() == 1) {
        out.text("no named node changed\n");
    } else {
        std::string table = render_table(rows, "lrr");
        out.table(Table{std::move(rows), "lrr", std::move(table)});
    }
    if (stale_grads) out.text("(gradients are from before the change: run :backward again)\n");
}

void cmd_set(Session& session, const CommandArgs& args, Output& out) {
    set_and_show(session, *args.node("LEAF"), args.number("VALUE", 0.0), out);
}

// --- :nudge ----------------------------------------------------------------------------------

void cmd_nudge(Session& session, const CommandArgs& args, Output& out) {
    const NodeId leaf = *args.node("LEAF");
    const double h = args.number("h", 0.0);
    const Word& leaf_word = *args.get("LEAF");
    Graph& g = session.graph();
    NodeId target = leaf;
    if (const auto watched = args.node("NAME")) {
        target = *watched;
    } else {
        // The newest named node that depends on LEAF: one upward sweep marks them all.
        std::vector<bool> downstream(g.size(), false);
        downstream[leaf] = true;
        for (NodeId id = leaf + 1; id < g.size(); ++id)
            for (NodeId p : g.parents(id))
                if (downstream[p]) downstream[id] = true;
        for (const auto& name : session.names()) {
            const NodeId id = *session.lookup(name);
            if (id != leaf && downstream[id] && (target == leaf || id > target)) target = id;
        }
        if (target == leaf)
            throw Error(fmt::format("no named node depends on '{}'; name one: :nudge {} {} NAME",
                                    leaf_word.text, leaf_word.text, args.get("h")->text),
                        leaf_word.span);
    }
    const std::vector<double> grads = fresh_gradients(g, target);
    const double slope = grads[leaf];
    const double x0 = g.data(leaf);
    const double y0 = g.data(target);
    double y1 = 0, x1 = 0;
    {
        DataRestore restore(g, leaf);
        g.set_data(leaf, x0 + h);
        x1 = g.data(leaf);
        y1 = g.data(target);
    }
    const std::string ln = session.node_name(leaf), tn = session.node_name(target);
    const double moved = y1 - y0;
    const double predicted = slope * h;
    std::string text = fmt::format("{}: {} → {}  (by {})\n", ln, format_number(x0),
                                   format_number(x1), format_number(h));
    text += fmt::format("{}: {} → {}  (moved {})\n", tn, format_number(y0), format_number(y1),
                        format_number(moved));
    text += fmt::format("the gradient predicted d{}/d{} * h = {} * {} = {}  (off by {})\n", tn, ln,
                        format_number(slope), format_number(h), format_number(predicted),
                        short_sci(moved - predicted));
    text += fmt::format("{} is back at {}\n", ln, format_number(x0));
    out.text(text);
}

}  // namespace

void add_whatif_commands(Session& session) {
    const ArgSpec leaf{.name = "LEAF", .kind = ArgKind::Leaf, .help = "a leaf (an input)"};
    session.add_command(
        {.name = "set",
         .summary = "change a leaf's data, show what changed",
         .help = "Like LEAF.data = VALUE, but prints the leaf and every named node whose data "
                 "changed,\n"
                 "before and after. Nothing is rebuilt: the nodes downstream are recomputed. "
                 "Gradients\n"
                 "are not (run :backward again).\n"
                 "Example:\n  a = 2; b = -3; L = a*b\n  :set a 3      # L: -6 → -9\n",
         .handler = cmd_set,
         .replay = true,
         .spec = CommandSpec{
             .args = {leaf, {.name = "VALUE", .kind = ArgKind::Number, .help = "its new data"}}}});
    session.add_command(
        {.name = "nudge",
         .summary = "how much NAME moves when LEAF moves by h",
         .help = "Moves LEAF by h, shows how NAME (default: the newest named node that depends "
                 "on\n"
                 "LEAF) changed, next to what the gradient predicted (dNAME/dLEAF * h), then puts\n"
                 "LEAF back. The two agree more closely the smaller h is. Data and gradients are "
                 "left\n"
                 "as they were.\n"
                 "Example:\n  a = 2; b = -3; L = a*b\n  :nudge a 0.001 L\n",
         .handler = cmd_nudge,
         .spec = CommandSpec{.args = {leaf,
                                      {.name = "h", .kind = ArgKind::Number, .help = "how far"},
                                      {.name = "NAME",
                                       .kind = ArgKind::Node,
                                       .help = "the value to watch",
                                       .optional = true}}}});
}

}  // namespace mgrad
