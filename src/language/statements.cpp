// Session statements: executing one statement (an expression, an assignment, `x.data = …`,
// a definition) so that it either completes or leaves the graph as it was.
#include "session_impl.hpp"

#include <fmt/format.h>
#include <cmath>

#include "builtins.hpp"
#include "mgrad/support/number.hpp"

namespace mgrad {

using detail::binary_op;
using detail::is_builtin_function;

bool Session::Impl::execute_habit(const Statement& s, const Frame&) {
    // `quit`, `exit` and `help` (or `help(tanh)`) as Python's REPL takes them, unless the
    // name means something else in this session.
    if (s.kind != StatementKind::Expression) return false;
    const Expr& root = s.exprs[s.root];
    const Expr* arg = nullptr;
    if (root.kind == ExprKind::Call) {
        if (root.method || root.arg_count > 1) return false;
        if (root.arg_count == 1) arg = &s.exprs[s.args[root.first_arg]];
    } else if (root.kind != ExprKind::Name) {
        return false;
    }
    const std::string_view word = root.name;
    if (word != "quit" && word != "exit" && word != "help") return false;
    if (lookup(word) || constant(word) || m_user_functions.contains(word)) return false;
    if (word != "help") {
        if (arg) return false;
        m_quit = true;
        return true;
    }
    const Command* help = find_command("help");
    if (!help || (arg && arg->kind != ExprKind::Name)) return false;
    std::vector<Word> words;
    if (arg) {
        // As in Python, help(X) is about the object X: `help(grad)` is the function grad(f, x),
        // not the command :grad (`:help grad` still means the command).
        std::string topic(arg->name);
        const auto op = op_from_name(topic);
        if (find_function(topic) || m_user_functions.contains(topic) ||
            (op && op_info(*op).kind == OpKind::Function))
            topic += "()";
        words.push_back(Word{std::move(topic), arg->span});
    }
    help->handler(self, check_args(self, *help, words), *m_output);
    return true;
}

void Session::Impl::rollback(NodeId mark) {
    m_graph.truncate(mark);
    if (m_origins.size() > mark) m_origins.truncate(mark);
    m_pending.clear();
}

void Session::Impl::execute(const Statement& s, const Frame& frame) {
    const std::string_view text = frame.text.substr(s.span.offset, s.span.length);
    // The cap is the graph's own limit, so every way of making nodes honours it (grad() and
    // the commands too), checked before the memory for a node is taken.
    m_graph.set_max_nodes(m_options.max_nodes);
    if (s.kind == StatementKind::Command) {
        execute_command(s, frame);
        return;
    }
    m_more.reset();  // the rows left of a paged table describe the session before this
    if (execute_habit(s, frame)) return;
    // A statement either completes or leaves the graph as it found it.
    const NodeId mark = m_graph.size();
    try {
        execute_statement(s, frame, text);
    } catch (const Error& e) {
        const bool at_cap = m_options.max_nodes != 0 && m_graph.size() >= m_options.max_nodes;
        rollback(mark);
        if (!at_cap) throw;
        throw cap_error(mark, e.span() ? *e.span() : s.span);
    } catch (...) {
        rollback(mark);
        throw;
    }
}

void Session::Impl::execute_statement(const Statement& s, const Frame& frame,
                                      std::string_view text) {
    m_pending.clear();
    auto flush_warnings = [&] {
        std::vector<PendingWarning> pending;
        pending.swap(m_pending);
        for (const auto& w : pending) {
            std::string message = w.message;
            if (w.node != no_node && !m_graph.label(w.node).empty())
                message += fmt::format(" (in node '{}')", m_graph.label(w.node));
            report(frame, Severity::Warning, message, w.span);
        }
    };

    switch (s.kind) {
        case StatementKind::Expression: {
            const Operand v = evaluate(s, frame);
            flush_warnings();
            Result r;
            r.expression = text;
            if (const auto* id = std::get_if<NodeId>(&v)) {
                const std::string_view label = m_graph.label(*id);
                r.label = label.empty() ? std::string(text) : std::string(label);
                r.data = m_graph.data(*id);
                r.grad = m_graph.grad(*id);
            } else {
                r.data = std::get<double>(v);
            }
            m_output->result(r);
            return;
        }
        case StatementKind::Constant:
            define_constant(s, frame);
            flush_warnings();
            m_transcript.append(text);
            return;
        case StatementKind::Function:
            define_function(s, frame);
            m_transcript.append(text);
            return;
        case StatementKind::Assignment: {
            m_name_index.prefetch(s.target);  // bind() looks it up once the value is made
            if (is_builtin_function(s.target) || find_function(s.target) ||
                m_user_functions.contains(s.target))
                throw Error(fmt::format("cannot bind '{}': it is the name of a function", s.target),
                            s.target_span);
            if (const auto k = constant(s.target))
                throw Error(fmt::format("'{}' is a constant ({}); 'const {} = …' gives it a new "
                                        "value",
                                        s.target, format_number(*k), s.target),
                            s.target_span);
            if (s.target == "const")
                throw Error("'const' is a keyword: 'const NAME = NUMBER' binds a constant",
                            s.target_span);
            std::optional<NodeId> current;
            if (s.assign_op != TokenKind::Assign) current = require(s.target, s.target_span);
            Operand v = evaluate(s, frame);
            if (current) {
                Expr whole;
                whole.span = s.span;
                v = apply_op(binary_op(s.assign_op), *current, v, whole);
            }
            NodeId id;
            if (const auto* node = std::get_if<NodeId>(&v)) {
                id = *node;
            } else {
                id = m_graph.leaf(std::get<double>(v));
                for (auto& w : m_pending)
                    if (w.node == no_node) w.node = id;  // it came from this number
            }
            if (!origin(id)) set_origin(id, Origin{frame.source_index, s.span.line, s.span.column});
            bind(s.target, id);
            flush_warnings();
            m_transcript.append(text);
            return;
        }
        case StatementKind::SetData: {
            const NodeId id = require(s.target, s.target_span);
            if (!is_leaf(m_graph.op(id)))
                throw Error(fmt::format("'{}' is computed ({}), not a leaf: only a leaf's data "
                                        "can be set",
                                        s.target, op_info(m_graph.op(id)).name),
                            s.target_span);
            const Operand v = evaluate(s, frame);
            double x = std::holds_alternative<double>(v) ? std::get<double>(v)
                                                         : m_graph.data(std::get<NodeId>(v));
            // a.data -= lr * a.grad, as in micrograd's update step.
            if (s.assign_op != TokenKind::Assign)
                x = detail::apply(binary_op(s.assign_op), m_graph.data(id), x);
            flush_warnings();
            // Warn when the change makes a NaN or inf appear where there was none before.
            std::vector<bool> was_finite(m_graph.size());
            for (NodeId k = id; k < m_graph.size(); ++k)
                was_finite[k] = std::isfinite(m_graph.data(k));
            m_graph.set_data(id, x);
            m_graph.forward();
            for (NodeId k = id; k < m_graph.size(); ++k) {
                if (!was_finite[k] || std::isfinite(m_graph.data(k))) continue;
                std::string where;
                if (auto o = origin(k)) where = fmt::format(" (made at {}:{})", o->source, o->line);
                report(frame, Severity::Warning,
                       fmt::format("with {}.data = {}, node '{}'{} becomes {}", s.target,
                                   format_number(x), node_name(k), where,
                                   format_number(m_graph.data(k))),
                       s.span);
                break;  // where it first appears; the nodes after it only pass it on
            }
            m_transcript.append(text);
            return;
        }
        case StatementKind::Command: return;
    }
}
}  // namespace mgrad
