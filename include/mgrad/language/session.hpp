// Session — the state behind a REPL or a script: a graph, names bound to its nodes, commands.
//
// A Session owns its own mgrad::Graph (not the default graph). `name = expr` evaluates expr on
// it and binds the name to the new node, labelled with the name; rebinding makes a new node and
// the old one keeps its place under its label, so labels go `c`, `c#2`, `c#3` … Statements are
// run by run(): one loader for files, `-c` strings, stdin and REPL entries, each with a source
// name for diagnostics. An error in one statement is reported and never undoes earlier ones;
// the statement itself leaves nothing behind (nodes it made before failing are dropped).
// `--max-nodes` is the graph's own limit (Graph::set_max_nodes), so it holds for every way of
// making nodes, grad() included.
//
// Commands (`:grad`, `:tree` …) live in a table that other parts of mgrad extend with
// add_command(): the renderer adds `:draw`, the gradient lab `:check`, `:set` and so on.
#pragma once

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mgrad/engine/graph.hpp"
#include "mgrad/language/command_spec.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad {

class Session;

/// Nested `:load`s deeper than this are refused (a cycle is refused at once).
inline constexpr std::size_t max_load_depth = 64;
/// A script (a file, `:load`, standard input) larger than this is refused unread.
inline constexpr std::size_t max_script_size = std::size_t{256} << 20u;
/// The default node cap (`--max-nodes`): about 50 MB of tape, far beyond a hand-written script,
/// reached only by a runaway one (a generated file, a huge paste).
inline constexpr std::size_t default_max_nodes = 1'000'000;

/// A command handler gets the session, the words after the command name checked against the
/// command's spec (CommandArgs; each word keeps its span, so an Error thrown with a word's span
/// is shown with a caret under it) and the output. A handler may take the words as a
/// `std::span<const Word>` instead.
using CommandHandler = std::function<void(Session&, const CommandArgs&, Output&)>;

struct MGRAD_API Command {
    std::string name{};     ///< without the colon: "grad"
    std::string usage{};    ///< ":grad [NAME]"; add_command() makes it from `spec` when empty
    std::string summary{};  ///< one line for the `:help` list
    std::string help{};     ///< the long help shown by `:help grad` (may be several lines)
    CommandHandler handler{};
    bool replay = false;  ///< `:save` writes it into the script (it changes state, e.g. :backward)
    bool keeps_more = false;  ///< the rest of a paged table survives it (only `:more`)
    /// The words it takes (command_spec.hpp): checked before the handler runs, and the source
    /// of its usage, option list and completion. None: any words, unchecked.
    std::optional<CommandSpec> spec{};
};

/// What may complete the word before a cursor (Session::complete).
struct MGRAD_API Completion {
    struct Candidate {
        std::string text;  ///< the whole word: "depth=", "examples/", ":draw"
        /// "command", "name", "constant", "function", "attribute", "option", "value", "file",
        /// "directory", "keyword" or "topic"
        std::string kind;
    };
    std::size_t start = 0;              ///< where the word being completed starts in the text
    std::vector<Candidate> candidates;  ///< sorted, without duplicates
};

/// The rows of a long table not shown yet (see Output::page_rows()): `:more` shows the next
/// page. Rows are made when shown, so a table of a million rows costs a page to start. Any
/// statement other than `:more` drops it: the rows it would make describe the session as it was.
struct MGRAD_API MoreRows {
    std::string command;              ///< what made the table: ":grad"
    std::vector<std::string> header;  ///< repeated above each page
    std::string align;                ///< as render_table's: 'l' or 'r' per column
    std::size_t next = 0;             ///< the first row not shown yet
    std::size_t total = 0;
    std::function<std::vector<std::string>(std::size_t row)> row;
};

/// What an expression evaluates to: a plain number or a node of the session's graph.
using Operand = std::variant<double, NodeId>;

/// A function callable from the language, beyond the built-in ops (e.g. `grad(f, x)`).
struct MGRAD_API Function {
    std::string name;
    std::size_t arity = 1;
    std::string usage;    ///< "grad(f, x)"
    std::string summary;  ///< one line for `:help`
    std::function<Operand(Session&, std::span<const Operand>, SourceSpan)> call;
};

/// A constant bound by `const NAME = expr`: a plain number that folds into expressions like a
/// literal (`x**n` is a power by a constant), not a node of the graph.
struct MGRAD_API NamedConstant {
    std::string name;
    double value = 0.0;
    std::string source;  ///< where it was last defined: a file, `<repl>` …
    std::uint32_t line = 0;
};

