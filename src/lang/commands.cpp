// The built-in commands: :help :backward :grad :vars :tree :load :save :reset :quit.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "command_util.hpp"
#include "mgrad/atomic_file.hpp"
#include "mgrad/number.hpp"
#include "mgrad/session.hpp"

namespace mgrad {

namespace {

using detail::expect_args;
using detail::node_arg;
using detail::render_table;

// How a node is computed from its parents, in the language's own notation: `d * f`,
// `tanh(n)`, `x ** 2`. Constants appear by value, unlabelled nodes as #id.
std::string formula(Session& session, NodeId id) {
    Graph& g = session.graph();
    auto name = [&](NodeId p) {
        if (g.op(p) == Op::Const && g.label(p).empty()) return format_number(g.data(p));
        return session.node_name(p);
    };
    const Node& n = g.node(id);
    const OpInfo& info = op_info(n.op);
    switch (n.op) {
        case Op::Leaf: return "leaf";
        case Op::Const: return "constant";
        case Op::Neg: return fmt::format("-{}", name(n.a));
        case Op::PowConst: return fmt::format("{} ** {}", name(n.a), format_number(g.exponent(id)));
        case Op::Pow: return fmt::format("pow({}, {})", name(n.a), name(n.b));
        case Op::MulAdd: return fmt::format("{} * {} + {}", name(n.a), name(n.b), name(n.c));
        default: break;
    }
    if (info.kind == OpKind::Binary)
        return fmt::format("{} {} {}", name(n.a), info.symbol, name(n.b));
    return fmt::format("{}({})", info.symbol, name(n.a));
}

// ---------------------------------------------------------------------------------------------

void cmd_backward(Session& session, std::span<const Word> args, Output&) {
    expect_args(args, 1, 1, ":backward NAME");
    session.backward(node_arg(session, args[0]));
}

void cmd_grad(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 0, 1, ":grad [NAME]");
    Graph& g = session.graph();
    g.forward();
    std::vector<bool> wanted(g.size(), args.empty());
    if (!args.empty()) {
        // Everything NAME depends on: one downward sweep over the tape.
        const NodeId root = node_arg(session, args[0]);
        wanted[root] = true;
        for (NodeId id = root + 1; id-- > 0;)
            if (wanted[id])
                for (NodeId p : g.parents(id))
                    wanted[p] = true;
    }
    std::vector<std::vector<std::string>> rows{{"node", "data", "grad"}};
    for (NodeId id = 0; id < g.size(); ++id) {
        if (!wanted[id] || g.label(id).empty()) continue;
        rows.push_back(
            {std::string(g.label(id)), format_number(g.data(id)), format_number(g.grad(id))});
    }
    if (rows.size() == 1) {
        out.text("(no named nodes yet)\n");
        return;
    }
    out.text(render_table(rows, "lrr"));
}

void cmd_vars(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 0, 0, ":vars");
    Graph& g = session.graph();
    if (session.names().empty()) {
        out.text("(no names bound yet)\n");
        return;
    }
    std::vector<std::vector<std::string>> rows{
        {"name", "node", "data", "grad", "formula", "made at"}};
    for (const auto& name : session.names()) {
        const NodeId id = *session.lookup(name);
        std::string where;
        if (auto o = session.origin(id)) where = fmt::format("{}:{}", o->source, o->line);
        rows.push_back({name, session.node_name(id), format_number(g.data(id)),
                        format_number(g.grad(id)), formula(session, id), where});
    }
    out.text(render_table(rows, "llrrll"));
}

// Every line is indented by its depth and the table pads every line to the widest, so the
// text grows as lines × depth: both are capped (a 200 000-deep chain once needed 20 GB).
constexpr std::size_t max_tree_depth = 1000;
constexpr std::size_t max_tree_lines = 5000;

void cmd_tree(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 1, 2, ":tree NAME [DEPTH]");
    Graph& g = session.graph();
    const NodeId root = node_arg(session, args[0]);
    std::size_t max_depth = 24;
    if (args.size() == 2) {
        const std::string& t = args[1].text;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), max_depth);
        if (ec != std::errc{} || p != t.data() + t.size() || max_depth == 0 ||
            max_depth > max_tree_depth)
            throw Error(fmt::format("DEPTH must be a whole number from 1 to {}, not '{}'",
                                    max_tree_depth, t),
                        args[1].span);
    }
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
    std::vector<bool> expanded(g.size(), false);
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
        if (parents.size() > 0 && expanded[item.id]) {
            lines.push_back({left + "  (see above)", item.id});
            continue;
        }
        if (parents.size() > 0 && item.depth >= max_depth) {
            lines.push_back({left + "  …", item.id});
            cut = true;
            continue;
        }
        lines.push_back({left, item.id});
        expanded[item.id] = true;
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
                            args[0].text, std::min(max_depth * 2, max_tree_depth));
    out.text(text);
}

