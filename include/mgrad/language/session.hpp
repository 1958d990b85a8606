// Session — the state behind a REPL or a script: a graph, names bound to its nodes, commands.
//
// A Session owns its own mgrad::Graph (not the default graph). `name = expr` evaluates expr on
// it and binds the name to the new node, labelled with the name; rebinding makes a new node and
// the old one keeps its place under its label, so labels go `c`, `c#2`, `c#3` … Statements are
// run by run(): one loader for files, `-c` strings, stdin and REPL entries, each with a source
// name for diagnostics. An error in one statement is reported and never undoes earlier ones.
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
#include "mgrad/language/output.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/support/detail/pod_array.hpp"

namespace mgrad {

class Session;

/// Nested `:load`s deeper than this are refused (a cycle is refused at once).
inline constexpr std::size_t max_load_depth = 64;
/// A script (a file, `:load`, standard input) larger than this is refused unread.
inline constexpr std::size_t max_script_size = std::size_t{256} << 20u;
/// The default node cap (`--max-nodes`): about 50 MB of tape, far beyond a hand-written script,
/// reached only by a runaway one (a generated file, a huge paste).
inline constexpr std::size_t default_max_nodes = 1'000'000;

/// A command handler gets the session, the words after the command name (with their spans, so
/// an Error thrown with a word's span is shown with a caret under it) and the output.
using CommandHandler = std::function<void(Session&, std::span<const Word>, Output&)>;

struct Command {
    std::string name;     ///< without the colon: "grad"
    std::string usage;    ///< ":grad [NAME]"
    std::string summary;  ///< one line for the `:help` list
    std::string help;     ///< the long help shown by `:help grad` (may be several lines)
    CommandHandler handler;
    bool replay = false;  ///< `:save` writes it into the script (it changes state, e.g. :backward)
};

namespace detail {

/// Memory for a large table read at random: from 2 MiB up, 2 MiB aligned and marked for
/// transparent huge pages (Linux), so that a lookup in a table of a million names is one cache
/// miss and not also a TLB miss (perf showed the prefetch of a new name's slot stalling on it).
template <class T>
struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template <class U>
    explicit HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
    T* allocate(std::size_t n);
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

/// An index from a name to its position in a list of names kept elsewhere (open addressing,
/// linear probing). Why not std::unordered_map<std::string, …>: a generated script binds a
/// million names, and a node-based map costs a heap node per name, a string per lookup, slow
/// rehashes and a long destructor. Here a lookup hashes a string_view and compares against the
/// list, and the whole index is one array of 8-byte slots.
class NameIndex {
  public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    /// The position of `name` in `names`, or npos.
    [[nodiscard]] std::uint32_t find(std::string_view name,
                                     const std::deque<std::string>& names) const noexcept;
    /// Starts loading the slot where `name` would be, so a lookup soon after does not wait for
    /// memory (a new name's slot is nowhere in the cache).
    void prefetch(std::string_view name) const noexcept {
        if (!m_slots.empty()) __builtin_prefetch(&m_slots[hash_of(name) & (m_slots.size() - 1)]);
    }
    /// Records that `names[position]` is `name` (which must not be in the index yet).
    void insert(std::string_view name, std::uint32_t position);
    void clear() noexcept;

  private:
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t position = npos;  ///< npos: empty
    };
    [[nodiscard]] static std::uint32_t hash_of(std::string_view name) noexcept;
    void grow();

    std::vector<Slot, HugePageAllocator<Slot>> m_slots;  ///< a power of two long, half full
    std::size_t m_count = 0;
};

/// The statements `:save` writes, kept as one text (each statement ends with a newline) rather
/// than a string each: a million statements then cost their bytes, not a million allocations.
class Transcript {
  public:
    /// Makes room for `bytes` more without reallocating (a script about to run reserves its
    /// size, so a large one is not copied as the text doubles).
    void reserve_more(std::size_t bytes) {
        if (m_text.capacity() - m_text.size() >= bytes) return;
        m_text.reserve(std::max(m_text.size() + bytes, 2 * m_text.capacity()));
    }
    void append(std::string_view statement) {
        m_text.append(statement);
        m_text.push_back('\n');
        ++m_count;
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_count; }
    [[nodiscard]] bool empty() const noexcept { return m_count == 0; }
    /// Every statement, each followed by a newline.
    [[nodiscard]] std::string_view text() const noexcept { return m_text; }
    void clear() noexcept {
        m_text.clear();
        m_count = 0;
    }