/// A function defined in the language, `f(x) = 3*x**2 - 4*x + 5`. A call evaluates the body
/// with the parameters bound to the arguments, so it builds the nodes the body describes (or
/// gives a plain number when nothing in it is a node).
struct MGRAD_API UserFunction {
    std::string name;
    std::vector<std::string> params;
    std::string body;                ///< the expression after '=', as written
    std::vector<std::string> calls;  ///< the functions defined this way that the body calls
    std::string source;              ///< where it was last defined
    std::uint32_t line = 0;
};

/// Where a node was made: a source name and a line (for warnings and `:vars`).
struct MGRAD_API NodeOrigin {
    std::string_view source;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

/// The statements `:save` writes: `text` holds each one followed by a newline.
struct MGRAD_API TranscriptView {
    std::string_view text;
    std::size_t statements = 0;
};

/// Who wrote the text run() runs: the user, typing (a REPL entry, `-c`, a program calling
/// run()), or a script (a file, `:load`, standard input that is not a terminal, a notebook's
/// cell). A script may write files only inside the current directory and
/// SessionOptions::allow_write (mgrad/support/write_rule.hpp; docs/reliability.md, "Lesson
/// files"); the user anywhere.
enum class Author { User, Script };

struct MGRAD_API SessionOptions {
    bool keep_going = false;  ///< report every error and go on, instead of stopping at the first
    bool echo = false;        ///< print each statement (`>>> a = 2`) before its output
    /// A statement that could grow the graph beyond this many nodes is refused, before it makes
    /// any (0: no cap).
    std::size_t max_nodes = default_max_nodes;
    /// Directories beyond the current one that scripts may write into (`--allow-write DIR`).
    std::vector<std::string> allow_write{};
};

class MGRAD_API Session {
  public:
    explicit Session(Output& output, SessionOptions options = {});
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    [[nodiscard]] Graph& graph() noexcept;
    [[nodiscard]] const Graph& graph() const noexcept;
    [[nodiscard]] Output& output() noexcept;
    [[nodiscard]] SessionOptions& options() noexcept;

    // --- running --------------------------------------------------------------------------
    /// Runs every statement of `text`. Diagnostics name `source_name`; lines are counted from
    /// `first_line`. Stops at the first error unless options().keep_going. Returns true when no
    /// error was reported. `author` says whose text it is (what it may write).
    bool run(std::string_view source_name, std::string_view text, std::uint32_t first_line = 1,
             Author author = Author::User);
    /// Reads a file and runs it as a script (`-` is standard input). A `:load` cycle is an error.
    bool run_file(const std::string& path);
    /// Runs one command (`name` without the colon) with these words, as if typed with each word
    /// quoted: the words are never parsed, so no character in them can end the command or
    /// start another statement (a word with a control character is refused). Reports errors
    /// like run(), naming the source `<command line>`; false when it reported one.
    bool run_command(std::string_view name, const std::vector<std::string>& args);

    /// The name of the source being run (a file path, `<repl>` …); empty between runs.
    [[nodiscard]] std::string_view current_source() const noexcept;

    /// Errors reported since the session began (or since the last reset of the counter).
    [[nodiscard]] std::size_t error_count() const noexcept;
    /// A flag a SIGINT handler sets (the REPL's Ctrl-C). run() stops between statements when
    /// it is set, and long commands should poll interrupted().
    void set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept;
    [[nodiscard]] bool interrupted() const noexcept;
    /// Set by `:quit`; front ends stop reading when it is.
    [[nodiscard]] bool quit_requested() const noexcept;
    void request_quit() noexcept;
    /// A function run after every statement, and by long commands between their steps
    /// (`:minimize`), so that a front end showing the session live (the view) can follow it.
    /// It runs on the session's thread, for every statement of a script: it must be quick (the
    /// view notes the change and redraws at most ten times a second). Empty: none.
    void set_progress_hook(std::function<void()> hook);
    /// Runs the progress hook, if there is one.
    void progress();