void cmd_load(Session& session, std::span<const Word> args, Output&) {
    expect_args(args, 1, 1, ":load FILE");
    // A relative path in a file is relative to that file, so scripts can load their neighbours
    // from any working directory; in the REPL, -c and stdin it is relative to the working one.
    std::filesystem::path path = args[0].text;
    const std::string_view from = session.current_source();
    if (path.is_relative() && !from.empty() && !from.starts_with('<'))
        path = std::filesystem::path(from).parent_path() / path;
    try {
        (void)session.run_file(path.lexically_normal().string());
    } catch (const Error& e) {
        if (e.span()) throw;
        throw Error(e.what(), args[0].span);
    }
}

void cmd_save(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 1, 1, ":save FILE");
    std::string script =
        fmt::format("# An mgrad session, written by :save. Run it with: mgrad {}\n", args[0].text);
    script += session.transcript().text();
    std::error_code ec;
    if (std::filesystem::is_directory(args[0].text, ec))
        throw Error(fmt::format("cannot write '{}': it is a directory", args[0].text),
                    args[0].span);
    try {
        // A failure halfway (a full disk) must not destroy the script saved before.
        write_file_atomically(args[0].text, script);
    } catch (const Error& e) {
        throw Error(e.what(), args[0].span);
    }
    out.text(fmt::format("saved {} statement{} to {}\n", session.transcript().size(),
                         session.transcript().size() == 1 ? "" : "s", args[0].text));
}

void cmd_reset(Session& session, std::span<const Word> args, Output&) {
    expect_args(args, 0, 0, ":reset");
    session.reset();
}

void cmd_quit(Session& session, std::span<const Word> args, Output&) {
    expect_args(args, 0, 0, ":quit");
    session.request_quit();
}

constexpr std::string_view syntax_help = R"HELP(The mgrad language:
  a = 2                  bind a name to a new leaf node (labelled "a")
  L = (a*b + c) * f      bind a name to a computed node; rebinding makes a new node (c, c#2 …)
  c += 1                 shorthand for c = c + (1); also -= *= /=
  a*b                    a bare expression prints its value: "a*b = -6  (grad 0)"
  a.data  a.grad         plain numbers, not nodes
  a.data = 3             change a leaf; everything downstream is recomputed
  + - * /  ** (or ^)     ** binds tighter than unary minus and groups to the right
  tanh exp log relu sigmoid sqrt abs sin cos  one argument; pow(x, y) two
  ;  or a new line       end a statement; a line ending in an operator or inside ( ) goes on
  # comment              to the end of the line
See docs/language.md for the grammar.
)HELP";

