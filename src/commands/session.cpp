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
#include "mgrad/language/output.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/atomic_file.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

void cmd_load(Session& session, std::span<const Word> args, Output&) {
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

void cmd_reset(Session& session, std::span<const Word>, Output&) { session.reset(); }

void cmd_quit(Session& session, std::span<const Word>, Output&) { session.request_quit(); }

constexpr std::string_view syntax_help = R"HELP(The mgrad language:
  a = 2                  bind a name to a new leaf node (labelled "a")
  L = (a*b + c) * f      bind a name to a computed node; rebinding makes a new
                         node (c, c#2 …)
  c += 1                 shorthand for c = c + (1); also -= *= /=
  const h = 0.001        a constant: a plain number, folded in like a literal
  f(x) = x**2 + 1        a function: f(3) is a number, f(x) builds nodes
  a*b                    a bare expression prints its value
  a.data  a.grad         plain numbers, not nodes
  a.data = 3             change a leaf (also +=, -=); what depends on it follows
  x.tanh()  L.backward() micrograd's methods: tanh(x) and :backward L
  + - * /  ** (or ^)     ** binds tighter than unary minus, groups to the right
  {functions}
  ;  or a new line       end a statement; a line ending in an operator or
                         inside ( ) goes on
  # comment              to the end of the line
See docs/language.md for the grammar.
)HELP";

// Not a command of the language, but what a learner looks for after the tutorial.
constexpr std::string_view train_usage = "mgrad train [OPTIONS]   (in the shell, not here)";
constexpr std::string_view train_summary =
    "trains a small MLP on a generated 2-D data set: micrograd's demo by default";
constexpr std::string_view train_help =
    "`mgrad help train` (or `man mgrad`) lists its options. `mgrad train --save net.json` keeps "
    "the trained network, and `:model net.json` loads it here to evaluate and draw.\n";

/// Display columns of a UTF-8 string.
std::size_t columns(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

// A command's help, its paragraphs refilled to the width; indented lines (examples, option
// lists) stay as they are unless they are too long.
std::string reflow(std::string_view text, std::size_t width) {
    std::string out, paragraph;
    auto flush = [&] {
        if (paragraph.empty()) return;
        out += wrap_text(paragraph, width) + "\n";
        paragraph.clear();
    };
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line.front() == ' ') {
            // An indented line (an option and its description): a too long one goes on under
            // its description.
            flush();
            const std::size_t word = std::min(line.find_first_not_of(' '), line.size());
            const std::size_t gap = line.find("  ", word);
            const std::size_t column =
                gap == std::string_view::npos ? 0 : line.find_first_not_of(' ', gap);
            out += wrap_text(line, width,
                             column != std::string_view::npos && column < width / 2 ? column : 0) +
                   "\n";
            continue;
        }
        if (line.back() == ':' && line.size() < 20) {
            // A heading such as "Example:" stands on its own line.
            flush();
            out += std::string(line) + "\n";
            continue;
        }
        if (!paragraph.empty()) paragraph += ' ';
        paragraph += line;
    }
    flush();
    return out;
}

/// A command's long help with its option list (from the spec) before its examples.
std::string long_help(const Command& c) {
    std::string text = c.help;
    const std::string options = c.spec ? options_help(*c.spec) : std::string();
    if (options.empty()) return text;
    const std::size_t example = text.find("Example:\n");
    const std::size_t at = example == std::string::npos ? text.size() : example;
    text.insert(at, "Options:\n" + options);
    return text;
}