    // --- bindings -------------------------------------------------------------------------
    /// The node bound to `name`, if any.
    [[nodiscard]] std::optional<NodeId> lookup(std::string_view name) const;
    /// The node bound to `name`, or an Error (with `span`) that suggests similar names.
    [[nodiscard]] NodeId require(std::string_view name, std::optional<SourceSpan> span = {}) const;
    /// Bound names in the order they were first bound. (A deque: growing it never moves the
    /// names already there.)
    [[nodiscard]] const std::deque<std::string>& names() const noexcept;
    /// Binds `name` to `id`. When `id` has no label it gets one: `name`, or `name#k` when the
    /// name was bound before.
    void bind(std::string_view name, NodeId id);
    /// Forgets every binding, node, constant and defined function.
    void reset();
    /// The value of the constant `name`, if it is one.
    [[nodiscard]] std::optional<double> constant(std::string_view name) const;
    /// The constants in the order they were first defined.
    [[nodiscard]] const std::vector<NamedConstant>& constants() const noexcept;
    /// The function `name` defined in the language, if any.
    [[nodiscard]] const UserFunction* user_function(std::string_view name) const;
    /// The functions defined in the language, each after the functions it calls (the order in
    /// which they can be defined again elsewhere).
    [[nodiscard]] std::vector<const UserFunction*> user_functions() const;
    /// Evaluates one expression without printing or binding anything (nodes it makes stay on
    /// the graph). Throws Error, whose span points into `expression`.
    Operand evaluate(std::string_view expression);

    // --- commands and functions -----------------------------------------------------------
    /// Registers a command (replacing one with the same name).
    void add_command(Command command);
    /// The command with this exact name.
    [[nodiscard]] const Command* find_command(std::string_view name) const;
    /// The command a typed name means: its exact name, an alias (`q`, `h`, `?`) or a prefix of
    /// one command only (`b` → backward). Throws Error for an unknown or ambiguous name.
    [[nodiscard]] const Command& resolve_command(std::string_view typed) const;
    /// Every command, sorted by name.
    [[nodiscard]] std::vector<const Command*> commands() const;
    /// Registers a function for the language (replacing one with the same name).
    void add_function(Function function);
    [[nodiscard]] const Function* find_function(std::string_view name) const;
    /// Names a call may use: the built-in ops, every added function and every function
    /// defined in the language, sorted.
    [[nodiscard]] std::vector<std::string> function_names() const;
    /// Completions for the start of a word: commands (when it starts with ':'), bound names,
    /// constants and functions. Sorted, without duplicates.
    [[nodiscard]] std::vector<std::string> completions(std::string_view prefix) const;
    /// What may complete the word that ends `text` (a cell or a line up to the cursor): in a
    /// command, exactly the words its spec allows there (options, names, leaves, files with
    /// the accepted extensions, words of a set); in an expression, names, constants and
    /// functions; after `name.`, data and grad. Every front end completes with this.
    [[nodiscard]] Completion complete(std::string_view text) const;

    // --- describing nodes -----------------------------------------------------------------
    /// The label of a node, or `#id` when it has none.
    [[nodiscard]] std::string node_name(NodeId id) const;
    /// Where a node was made, when a statement of this session made it.
    [[nodiscard]] std::optional<NodeOrigin> origin(NodeId id) const;
    /// Sets every gradient to zero, then backpropagates from `root` (warns about gradients
    /// that come out NaN or infinite). Costs in proportion to the nodes `root` depends on and
    /// to those the previous backward() reached, not to the session: the session remembers
    /// which gradients it made non-zero and zeroes only those (the whole tape when gradients
    /// were written on graph() directly since: Graph::grad_version).
    void backward(NodeId root);
    /// `root` and every node it depends on, in ascending id order, found in proportion to
    /// their number (AncestorWalk). Valid until the next call.
    [[nodiscard]] std::span<const NodeId> ancestors(NodeId root);
    /// Reports a warning; with a span it points into the statement being run.
    void warn(std::string_view message, std::optional<SourceSpan> span = {});
    /// Every statement and replayable command that succeeded, in order (what `:save` writes).
    [[nodiscard]] TranscriptView transcript() const noexcept;
    /// For the command being run: what the transcript records for it in place of its text as
    /// typed — also when it ends with an error. The rule for commands: whatever a command did
    /// to the session is either undone when it fails, or recorded so that `:save` replays to
    /// the same state. A command stopped halfway (Ctrl-C during `:minimize`) records what it
    /// did (`:minimize L steps=53424 …`).
    void replay_as(std::string statement);
    /// Keeps the rest of a paged table for `:more` (or drops it: nullopt).
    void set_more(std::optional<MoreRows> rows);
    /// The rest of the last paged table, if the previous statement made one.
    [[nodiscard]] MoreRows* more() noexcept;

  private:
    struct Impl;  // src/language/session_impl.hpp
    std::unique_ptr<Impl> m_impl;
};

/// The one-line form of a node: `L = -8  (grad 1)`.
[[nodiscard]] MGRAD_API std::string format_node(Session& session, NodeId id);

}  // namespace mgrad