  private:
    std::string m_text;
    std::size_t m_count = 0;
};

}  // namespace detail

/// What an expression evaluates to: a plain number or a node of the session's graph.
using Operand = std::variant<double, NodeId>;

/// A function callable from the language, beyond the built-in ops (e.g. `grad(f, x)`).
struct Function {
    std::string name;
    std::size_t arity = 1;
    std::string usage;    ///< "grad(f, x)"
    std::string summary;  ///< one line for `:help`
    std::function<Operand(Session&, std::span<const Operand>, SourceSpan)> call;
};

/// Where a node was made: a source name and a line (for warnings and `:vars`).
struct NodeOrigin {
    std::string_view source;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

struct SessionOptions {
    bool keep_going = false;  ///< report every error and go on, instead of stopping at the first
    bool echo = false;        ///< print each statement (`>>> a = 2`) before its output
    /// A statement that could grow the graph beyond this many nodes is refused, before it makes
    /// any (0: no cap).
    std::size_t max_nodes = default_max_nodes;
};

class Session {
  public:
    explicit Session(Output& output, SessionOptions options = {});
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    [[nodiscard]] Graph& graph() noexcept { return m_graph; }
    [[nodiscard]] Output& output() noexcept { return *m_output; }
    [[nodiscard]] SessionOptions& options() noexcept { return m_options; }

    // --- running --------------------------------------------------------------------------
    /// Runs every statement of `text`. Diagnostics name `source_name`; lines are counted from
    /// `first_line`. Stops at the first error unless options().keep_going. Returns true when no
    /// error was reported.
    bool run(std::string_view source_name, std::string_view text, std::uint32_t first_line = 1);
    /// Reads a file and runs it (`-` is standard input). A `:load` cycle is an error.
    bool run_file(const std::string& path);
    /// Runs one command as if typed (`name` without the colon); reports errors like run().
    bool run_command(std::string_view name, const std::vector<std::string>& args);

    /// The name of the source being run (a file path, `<repl>` …); empty between runs.
    [[nodiscard]] std::string_view current_source() const noexcept {
        return m_frames.empty() ? std::string_view{} : std::string_view{m_frames.back().name};
    }

    /// Errors reported since the session began (or since the last reset of the counter).
    [[nodiscard]] std::size_t error_count() const noexcept { return m_error_count; }
    /// A flag a SIGINT handler sets (the REPL's Ctrl-C). run() stops between statements when
    /// it is set, and long commands should poll interrupted().
    void set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept { m_interrupt = flag; }
    [[nodiscard]] bool interrupted() const noexcept { return m_interrupt && *m_interrupt; }
    /// Set by `:quit`; front ends stop reading when it is.
    [[nodiscard]] bool quit_requested() const noexcept { return m_quit; }
    void request_quit() noexcept { m_quit = true; }

    // --- bindings -------------------------------------------------------------------------
    /// The node bound to `name`, if any.
    [[nodiscard]] std::optional<NodeId> lookup(std::string_view name) const;
    /// The node bound to `name`, or an Error (with `span`) that suggests similar names.
    [[nodiscard]] NodeId require(std::string_view name, std::optional<SourceSpan> span = {}) const;
    /// Bound names in the order they were first bound. (A deque: growing it never moves the
    /// names already there.)
    [[nodiscard]] const std::deque<std::string>& names() const noexcept { return m_order; }
    /// Binds `name` to `id`. When `id` has no label it gets one: `name`, or `name#k` when the
    /// name was bound before.
    void bind(std::string_view name, NodeId id);
    /// Forgets every binding and node.
    void reset();

