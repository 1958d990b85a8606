// The session's own commands: :help, :load, :save, :reset and :quit.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <filesystem>
#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

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
    script += session.transcript().text;
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
    out.text(fmt::format("saved {} statement{} to {}\n", session.transcript().statements,
                         session.transcript().statements == 1 ? "" : "s", args[0].text));
    detail::report_written(out, args[0].text);
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
  {functions}
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
        // The functions, from the op table: one argument each, and pow(x, y).
        std::string functions;
        for (std::size_t i = 0; i < op_count; ++i) {
            const OpInfo& info = op_info(static_cast<Op>(i));
            if (info.kind == OpKind::Function && info.arity == 1)
                functions += std::string(info.name) + " ";
        }
        functions += " one argument; pow(x, y) two";
        std::string text(syntax_help);
        text.replace(text.find("{functions}"), 11, functions);
        out.text(text);
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
        const OpInfo& info = op_info(*op);
        out.text(fmt::format("{}\n  {}\n", info.arity == 2 ? fmt::format("{}(x, y)", info.name)
                                                          : fmt::format("{}(x)", info.name),
                             info.help));
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

void add_session_commands(Session& session) {
    session.add_command({"help", ":help [TOPIC]", "list the commands, or explain one",
                         "TOPIC is a command (grad or :grad), a function (tanh) or 'syntax'.",
                         cmd_help});
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
