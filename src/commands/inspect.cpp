// Inspecting a session: :backward, :grad, :vars and :tree.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/engine/chain_rule.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

// How a node is computed from its parents, in the language's own notation: `d * f`,
// `tanh(n)`, `x ** 2`. Constants appear by value, unlabelled nodes as #id.
std::string formula(Session& session, NodeId id) {
    Graph& g = session.graph();
    return mgrad::formula(g, id, [&](NodeId p) {
        if (g.op(p) == Op::Const && g.label(p).empty()) return format_number(g.data(p));
        return session.node_name(p);
    });
}

void cmd_backward(Session& session, std::span<const Word> args, Output&) {
    session.backward(node_arg(session, args[0]));
}

void cmd_grad(Session& session, std::span<const Word> args, Output& out) {
    Graph& g = session.graph();
    g.forward();
    // The rows, formatted only when shown (a page at a time). Both lists are in id order, so
    // the named ancestors are their merge: no label is looked up per node.
    std::vector<NodeId> named = g.labelled();
    if (!args.empty()) {
        // Everything NAME depends on, found from NAME up: the rest of the tape is not read.
        const std::span<const NodeId> up = session.ancestors(node_arg(session, args[0]));
        std::vector<NodeId> both;
        both.reserve(std::min(named.size(), up.size()));
        std::set_intersection(named.begin(), named.end(), up.begin(), up.end(),
                              std::back_inserter(both));
        named = std::move(both);
    }
    if (named.empty()) {
        out.text("(no named nodes yet)\n");
        return;
    }
    const std::size_t total = named.size();
    show_rows(session, out, ":grad", {"node", "data", "grad"}, "lrr", total,
              [&g, named = std::move(named)](std::size_t i) {
                  const NodeId id = named[i];
                  return std::vector<std::string>{std::string(g.label(id)),
                                                  format_number(g.data(id)),
                                                  format_number(g.grad(id))};
              });
}

std::string_view kind_of(Op op) {
    switch (op) {
        case Op::Leaf: return "leaf";
        case Op::Const: return "constant node";
        default: return "computed";
    }
}

void cmd_vars(Session& session, std::span<const Word>, Output& out) {
    Graph& g = session.graph();
    auto functions = session.user_functions();
    if (session.names().empty() && session.constants().empty() && functions.empty()) {
        out.text("(no names bound yet)\n");
        return;
    }
    g.forward();
    // Names, then constants, then functions; a row is made only when it is shown.
    const std::size_t names = session.names().size();
    const std::size_t constants = session.constants().size();
    const std::size_t total = names + constants + functions.size();  // before functions moves
    show_rows(session, out, ":vars", {"name", "kind", "node", "data", "grad", "formula", "made at"},
              "lllrrll", total,
              [&session, &g, names, constants,
               functions = std::move(functions)](std::size_t i) -> std::vector<std::string> {
                  if (i < names) {
                      const std::string& name = session.names()[i];
                      const NodeId id = *session.lookup(name);
                      std::string where;
                      if (auto o = session.origin(id))
                          where = fmt::format("{}:{}", o->source, o->line);
                      return {name,
                              std::string(kind_of(g.op(id))),
                              session.node_name(id),
                              format_number(g.data(id)),
                              format_number(g.grad(id)),
                              formula(session, id),
                              where};
                  }
                  if (i < names + constants) {
                      // Constants are numbers, not nodes: no node, no gradient.
                      const NamedConstant& k = session.constants()[i - names];
                      return {k.name,
                              "constant",
                              "",
                              format_number(k.value),
                              "",
                              fmt::format("const {} = {}", k.name, format_number(k.value)),
                              fmt::format("{}:{}", k.source, k.line)};
                  }
                  const UserFunction* f = functions[i - names - constants];
                  return {f->name,
                          "function",
                          "",
                          "",
                          "",
                          fmt::format("{}({}) = {}", f->name, fmt::join(f->params, ", "), f->body),
                          fmt::format("{}:{}", f->source, f->line)};
              });
}

void cmd_more(Session& session, std::span<const Word>, Output& out) { show_more(session, out); }

// Every line is indented by its depth and the table pads every line to the widest, so the
// text grows as lines × depth: both are capped (a 200 000-deep chain once needed 20 GB).
constexpr std::size_t max_tree_depth = 1000;
constexpr std::size_t max_tree_lines = 5000;