    // --- commands and functions -----------------------------------------------------------
    /// Registers a command (replacing one with the same name).
    void add_command(Command command);
    [[nodiscard]] const Command* find_command(std::string_view name) const;
    /// Every command, sorted by name.
    [[nodiscard]] std::vector<const Command*> commands() const;
    /// Registers a function for the language (replacing one with the same name).
    void add_function(Function function);
    [[nodiscard]] const Function* find_function(std::string_view name) const;
    /// Names a call may use: the built-in ops and every added function, sorted.
    [[nodiscard]] std::vector<std::string> function_names() const;
    /// Completions for the start of a word: commands (when it starts with ':'), bound names and
    /// functions. Sorted, without duplicates.
    [[nodiscard]] std::vector<std::string> completions(std::string_view prefix) const;

    // --- describing nodes -----------------------------------------------------------------
    /// The label of a node, or `#id` when it has none.
    [[nodiscard]] std::string node_name(NodeId id) const;
    /// Where a node was made, when a statement of this session made it.
    [[nodiscard]] std::optional<NodeOrigin> origin(NodeId id) const;
    /// Sets every gradient to zero, then backpropagates from `root` (warns about gradients
    /// that come out NaN or infinite).
    void backward(NodeId root);
    /// Reports a warning; with a span it points into the statement being run.
    void warn(std::string_view message, std::optional<SourceSpan> span = {});
    /// Every statement and replayable command that succeeded, in order (what `:save` writes).
    [[nodiscard]] const detail::Transcript& transcript() const noexcept { return m_transcript; }

  private:
    struct Frame {  // one source being run (a file, a REPL entry, a :load)
        std::string name;
        std::string_view text;
        std::uint32_t source_index;
    };

    void execute(const Statement& s, const Frame& frame);
    Operand evaluate(const Statement& s, const Frame& frame);
    void check_names(const Statement& s, std::vector<Operand>& names);
    NodeId to_node(const Operand& v);
    Operand apply_op(Op op, const Operand& x, const Operand& y, const Expr& e);
    void echo(std::string_view text, std::size_t& echoed_to, const Statement& s);
    void report(const Frame& frame, Severity severity, std::string_view message,
                const std::optional<SourceSpan>& span);
    void check_gradients(NodeId root);
    void check_node_cap(std::size_t more, const SourceSpan& span) const;
    std::uint32_t source_index(std::string_view name);

    Output* m_output;
    SessionOptions m_options;
    Graph m_graph;
    struct Binding {
        NodeId node = no_node;
        std::uint32_t version = 0;  ///< how many labels `name`, `name#2` … were handed out
    };
    std::deque<std::string> m_order;       ///< bound names, first bound first
    detail::PodArray<Binding> m_bindings;  ///< beside m_order
    detail::NameIndex m_name_index;        ///< name → position in m_order
    std::map<std::string, Command, std::less<>> m_commands;
    std::map<std::string, Function, std::less<>> m_functions;
    std::vector<std::string> m_source_names;
    struct Origin {
        std::uint32_t source = no_node;  ///< index into m_source_names; no_node: unknown
        std::uint32_t line = 0;
        std::uint32_t column = 0;
    };
    void set_origin(NodeId id, Origin origin);
    detail::PodArray<Origin> m_origins;  ///< by NodeId: 12 bytes per node beside the tape
    struct PendingWarning {  // found while evaluating, reported once the result is named
        std::string message;
        SourceSpan span;
        NodeId node;
    };
    std::vector<PendingWarning> m_pending;
    std::vector<bool> m_is_node;      ///< check_names' scratch
    std::vector<Operand> m_operands;  ///< evaluate's scratch
    std::vector<Frame> m_frames;
    /// The files being run, outermost first: {canonical path, path as given}.
    std::vector<std::pair<std::string, std::string>> m_loading;
    detail::Transcript m_transcript;
    std::size_t m_error_count = 0;
    bool m_quit = false;
    const volatile std::sig_atomic_t* m_interrupt = nullptr;
};

/// The one-line form of a node: `L = -8  (grad 1)`.
[[nodiscard]] std::string format_node(Session& session, NodeId id);

}  // namespace mgrad
