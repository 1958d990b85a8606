// chain_steps() and formula(): the op table's rules read as words (see chain_rule.hpp).
#include "mgrad/engine/chain_rule.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "mgrad/support/number.hpp"
#include "rules.hpp"

namespace mgrad {

namespace rules {

/// Everything printing a rule needs: the node, how to name nodes, and which row is wanted.
struct PrintCtx {
    const Graph& graph;
    NodeId id;
    const Node& node;
    const NodeNamer& name;
    NumCtx values;
    bool numbers;  ///< the row with numbers (`-3 * -2`) rather than names (`b.data * e.grad`)
};

// How tightly each kind of expression binds when printed (higher binds tighter).
constexpr int prec_sum = 1, prec_product = 2, prec_unary = 3, prec_power = 4, prec_atom = 5;

// --- constants: printed as their value (`K - 1` as `1`) ----------------------------------------

template <class E>
constexpr bool is_constant(const E&) {
    return false;
}
constexpr bool is_constant(const Lit&) { return true; }
constexpr bool is_constant(V<Var::K>) { return true; }
template <BinOp o, Expr L, Expr R>
constexpr bool is_constant(const Bin<o, L, R>& e) {
    return is_constant(e.l) && is_constant(e.r);
}
template <Expr X>
constexpr bool is_constant(const Neg<X>& e) {
    return is_constant(e.x);
}

// --- precedence --------------------------------------------------------------------------------

template <class E>
constexpr int prec(const E&) {
    return prec_atom;
}
template <BinOp o, Expr L, Expr R>
constexpr int prec(const Bin<o, L, R>& e) {
    if (is_constant(e)) return prec_atom;
    if constexpr (o == BinOp::Add || o == BinOp::Sub) return prec_sum;
    if constexpr (o == BinOp::Mul || o == BinOp::Div) return prec_product;
    return prec_power;
}
template <Expr X>
constexpr int prec(const Neg<X>&) {
    return prec_unary;
}
template <Expr X>
constexpr int prec(const Sq<X>&) {
    return prec_power;
}
template <Cond P, Expr X>
constexpr int prec(const When<P, X>& e) {
    return prec(e.x);
}
template <Cond P, Expr X>
constexpr int prec(const Gate<P, X>&) {
    return prec_product;
}
template <Expr X>
constexpr int prec(const ZeroTimes<X>&) {
    return prec_product;
}

// --- print -------------------------------------------------------------------------------------

template <class E>
std::string print(const E& e, const PrintCtx& p);

template <class E>
std::string wrapped(const E& e, const PrintCtx& p, bool parens) {
    std::string s = print(e, p);
    return parens ? fmt::format("({})", s) : s;
}

// (fmt::format rather than "literal" + std::string: GCC 12 warns falsely about the latter.)
std::string data_of(NodeId node, const PrintCtx& p) {
    if (p.numbers) return format_number(p.graph.nodes()[node].data);
    return p.name(node) + ".data";
}
std::string print(V<Var::A>, const PrintCtx& p) { return data_of(p.node.a, p); }
std::string print(V<Var::B>, const PrintCtx& p) { return data_of(p.node.b, p); }
std::string print(V<Var::C>, const PrintCtx& p) { return data_of(p.node.c, p); }
std::string print(V<Var::Y>, const PrintCtx& p) { return data_of(p.id, p); }
std::string print(V<Var::G>, const PrintCtx& p) {
    return p.numbers ? format_number(p.values.g) : p.name(p.id) + ".grad";
}
std::string print(V<Var::K>, const PrintCtx& p) { return format_number(num(K, p.values)); }
std::string print(const Lit& e, const PrintCtx&) { return format_number(e.value); }

/// A power's base, in parentheses when it is not a single term or, with numbers, negative:
/// `(-3)**2`, as Python would need to read it.
template <class E>
std::string base(const E& e, const PrintCtx& p) {
    const bool negative = p.numbers && num(e, p.values) < 0;
    return wrapped(e, p, prec(e) < prec_atom || negative);
}

template <BinOp o, Expr L, Expr R>
std::string print(const Bin<o, L, R>& e, const PrintCtx& p) {
    if (is_constant(e)) return format_number(num(e, p.values));
    if constexpr (o == BinOp::Pow || o == BinOp::PowK) {
        return base(e.l, p) + "**" + wrapped(e.r, p, prec(e.r) < prec_atom);
    } else {
        constexpr std::string_view op = o == BinOp::Add   ? " + "
                                        : o == BinOp::Sub ? " - "
                                        : o == BinOp::Mul ? " * "
                                                          : " / ";
        const int mine = prec(e);
        // The right side is bracketed at equal precedence too: `-g * (y / b)` as written.
        return wrapped(e.l, p, prec(e.l) < mine) + std::string(op) +
               wrapped(e.r, p, prec(e.r) <= mine);
    }
}
template <Expr X>
std::string print(const Neg<X>& e, const PrintCtx& p) {
    if (is_constant(e)) return format_number(num(e, p.values));
    return fmt::format("-{}", wrapped(e.x, p, prec(e.x) < prec_unary));
}
template <Expr X>
std::string print(const Sq<X>& e, const PrintCtx& p) {
    return base(e.x, p) + "**2";
}
template <Op F, Expr X>
std::string print(const Call<F, X>& e, const PrintCtx& p) {
    // sign() with numbers is shown as the -1, 0 or 1 it gives, like a comparison's 1 or 0.
    if (p.numbers && F == Op::Sign) return format_number(num(e, p.values));
    return fmt::format("{}({})", op_info(F).symbol, print(e.x, p));
}
template <CmpOp o, Expr X>
std::string print_condition(const Cmp<o, X>& c, const PrintCtx& p) {
    constexpr std::string_view op = o == CmpOp::Gt   ? " > "
                                    : o == CmpOp::Ge ? " >= "
                                    : o == CmpOp::Eq ? " == "
                                                     : " != ";
    return print(c.x, p) + std::string(op) + format_number(c.rhs);
}
template <Cond P, Cond Q>
std::string print_condition(const And<P, Q>& c, const PrintCtx& p) {
    return print_condition(c.p, p) + " and " + print_condition(c.q, p);
}
template <Cond P>
std::string print_condition(const Not<P>& c, const PrintCtx& p) {
    return fmt::format("not ({})", print_condition(c.p, p));
}
template <Cond P>
std::string indicator(const P& c, const PrintCtx& p) {
    if (p.numbers) return holds(c, p.values) ? "1" : "0";
    return fmt::format("({})", print_condition(c, p));
}
template <Cond P, Expr X>
std::string print(const When<P, X>& e, const PrintCtx& p) {
    return print(e.x, p);
}
template <Cond P, Expr X>
std::string print(const Gate<P, X>& e, const PrintCtx& p) {
    return indicator(e.c, p) + " * " + wrapped(e.x, p, prec(e.x) <= prec_product);
}
template <Cond P>
std::string print(const Indicator<P>& e, const PrintCtx& p) {
    return indicator(e.c, p);
}
template <Expr X>
std::string print(const ZeroTimes<X>& e, const PrintCtx& p) {
    return fmt::format("0 * {}", wrapped(e.x, p, prec(e.x) <= prec_product));
}

template <class E>
void add_step(std::vector<ChainStep>& steps, NodeId parent, const E& rule, const Graph& graph,
              NodeId id, const NodeNamer& name) {
    const Node& node = graph.nodes()[id];
    const NumCtx values{graph.nodes().data(), node, node.grad};
    const PrintCtx words{graph, id, node, name, values, false};
    const PrintCtx numbers{graph, id, node, name, values, true};
    const auto local = local_of(rule);
    ChainStep s;
    s.parent = parent;
    s.formula = print(rule, words);
    s.numbers = print(rule, numbers);
    s.value = num(rule, values);
    s.local = print(local, words);
    s.local_numbers = print(local, numbers);
    s.local_value = num(local, values);
    steps.push_back(std::move(s));
}

template <int arity, class DA, class DB, class DC>
void add_steps(std::vector<ChainStep>& steps, const Graph& graph, NodeId id,
               const NodeNamer& name, const DA& da, const DB& db, const DC& dc) {
    const Node& node = graph.nodes()[id];
    if constexpr (arity >= 1) add_step(steps, node.a, da, graph, id, name);
    if constexpr (arity >= 2) add_step(steps, node.b, db, graph, id, name);
    if constexpr (arity >= 3) add_step(steps, node.c, dc, graph, id, name);
}

}  // namespace rules

std::vector<ChainStep> chain_steps(const Graph& graph, NodeId id, const NodeNamer& name) {
    using namespace rules;
    std::vector<ChainStep> steps;
    switch (graph.node(id).op) {
#define MGRAD_OP(E, ident, sym, ar, kind, fwd, formula_, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                          \
    case Op::E:                                                                              \
        add_steps<ar>(steps, graph, id, name, da, db, dc);                                   \
        break;
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
    }
    return steps;
}

std::string formula(const Graph& graph, NodeId id, const NodeNamer& name) {
    const Node& n = graph.node(id);
    const OpInfo& info = op_info(n.op);
    std::string out;
    const std::string_view f = info.formula;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] == '{' && i + 2 < f.size() && f[i + 2] == '}') {
            switch (f[i + 1]) {
                case 'a': out += name(n.a); break;
                case 'b': out += name(n.b); break;
                case 'c': out += name(n.c); break;
                case 'k': out += format_number(graph.exponent(id)); break;
                default: out += f.substr(i, 3);
            }
            i += 2;
        } else {
            out += f[i];
        }
    }
    return out;
}

}  // namespace mgrad