void cmd_tree(Session& session, const CommandArgs& args, Output& out) {
    Graph& g = session.graph();
    const NodeId root = *args.node("NAME");
    const auto max_depth = static_cast<std::size_t>(args.number("DEPTH", 24));
    g.forward();
    struct Item {
        NodeId id;
        std::string prefix;  // drawn before the node's own branch
        std::string branch;  // "├── ", "└── " or "" for the root
        std::size_t depth;
    };
    struct Line {
        std::string left;
        NodeId id;
    };
    std::vector<Line> lines;
    // Lines are capped, so a set of the expanded nodes stays small whatever the tape's size.
    std::unordered_set<NodeId> expanded;
    bool cut = false;
    // An explicit stack: graphs can be far deeper than the C++ stack.
    std::vector<Item> stack{{root, "", "", 0}};
    bool too_long = false;
    while (!stack.empty()) {
        if (lines.size() >= max_tree_lines) {
            too_long = true;
            break;
        }
        Item item = std::move(stack.back());
        stack.pop_back();
        const Parents parents = g.parents(item.id);
        std::string left = item.prefix + item.branch;
        if (g.op(item.id) == Op::Const && g.label(item.id).empty())
            left += format_number(g.data(item.id)) + " (constant)";  // as in its parent's formula
        else
            left += session.node_name(item.id);
        if (parents.size() > 0) left += " = " + formula(session, item.id);
        if (parents.size() > 0 && expanded.contains(item.id)) {
            lines.push_back({left + "  (see above)", item.id});
            continue;
        }
        if (parents.size() > 0 && item.depth >= max_depth) {
            lines.push_back({left + "  …", item.id});
            cut = true;
            continue;
        }
        lines.push_back({left, item.id});
        expanded.insert(item.id);
        std::string child_prefix = item.prefix;
        if (!item.branch.empty()) child_prefix += item.branch == "└── " ? "    " : "│   ";
        for (std::size_t k = parents.size(); k-- > 0;)
            stack.push_back({parents[k], child_prefix, k + 1 == parents.size() ? "└── " : "├── ",
                             item.depth + 1});
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : lines)
        rows.push_back(
            {l.left, "data", format_number(g.data(l.id)), "grad", format_number(g.grad(l.id))});
    std::string text = render_table(rows, "llrlr");
    if (too_long)
        text += fmt::format(
            "(the tree is cut at {} lines: a smaller DEPTH or a node nearer the "
            "leaves shows the rest)\n",
            max_tree_lines);
    else if (cut)
        text += fmt::format("(deeper nodes are not shown: ':tree {} {}' shows more levels)\n",
                            args.get("NAME")->text, std::min(max_depth * 2, max_tree_depth));
    out.text(text);
}

}  // namespace

void add_inspect_commands(Session& session) {
    const ArgSpec name{.name = "NAME", .kind = ArgKind::Node, .help = "a bound name"};
    ArgSpec optional_name = name;
    optional_name.optional = true;
    session.add_command(
        {.name = "backward",
         .summary = "set every gradient to zero, then backpropagate from NAME",
         .help = "NAME's gradient becomes 1 and the chain rule fills in the gradient of every "
                 "node NAME\n"
                 "depends on. Gradients of nodes NAME does not depend on stay 0.\n"
                 "Example:\n  a = 2; b = -3; L = a*b\n  :backward L\n  a.grad     # -3\n",
         .handler = cmd_backward,
         .replay = true,
         .spec = CommandSpec{.args = {name}}});
    session.add_command({.name = "grad",
                         .summary = "table of the named nodes with data and grad",
                         .help =
                             "Without NAME: every named node, in the order they were made (old\n"
                             "versions such as c#2 included). With NAME: the named nodes NAME\n"
                             "depends on, NAME included.\n",
                         .handler = cmd_grad,
                         .spec = CommandSpec{.args = {optional_name}}});
    session.add_command(
        {.name = "more",
         .summary = "the next page of a long :grad or :vars table",
         .help = "In the REPL on a terminal, a table longer than the screen shows its first\n"
                 "page and says how many rows are left; :more shows the next page. Any other\n"
                 "statement drops the rest (the rows describe the session as it was).\n",
         .handler = cmd_more,
         .keeps_more = true,
         .spec = CommandSpec{}});
    session.add_command(
        {.name = "vars",
         .summary = "the bound names: kind, node, data, grad, how and where made",
         .help =
             "One row per name: leaves (inputs), computed nodes, constants (const n = 2: plain\n"
             "numbers, not nodes) and functions (f(x) = …), with where each was made.\n",
         .handler = cmd_vars,
         .spec = CommandSpec{}});
    session.add_command(
        {.name = "tree",
         .summary = "NAME's graph as an indented tree with data and grad",
         .help =
             "One line per node: its name, how it is computed from its parents, data and grad.\n"
             "A subtree that was already shown is marked (see above) instead of repeated.\n"
             "Unnamed nodes are shown as #id. DEPTH (default 24) limits how deep the tree goes.\n",
         .handler = cmd_tree,
         .spec = CommandSpec{.args = {name,
                                      {.name = "DEPTH",
                                       .kind = ArgKind::Whole,
                                       .help = "how many levels to show (default 24)",
                                       .optional = true,
                                       .low = 1,
                                       .high = max_tree_depth}}}});
}

}  // namespace mgrad
