// Session::Impl — the state behind a Session (session.hpp shows only its interface).
// Internal to the language layer: session.cpp forwards to it, and the files beside it implement
// its parts (bindings, command_table, loader, statements, evaluator, user_functions, backward).
#pragma once

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mgrad/engine/ancestors.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/support/detail/pod_array.hpp"
#include "name_index.hpp"

namespace mgrad {

namespace detail {

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

struct MGRAD_LOCAL Session::Impl {
    Impl(Session& session, Output& output, SessionOptions options)
        : m_output(&output), m_options(options), self(session) {}

    // The public operations, as session.hpp documents them.
    bool run(std::string_view source_name, std::string_view text, std::uint32_t first_line = 1,
             Author author = Author::User);
    bool run_file(const std::string& path);
    /// A script's text; refuses one over max_script_size (by its size, unread, when it is a
    /// regular file) and stops waiting on a pipe when interrupted.
    [[nodiscard]] std::string read_file(const std::string& path) const;
    bool run_command(std::string_view name, const std::vector<std::string>& args);
    [[nodiscard]] std::string_view current_source() const noexcept {
        return m_frames.empty() ? std::string_view{} : std::string_view{m_frames.back().name};
    }
    [[nodiscard]] bool interrupted() const noexcept { return m_interrupt && *m_interrupt; }
    [[nodiscard]] std::optional<NodeId> lookup(std::string_view name) const;
    [[nodiscard]] NodeId require(std::string_view name, std::optional<SourceSpan> span) const;
    void bind(std::string_view name, NodeId id);
    void reset();
    void add_command(Command command);
    [[nodiscard]] const Command* find_command(std::string_view name) const;
    [[nodiscard]] std::vector<const Command*> commands() const;
    void add_function(Function function);
    [[nodiscard]] const Function* find_function(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> function_names() const;
    [[nodiscard]] std::vector<std::string> completions(std::string_view prefix) const;
    [[nodiscard]] std::string node_name(NodeId id) const;
    [[nodiscard]] std::optional<NodeOrigin> origin(NodeId id) const;
    void backward(NodeId root);
    void warn(std::string_view message, std::optional<SourceSpan> span = {});
    [[nodiscard]] const Command& resolve_command(std::string_view typed) const;
    /// Asked for every name of every statement (here, so the evaluator's files inline it).
    [[nodiscard]] std::optional<double> constant(std::string_view name) const {
        if (m_constant_index.empty()) return std::nullopt;  // the usual case: no lookup at all
        const auto it = m_constant_index.find(name);
        if (it == m_constant_index.end()) return std::nullopt;
        return m_constants[it->second].value;
    }
    [[nodiscard]] std::vector<const UserFunction*> user_functions() const;
    Operand evaluate_text(std::string_view expression);

    struct Frame {  // one source being run (a file, a REPL entry, a :load)
        std::string name;
        std::string_view text;
        std::uint32_t source_index;
    };

    /// The parameters of the function being called, bound to its arguments.
    struct Locals {
        std::span<const std::string> names;
        std::span<const Operand> values;
        [[nodiscard]] const Operand* find(std::string_view name) const {
            for (std::size_t i = 0; i < names.size(); ++i)
                if (names[i] == name) return &values[i];
            return nullptr;
        }
    };
    /// A function defined in the language, with its body parsed once from its own copy of the
    /// text (the Statement's views point into `text`, which never moves).
    struct FunctionDef {
        UserFunction info;
        std::unique_ptr<std::string> text;
        Statement body;
        bool uses_globals = false;  ///< the body names a node of the session
    };

    void execute(const Statement& s, const Frame& frame);
    /// execute(), reporting what it throws; false when it reported an error.
    bool execute_reporting(const Statement& s, const Frame& frame);
    bool execute_habit(const Statement& s, const Frame& frame);
    void define_constant(const Statement& s, const Frame& frame);
    void define_function(const Statement& s, const Frame& frame);
    void check_name_free(std::string_view name, const SourceSpan& span, bool constant,
                         bool function) const;
    [[nodiscard]] bool returns_node(const FunctionDef& f) const;
    [[nodiscard]] bool calls(const FunctionDef& f, std::string_view name,
                             std::vector<std::string>& path) const;
    Operand call_user(const FunctionDef& f, std::span<const Operand> args, const Expr& call,
                      const Frame& frame);
    Operand evaluate(const Statement& s, const Frame& frame, const Locals* locals = nullptr);
    void check_names(const Statement& s, std::vector<Operand>& names, const Locals* locals);
    [[noreturn]] void unknown_function(const Expr& e) const;
    void execute_statement(const Statement& s, const Frame& frame, std::string_view text);
    NodeId to_node(const Operand& v);
    Operand apply_op(Op op, const Operand& x, const Operand& y, const Expr& e);
    void echo(std::string_view text, std::size_t& echoed_to, const Statement& s);
    void report(const Frame& frame, Severity severity, std::string_view message,
                const std::optional<SourceSpan>& span, const ErrorDetail* detail = nullptr);
    void check_gradients(NodeId root, std::span<const NodeId> part);
    void check_node_cap(std::size_t more, const SourceSpan& span) const;
    void execute_command(const Statement& s, const Frame& frame);
    /// Drops what a failed statement made: nodes from `mark` on and their origins.
    void rollback(NodeId mark);
    /// The error for a statement that would take the graph past the node cap.
    [[nodiscard]] Error cap_error(NodeId mark, const SourceSpan& span) const;
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
    std::vector<NamedConstant> m_constants;                            ///< first defined first
    std::map<std::string, std::size_t, std::less<>> m_constant_index;  ///< name → position
    std::map<std::string, std::unique_ptr<FunctionDef>, std::less<>> m_user_functions;
    std::size_t m_call_depth = 0;           ///< calls of defined functions under way
    std::optional<SourceSpan> m_call_span;  ///< the outermost such call, for warnings
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
    std::optional<MoreRows> m_more;       ///< the rest of a paged table, for `:more`
    std::optional<std::string> m_replay;  ///< replay_as() of the command being run
    AncestorWalk m_walk;
    /// The nodes whose gradients the last backward() set (all others are zero) while the
    /// graph's grad_version() is still m_grads_version and m_grads_known is true; otherwise the
    /// next backward() zeroes the whole tape.
    std::vector<NodeId> m_grad_nodes;
    std::uint64_t m_grads_version = 0;
    bool m_grads_known = false;
    std::size_t m_error_count = 0;
    bool m_quit = false;
    const volatile std::sig_atomic_t* m_interrupt = nullptr;
    std::function<void()> m_progress;  ///< Session::set_progress_hook
    void progress() {
        if (m_progress) m_progress();
    }

    Session& self;  ///< handed to commands and functions
};

}  // namespace mgrad