void cmd_help(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 0, 1, ":help [TOPIC]");
    if (args.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const Command* c : session.commands())
            rows.push_back({"  " + c->usage, c->summary});
        std::string text = "Commands:\n" + render_table(rows, "ll");
        text += "Functions:\n  ";
        std::vector<std::string> fns;
        for (const auto& name : session.function_names()) {
            const Function* f = session.find_function(name);
            fns.push_back(f ? f->usage : name == "pow" ? "pow(x, y)" : name + "(x)");
        }
        text += fmt::format("{}\n", fmt::join(fns, " "));
        text += "Type ':help NAME' for a command or function, ':help syntax' for the language.\n";
        out.text(text);
        return;
    }
    std::string_view topic = args[0].text;
    if (topic.starts_with(':')) topic.remove_prefix(1);
    if (topic == "syntax" || topic == "language") {
        out.text(syntax_help);
        return;
    }
    // `:help grad()` is the function when a command has the same name.
    const bool call = topic.ends_with("()");
    if (call) topic.remove_suffix(2);
    if (const Command* c = call ? nullptr : session.find_command(topic)) {
        out.text(fmt::format("{}\n  {}\n{}{}", c->usage, c->summary, c->help.empty() ? "" : "\n",
                             c->help));
        if (!c->help.empty() && c->help.back() != '\n') out.text("\n");
        if (session.find_function(topic))
            out.text(fmt::format("(':help {}()' explains the function {}.)\n", topic, topic));
        return;
    }
    if (const Function* f = session.find_function(topic)) {
        out.text(fmt::format("{}\n  {}\n", f->usage, f->summary));
        return;
    }
    if (const auto op = op_from_name(topic); op && op_info(*op).kind == OpKind::Function) {
        static constexpr std::pair<std::string_view, std::string_view> derivatives[] = {
            {"tanh", "hyperbolic tangent; d/dx tanh(x) = 1 - tanh(x)**2"},
            {"exp", "e to the power x; d/dx exp(x) = exp(x)"},
            {"log", "natural logarithm; d/dx log(x) = 1/x (nan for x < 0)"},
            {"relu", "max(0, x); d/dx = 1 for x > 0, else 0"},
            {"sigmoid", "1 / (1 + exp(-x)); d/dx = sigmoid(x) * (1 - sigmoid(x))"},
            {"sqrt", "square root; d/dx sqrt(x) = 1 / (2 sqrt(x))"},
            {"abs", "absolute value; d/dx = sign(x)"},
            {"sin", "sine; d/dx sin(x) = cos(x)"},
            {"cos", "cosine; d/dx cos(x) = -sin(x)"},
            {"pow", "x to the power y, like x ** y; d/dx = y x**(y-1), d/dy = x**y log(x)"},
        };
        for (const auto& [name, text] : derivatives)
            if (name == topic)
                out.text(fmt::format(
                    "{}\n  {}\n", name == "pow" ? "pow(x, y)" : std::string(name) + "(x)", text));
        return;
    }
    std::vector<std::string> topics{"syntax"};
    for (const Command* c : session.commands())
        topics.push_back(c->name);
    for (const auto& f : session.function_names())
        topics.push_back(f);
    throw Error(fmt::format("no help on '{}'{}", args[0].text, did_you_mean(topic, topics)),
                args[0].span);
}

}  // namespace

double number_arg(const Word& word) {
    std::string_view text = word.text;
    double sign = 1.0;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        sign = text.front() == '-' ? -1.0 : 1.0;
        text.remove_prefix(1);
    }
    Lexer lexer(text);
    Token t;
    try {
        t = lexer.next();
    } catch (const Error& e) {
        throw Error(e.what(), word.span);
    }
    if (t.kind != TokenKind::Number || lexer.next().kind != TokenKind::End)
        throw Error(fmt::format("expected a number, not '{}'", word.text), word.span);
    return sign * t.number;
}

void add_builtin_commands(Session& session) {
    session.add_command({"help", ":help [TOPIC]", "list the commands, or explain one",
                         "TOPIC is a command (grad or :grad), a function (tanh) or 'syntax'.",
                         cmd_help});
    session.add_command(
        {"backward", ":backward NAME", "set every gradient to zero, then backpropagate from NAME",
         "NAME's gradient becomes 1 and the chain rule fills in the gradient of every node NAME\n"
         "depends on. Gradients of nodes NAME does not depend on stay 0.\n"
         "Example:\n  a = 2; b = -3; L = a*b\n  :backward L\n  a.grad     # -3\n",
         cmd_backward, true});
    session.add_command({"grad", ":grad [NAME]", "table of the named nodes with data and grad",
                         "Without NAME: every named node, in the order they were made (old\n"
                         "versions such as c#2 included). With NAME: the named nodes NAME\n"
                         "depends on, NAME included.\n",
                         cmd_grad});
    session.add_command(
        {"vars", ":vars", "the bound names: node, data, grad, how and where made", "", cmd_vars});
    session.add_command(
        {"tree", ":tree NAME [DEPTH]", "NAME's graph as an indented tree with data and grad",
         "One line per node: its name, how it is computed from its parents, data and grad.\n"
         "A subtree that was already shown is marked (see above) instead of repeated.\n"
         "Unnamed nodes are shown as #id. DEPTH (default 24) limits how deep the tree goes.\n",
         cmd_tree});
    session.add_command({"load", ":load FILE", "run the statements of a file in this session",
                         "Names bound by FILE stay bound. A file that loads itself (directly or\n"
                         "through others) is refused.\n",
                         cmd_load});
    session.add_command({"save", ":save FILE", "write a script that rebuilds this session",
                         "The script holds every assignment and :backward that succeeded, in\n"
                         "order; running it gives the same nodes, labels, data and gradients.\n",
                         cmd_save});
    session.add_command({"reset", ":reset", "forget every name and node", "", cmd_reset});
    session.add_command({"quit", ":quit", "leave mgrad (Ctrl-D does the same)", "", cmd_quit});
}

}  // namespace mgrad
