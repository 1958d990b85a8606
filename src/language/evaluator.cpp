// Session evaluator: expressions on the graph — names checked before any node is made, ops
// applied, the node cap, unknown functions and the hints for habits from Python.
#include "session_impl.hpp"

#include <fmt/format.h>
#include <cmath>

#include "builtins.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {

using detail::binary_op;
using detail::builtin_arity;
using detail::is_builtin_function;

namespace {

// Why an op produced NaN or inf from finite inputs, in words a learner recognises: the op's row
// of the op table says them (its `problem` column).
std::string runtime_problem(Op op, double x, double y, double r) {
    return fmt::format(fmt::runtime(op_problem(op, x, y)), fmt::arg("a", format_number(x)),
                       fmt::arg("b", format_number(y)), fmt::arg("r", format_number(r)));
}

// What to type instead of a call that comes from Python or micrograd habits.
std::optional<std::string_view> habit_hint(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> hints[] = {
        {"print", "a bare expression prints its value: type the expression itself"},
        {"Value", "a number is a value already: 'a = 2.0' makes a leaf node"},
        {"draw_dot", "':draw L' draws L's graph to L.svg (or ':draw L FILE')"},
        {"zero_grad", "':backward L' sets every gradient to zero before it backpropagates"},
        {"item", "x.data is x's number"},
        {"Neuron", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
        {"Layer", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
        {"MLP", "networks are built in C++ or by 'mgrad train' (see docs/nn.md)"},
    };
    for (const auto& [habit, hint] : hints)
        if (name == habit) return hint;
    return std::nullopt;
}

}  // namespace

void Session::Impl::unknown_function(const Expr& e) const {
    const std::string what =
        e.method ? fmt::format("method '.{}()'", e.name) : fmt::format("function '{}'", e.name);
    if (e.name == "backward")
        throw Error(
            "backward() is a statement of its own, not a value: L.backward() (or "
            ":backward L)",
            e.op_span);
    if (const auto hint = habit_hint(e.name))
        throw Error(fmt::format("mgrad has no {}: {}", what, *hint), e.op_span);
    if (!e.method && lookup(e.name))
        throw Error(fmt::format("'{}' is a node, not a function", e.name), e.op_span);
    if (const auto k = constant(e.name); k && !e.method)
        throw Error(
            fmt::format("'{}' is a constant ({}), not a function", e.name, format_number(*k)),
            e.op_span);
    throw Error(fmt::format("unknown {}{}", what, did_you_mean(e.name, function_names())),
                e.op_span);
}

void Session::Impl::check_names(const Statement& s, std::vector<Operand>& names,
                                const Locals* locals) {
    // A static pass before any node is made, so a statement with an error leaves the graph
    // exactly as it was.
    std::vector<bool>& is_node = m_is_node;  // kept between statements for its memory
    is_node.assign(s.exprs.size(), false);
    for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        const Expr& e = s.exprs[i];
        switch (e.kind) {
            case ExprKind::Number: break;
            case ExprKind::Name:  // evaluate() takes it from here
                if (const Operand* local = locals ? locals->find(e.name) : nullptr) {
                    names[i] = *local;
                    is_node[i] = std::holds_alternative<NodeId>(*local);
                } else if (const auto k = constant(e.name)) {
                    names[i] = *k;  // folds in like a literal
                } else {
                    names[i] = require(e.name, e.span);
                    is_node[i] = true;
                }
                break;
            case ExprKind::Unary: is_node[i] = is_node[e.lhs]; break;
            case ExprKind::Binary: is_node[i] = is_node[e.lhs] || is_node[e.rhs]; break;
            case ExprKind::Field:
                if (!is_node[e.lhs]) {
                    const Expr& operand = s.exprs[e.lhs];
                    if (operand.kind == ExprKind::Name && constant(operand.name))
                        throw Error(fmt::format("'{}' is a constant, a plain number: it has no "
                                                ".{} (write {} for its value)",
                                                operand.name, e.name, operand.name),
                                    e.span);
                    throw Error(
                        fmt::format("'.{}' needs a node, but this is a plain number", e.name),
                        operand.span);
                }
                is_node[i] = false;
                break;
            case ExprKind::Call: {
                std::size_t arity = 0;
                bool any_node = false;
                for (std::uint32_t k = 0; k < e.arg_count; ++k)
                    any_node = any_node || is_node[s.args[e.first_arg + k]];
                if (is_builtin_function(e.name)) {
                    arity = builtin_arity(e.name);
                    is_node[i] = any_node;
                } else if (const auto uf = m_user_functions.find(e.name);
                           uf != m_user_functions.end()) {
                    arity = uf->second->info.params.size();
                    is_node[i] = any_node || returns_node(*uf->second);
                } else if (const Function* f = find_function(e.name)) {
                    arity = f->arity;
                    is_node[i] = true;
                } else {
                    unknown_function(e);
                }
                if (e.arg_count != arity) {
                    if (e.method && arity == 1)
                        throw Error(
                            fmt::format("x.{}() takes no arguments: it is {}(x)", e.name, e.name),
                            e.span);
                    if (e.method)
                        throw Error(fmt::format("x.{}() is {}(x, …): it takes {} argument{}, "
                                                "not {}",
                                                e.name, e.name, arity - 1, arity == 2 ? "" : "s",
                                                e.arg_count - 1),
                                    e.span);
                    throw Error(fmt::format("{}() takes {} argument{}, not {}", e.name, arity,
                                            arity == 1 ? "" : "s", e.arg_count),
                                e.span);
                }
                break;
            }
        }
    }
}

NodeId Session::Impl::to_node(const Operand& v) {
    if (const auto* id = std::get_if<NodeId>(&v)) return *id;
    return m_graph.constant(std::get<double>(v));
}

Operand Session::Impl::apply_op(Op op, const Operand& x, const Operand& y, const Expr& e) {
    // Inside a defined function, problems are reported at its call.
    const SourceSpan& span = m_call_span ? *m_call_span : e.span;
    check_node_cap(2, span);
    auto value = [this](const Operand& v) {
        if (const auto* id = std::get_if<NodeId>(&v)) return m_graph.data(*id);
        return std::get<double>(v);
    };
    const double xv = value(x);
    const double yv = op_info(op).arity == 2 || op == Op::Pow ? value(y) : 0.0;
    Operand result;
    const bool x_node = std::holds_alternative<NodeId>(x);
    const bool y_node = std::holds_alternative<NodeId>(y);
    if (!x_node && !y_node) {
        result = detail::apply(op, xv, yv);
    } else if (op == Op::Pow && !y_node) {
        result = m_graph.pow_const(std::get<NodeId>(x), yv);
        op = Op::PowConst;
    } else if (op_info(op).arity == 1) {
        result = m_graph.unary(op, to_node(x));
    } else {
        const NodeId a = to_node(x);
        const NodeId b = to_node(y);
        result = m_graph.binary(op, a, b);
    }
    const double r = value(result);
    if (!std::isfinite(r) && std::isfinite(xv) && std::isfinite(yv)) {
        const auto* id = std::get_if<NodeId>(&result);
        m_pending.push_back({runtime_problem(op, xv, yv, r), span, id ? *id : no_node});
    }
    return result;
}

void Session::Impl::check_node_cap(std::size_t more, const SourceSpan& span) const {
    const std::size_t cap = m_options.max_nodes;
    if (cap == 0 || m_graph.size() + more <= cap) return;
    throw Error(fmt::format("the graph has {} node{}; this could take it past the limit of {} "
                            "(':reset' starts afresh; the mgrad option --max-nodes sets the "
                            "limit)",
                            m_graph.size(), m_graph.size() == 1 ? "" : "s", cap),
                span);
}

Operand Session::Impl::evaluate(const Statement& s, const Frame& frame, const Locals* locals) {
    // Each expression makes at most two nodes (a constant operand and the op), an assignment
    // two more (a leaf, or `+=`'s constant and op). Refused before any is made, so the graph
    // stays as it was; functions that build graphs are checked again in apply_op.
    check_node_cap(2 * s.exprs.size() + 2, m_call_span ? *m_call_span : s.span);
    // Borrowed from the session for its memory and handed back however this ends; a function
    // called below that runs statements on this session again finds it empty, not in use.
    struct Borrow {
        std::vector<Operand>& home;
        std::vector<Operand> v;
        explicit Borrow(std::vector<Operand>& h) : home(h), v(std::move(h)) {}
        Borrow(const Borrow&) = delete;
        Borrow& operator=(const Borrow&) = delete;
        ~Borrow() { home = std::move(v); }
    } borrow{m_operands};
    std::vector<Operand>& v = borrow.v;
    v.assign(s.exprs.size(), Operand{});
    check_names(s, v, locals);
    NodeId mark = m_graph.size();
    auto record = [&](const Expr& e) {
        // Remember where each new node came from, for warnings and :vars. (A defined
        // function's nodes are recorded at its call, by the statement that called it.)
        const NodeId end = m_graph.size();
        if (mark == end || locals) return;
        m_origins.grow_to(end, Origin{});
        for (NodeId id = mark; id < end; ++id)
            m_origins[id] = Origin{frame.source_index, e.span.line, e.span.column};
        mark = end;
    };
    for (std::size_t i = 0; i < s.exprs.size(); ++i) {
        const Expr& e = s.exprs[i];
        switch (e.kind) {
            case ExprKind::Number: v[i] = e.number; break;
            case ExprKind::Name:  // looked up by check_names
                break;
            case ExprKind::Unary:
                v[i] = e.op == TokenKind::Minus ? apply_op(Op::Neg, v[e.lhs], 0.0, e) : v[e.lhs];
                break;
            case ExprKind::Binary: v[i] = apply_op(binary_op(e.op), v[e.lhs], v[e.rhs], e); break;
            case ExprKind::Field: {
                if (const auto* id = std::get_if<NodeId>(&v[e.lhs])) {
                    v[i] = e.name == "data" ? m_graph.data(*id) : m_graph.grad(*id);
                } else if (e.name == "data") {
                    v[i] = v[e.lhs];  // a defined function gave a plain number
                } else {
                    throw Error("'.grad' needs a node, but this is a plain number",
                                s.exprs[e.lhs].span);
                }
                break;
            }
            case ExprKind::Call: {
                if (is_builtin_function(e.name)) {
                    const Op op = *op_from_name(e.name);
                    const Operand x = v[s.args[e.first_arg]];
                    const Operand y = e.arg_count > 1 ? v[s.args[e.first_arg + 1]] : Operand{0.0};
                    v[i] = apply_op(op, x, y, e);
                } else {
                    std::vector<Operand> args;
                    for (std::uint32_t k = 0; k < e.arg_count; ++k)
                        args.push_back(v[s.args[e.first_arg + k]]);
                    if (const auto uf = m_user_functions.find(e.name);
                        uf != m_user_functions.end()) {
                        v[i] = call_user(*uf->second, args, e, frame);
                    } else {
                        const Function* f = find_function(e.name);
                        v[i] = f->call(self, args, m_call_span ? *m_call_span : e.span);
                    }
                }
                break;
            }
        }
        record(e);
    }
    return v[s.root];
}

Operand Session::Impl::evaluate_text(std::string_view expression) {
    Parser parser(expression);
    Statement s;
    if (!parser.next(s)) throw Error("expected an expression, found nothing");
    if (s.kind != StatementKind::Expression) throw Error("expected an expression", s.span);
    Statement extra;
    if (parser.next(extra)) throw Error("expected one expression", extra.span);
    const Frame frame{"<expression>", expression, source_index("<expression>")};
    m_graph.set_max_nodes(m_options.max_nodes);  // as for a statement: grad() honours it too
    m_pending.clear();
    const NodeId mark = m_graph.size();
    Operand v;
    try {
        v = evaluate(s, frame);
    } catch (const Error& e) {
        const bool at_cap = m_options.max_nodes != 0 && m_graph.size() >= m_options.max_nodes;
        rollback(mark);
        if (!at_cap) throw;
        throw cap_error(mark, e.span() ? *e.span() : s.span);
    } catch (...) {
        rollback(mark);
        throw;
    }
    m_pending.clear();  // the caller decides what a NaN means
    return v;
}

Error Session::Impl::cap_error(NodeId mark, const SourceSpan& span) const {
    return Error(fmt::format("the graph has {} node{}; this statement would take it past the "
                             "limit of {} (':reset' starts afresh; the mgrad option "
                             "--max-nodes sets the limit)",
                             mark, mark == 1 ? "" : "s", m_options.max_nodes),
                 span);
}
}  // namespace mgrad