void cmd_help(Session& session, std::span<const Word> args, Output& out) {
    const std::size_t width = out.width();
    if (args.empty()) {
        // Two columns; a usage wider than the first goes on a line of its own, and a summary
        // too long for the terminal goes on under itself.
        const std::size_t usage_column = std::min<std::size_t>(26, width / 3);
        std::string text = "Commands:\n";
        for (const Command* c : session.commands()) {
            const std::string usage = "  " + c->usage;
            const std::size_t w = columns(usage);
            std::string line = usage;
            if (w + 2 > usage_column) {
                text += wrap_text(usage, width, 4) + "\n";
                line.clear();
            }
            line.append(usage_column - columns(line), ' ');
            line += c->summary;
            text += wrap_text(line, width, usage_column) + "\n";
        }
        std::vector<std::string> fns;
        for (const auto& name : session.function_names()) {
            if (const UserFunction* u = session.user_function(name))
                fns.push_back(fmt::format("{}({})", u->name, fmt::join(u->params, ", ")));
            else if (const Function* f = session.find_function(name))
                fns.push_back(f->usage);
            else
                fns.push_back(name == "pow" ? "pow(x, y)" : name + "(x)");
        }
        text +=
            "Functions:\n" + wrap_text(fmt::format("  {}", fmt::join(fns, " ")), width, 2) + "\n";
        text += wrap_text(
                    "Type ':help NAME' for a command or function, ':help syntax' for the "
                    "language.",
                    width) +
                "\n";
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
        functions += "(one argument), pow(x, y)";
        std::string text(syntax_help);
        text.replace(text.find("{functions}"), 11, functions);
        out.text(wrap_text(text, width, 25));
        return;
    }
    if (topic == "train") {
        out.text(wrap_text(fmt::format("{}\n  {}", train_usage, train_summary), width, 2) + "\n\n" +
                 reflow(train_help, width));
        return;
    }
    // `:help grad()` is the function when a command has the same name.
    const bool call = topic.ends_with("()");
    if (call) topic.remove_suffix(2);
    if (const UserFunction* u = session.user_function(topic)) {
        out.text(fmt::format("{}({}) = {}\n  a function defined at {}:{}\n", u->name,
                             fmt::join(u->params, ", "), u->body, u->source, u->line));
        return;
    }
    if (const auto k = session.constant(topic)) {
        out.text(fmt::format("const {} = {}\n  a constant: a plain number, not a node\n", topic,
                             format_number(*k)));
        return;
    }
    const Command* c = nullptr;
    if (!call) {
        if (args[0].text.starts_with(':')) {
            // `:help :b` means the command `:b` means.
            try {
                c = &session.resolve_command(topic);
            } catch (const Error& e) {
                throw Error(e.what(), args[0].span);
            }
        } else {
            c = session.find_command(topic);
        }
    }
    if (c) {
        out.text(wrap_text(fmt::format("{}\n  {}", c->usage, c->summary), width, 2) + "\n");
        if (const std::string help = long_help(*c); !help.empty())
            out.text(std::string(1, '\n').append(reflow(help, width)));
        if (session.find_function(topic))
            out.text(fmt::format("(':help {}()' explains the function {}.)\n", topic, topic));
        return;
    }
    if (const Function* f = session.find_function(topic)) {
        out.text(wrap_text(fmt::format("{}\n  {}", f->usage, f->summary), width, 2) + "\n");
        return;
    }
    if (const auto op = op_from_name(topic); op && op_info(*op).kind == OpKind::Function) {
        const OpInfo& info = op_info(*op);
        out.text(wrap_text(fmt::format("{}\n  {}",
                                       info.arity == 2 ? fmt::format("{}(x, y)", info.name)
                                                       : fmt::format("{}(x)", info.name),
                                       info.help),
                           width, 2) +
                 "\n");
        return;
    }
    // A unique prefix of a command, as the command line itself allows.
    if (!call) {
        try {
            const Command& found = session.resolve_command(topic);
            std::vector<Word> again{Word{found.name, args[0].span}};
            cmd_help(session, again, out);
            return;
        } catch (const Error&) {
        }
    }
    std::vector<std::string> topics{"syntax", "train"};
    for (const Command* cmd : session.commands())
        topics.push_back(cmd->name);
    for (const auto& f : session.function_names())
        topics.push_back(f);
    throw Error(fmt::format("no help on '{}'{}", args[0].text, did_you_mean(topic, topics)),
                args[0].span);
}

}  // namespace

void add_session_commands(Session& session) {
    session.add_command(
        {.name = "help",
         .summary = "list the commands, or explain one",
         .help = "TOPIC is a command (grad or :grad), a function (tanh, or one you\n"
                 "defined) or 'syntax'. A command may be shortened to any prefix only it\n"
                 "has (:b for :backward); :h and :? are :help, :q is :quit.\n",
         .handler = cmd_help,
         .spec = CommandSpec{.args = {{.name = "TOPIC",
                                       .kind = ArgKind::Topic,
                                       .help = "a command, a function or 'syntax'",
                                       .optional = true}},
                             .aliases = {"h", "?"}}});
    session.add_command(
        {.name = "load",
         .summary = "run the statements of a file in this session",
         .help = "Names bound by FILE stay bound. A file that loads itself (directly or\n"
                 "through others) is refused.\n",
         .handler = cmd_load,
         .spec = CommandSpec{.args = {{.name = "FILE",
                                       .kind = ArgKind::File,
                                       .help = "a script, relative to the file that loads it"}}}});
    session.add_command(
        {.name = "save",
         .summary = "write a script that rebuilds this session",
         .help = "The script holds every assignment and :backward that succeeded, in\n"
                 "order; running it gives the same nodes, labels, data and gradients.\n",
         .handler = cmd_save,
         .spec = CommandSpec{
             .args = {{.name = "FILE", .kind = ArgKind::File, .help = "the script to write"}}}});
    session.add_command({.name = "reset",
                         .summary = "forget every name, node, constant and function",
                         .handler = cmd_reset,
                         .spec = CommandSpec{}});
    session.add_command({.name = "quit",
                         .summary = "leave mgrad (Ctrl-D, :q, quit and exit do the same)",
                         .handler = cmd_quit,
                         .spec = CommandSpec{.aliases = {"q", "exit"}}});
}

}  // namespace mgrad
