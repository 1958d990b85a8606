// grad(f, x): the op table's rules read as graphs (see derivative.hpp and rules.hpp).
#include "mgrad/engine/derivative.hpp"

#include <fmt/format.h>

#include <optional>

#include "rules.hpp"

namespace mgrad {

namespace rules {

/// A rule's value while it is recorded: a plain number as long as it depends only on constants
/// (so `K - 1` and `K != 0` fold away and record nothing), a node of the tape once not.
struct Sym {
    std::optional<double> constant;
    Value node;
};

/// What a rule reads while grad() visits node `id`. A copy of the node: recording moves the tape.
struct SymCtx {
    Graph& graph;
    NodeId id;
    Node node;
    Value g;  ///< the adjoint of the node: ∂f/∂node as a node
};

inline Sym number(double v) { return {v, {}}; }
inline Sym value(Value v) { return {std::nullopt, std::move(v)}; }
inline Value as_value(const Sym& s, SymCtx& x) {
    return s.constant ? Value::constant(*s.constant, x.graph) : s.node;
}

Sym sym(V<Var::A>, SymCtx& x) { return value(Value::from_id(x.graph, x.node.a)); }
Sym sym(V<Var::B>, SymCtx& x) { return value(Value::from_id(x.graph, x.node.b)); }
Sym sym(V<Var::C>, SymCtx& x) { return value(Value::from_id(x.graph, x.node.c)); }
Sym sym(V<Var::Y>, SymCtx& x) { return value(Value::from_id(x.graph, x.id)); }
Sym sym(V<Var::G>, SymCtx& x) { return value(x.g); }
Sym sym(V<Var::K>, SymCtx& x) { return number(Graph::exponent_of(x.node)); }
Sym sym(const Lit& e, SymCtx&) { return number(e.value); }

template <BinOp o>
Sym combine(const Sym& l, const Sym& r) {
    if (l.constant && r.constant) {
        const double a = *l.constant, b = *r.constant;
        if constexpr (o == BinOp::Add) return number(a + b);
        if constexpr (o == BinOp::Sub) return number(a - b);
        if constexpr (o == BinOp::Mul) return number(a * b);
        if constexpr (o == BinOp::Div) return number(a / b);
        if constexpr (o == BinOp::Pow) return number(std::pow(a, b));
        if constexpr (o == BinOp::PowK) return number(detail::pow_const(a, b));
    }
    // A constant on one side is recorded as in `2 * x` (a Const node beside the op), or as the
    // exponent of a PowConst node.
    auto apply = [](const auto& a, const auto& b) {
        if constexpr (o == BinOp::Add) return a + b;
        if constexpr (o == BinOp::Sub) return a - b;
        if constexpr (o == BinOp::Mul) return a * b;
        if constexpr (o == BinOp::Div) return a / b;
        if constexpr (o == BinOp::Pow || o == BinOp::PowK) return pow(a, b);
    };
    if (l.constant) return value(apply(*l.constant, r.node));
    if (r.constant) return value(apply(l.node, *r.constant));
    return value(apply(l.node, r.node));
}

template <BinOp o, Expr L, Expr R>
Sym sym(const Bin<o, L, R>& e, SymCtx& x) {
    const Sym l = sym(e.l, x);
    const Sym r = sym(e.r, x);
    return combine<o>(l, r);
}
template <Expr X>
Sym sym(const Neg<X>& e, SymCtx& x) {
    const Sym v = sym(e.x, x);
    return v.constant ? number(-*v.constant) : value(-v.node);
}
template <Expr X>
Sym sym(const Sq<X>& e, SymCtx& x) {
    const Sym v = sym(e.x, x);
    return v.constant ? number(*v.constant * *v.constant) : value(v.node * v.node);
}
template <Op F, Expr X>
Sym sym(const Call<F, X>& e, SymCtx& x) {
    const Sym v = sym(e.x, x);
    if (v.constant) return number(detail::apply(F, *v.constant, 0.0));
    return value(make_unary(F, v.node));
}

// A condition on nodes becomes an indicator node: 1 where it holds, 0 where not (NaN included),
// built from step, sign and abs so that it follows the nodes when their data change. One on constants only
// folds to a plain true or false.
template <CmpOp o, Expr X>
Sym indicator(const Cmp<o, X>& c, SymCtx& x) {
    const Sym v = sym(c.x, x);
    if (v.constant) {
        const double d = *v.constant;
        if constexpr (o == CmpOp::Gt) return number(d > c.rhs ? 1.0 : 0.0);
        if constexpr (o == CmpOp::Ge) return number(d >= c.rhs ? 1.0 : 0.0);
        if constexpr (o == CmpOp::Eq) return number(d == c.rhs ? 1.0 : 0.0);
        if constexpr (o == CmpOp::Ne) return number(d != c.rhs ? 1.0 : 0.0);
    }
    // Exactly 1 or 0, never NaN, and false for NaN as a comparison is: step(NaN) is 0, and
    // `is zero` goes through sign(NaN) = NaN into step.
    const Value d = c.rhs == 0.0 ? v.node : v.node - c.rhs;
    auto is_zero = [](const Value& u) { return step(1.0 - abs(sign(u))); };
    if constexpr (o == CmpOp::Gt) return value(step(d));
    if constexpr (o == CmpOp::Ge) return value(step(d) + is_zero(d));
    if constexpr (o == CmpOp::Eq) return value(is_zero(d));
    if constexpr (o == CmpOp::Ne) return value(1.0 - is_zero(d));
}
template <Cond P, Cond Q>
Sym indicator(const And<P, Q>& c, SymCtx& x) {
    const Sym p = indicator(c.p, x);
    if (p.constant) return *p.constant == 0.0 ? number(0.0) : indicator(c.q, x);
    const Sym q = indicator(c.q, x);
    if (q.constant) return *q.constant == 0.0 ? number(0.0) : p;
    return value(p.node * q.node);
}
template <Cond P>
Sym indicator(const Not<P>& c, SymCtx& x) {
    const Sym p = indicator(c.p, x);
    return p.constant ? number(1.0 - *p.constant) : value(1.0 - p.node);
}

template <Cond P, Expr X>
Sym sym(const When<P, X>& e, SymCtx& x) {
    const Sym c = indicator(e.c, x);
    if (c.constant) return *c.constant != 0.0 ? sym(e.x, x) : number(0.0);
    const Sym v = sym(e.x, x);
    if (v.constant && *v.constant == 0.0) return number(0.0);
    // mask(v, c): v where c is not 0 and exactly 0 elsewhere, even where v is inf or NaN (the
    // point of the guard: 0 * inf would be NaN).
    return value(Value::from_id(x.graph,
                                x.graph.binary(Op::Mask, as_value(v, x).id(), c.node.id())));
}
template <Cond P, Expr X>
Sym sym(const Gate<P, X>& e, SymCtx& x) {
    const Sym c = indicator(e.c, x);
    if (c.constant) return *c.constant != 0.0 ? sym(e.x, x) : number(0.0);
    const Sym v = sym(e.x, x);
    return v.constant ? value(*v.constant * c.node) : value(v.node * c.node);
}
template <Cond P>
Sym sym(const Indicator<P>& e, SymCtx& x) {
    return indicator(e.c, x);
}
template <Expr X>
Sym sym(const ZeroTimes<X>&, SymCtx&) {
    return number(0.0);
}

// The symbolic twin of Graph::backward: the same reverse sweep, but each adjoint is a node, so
// the result can itself be differentiated.
class SymbolicBackward {
  public:
    SymbolicBackward(Graph& g, NodeId root) : m_graph(g), m_adjoint(root + 1, no_node) {
        m_adjoint[root] = g.constant(1.0);
        for (NodeId i = root + 1; i-- > 0;)
            visit(i);
    }

    [[nodiscard]] Value adjoint(NodeId id) const {
        if (id < m_adjoint.size() && m_adjoint[id] != no_node)
            return Value::from_id(m_graph, m_adjoint[id]);
        return Value::constant(0.0, m_graph);
    }

  private:
    template <class E>
    void flow(NodeId to, const E& rule, SymCtx& x) {
        const Sym s = sym(g_first(rule), x);
        if (s.constant && *s.constant == 0.0) return;  // nothing flows: no node
        const Value contribution = as_value(s, x);
        NodeId& slot = m_adjoint[to];
        slot = slot == no_node ? contribution.id()
                               : (Value::from_id(m_graph, slot) + contribution).id();
    }

    template <int arity, class DA, class DB, class DC>
    void flows(SymCtx& x, const DA& da, const DB& db, const DC& dc) {
        if constexpr (arity >= 1) flow(x.node.a, da, x);
        if constexpr (arity >= 2) flow(x.node.b, db, x);
        if constexpr (arity >= 3) flow(x.node.c, dc, x);
    }

    void visit(NodeId i) {
        if (m_adjoint[i] == no_node) return;  // the root does not depend on this node
        const Node n = m_graph.node(i);
        if (is_leaf(n.op)) return;
        SymCtx x{m_graph, i, n, Value::from_id(m_graph, m_adjoint[i])};
        switch (n.op) {
#define MGRAD_OP(E, ident, sym_, ar, kind, fwd, formula, torch, help, da, db, dc, micrograd, \
                 commutes, problem)                                                          \
    case Op::E:                                                                              \
        flows<ar>(x, da, db, dc);                                                            \
        break;
#include "mgrad/engine/detail/op_table.inc"
#undef MGRAD_OP
        }
    }

    Graph& m_graph;
    std::vector<NodeId> m_adjoint;  ///< adjoint node of each tape node, or no_node for zero
};

}  // namespace rules

Value grad(const Value& f, const Value& x) {
    const Value xs[] = {x};
    return grad(f, xs).front();
}

std::vector<Value> grad(const Value& f, std::span<const Value> xs) {
    Graph& g = f.graph();
    for (const Value& x : xs)
        if (&x.graph() != &g) throw Error("grad(f, x): f and x live on different graphs");
    g.forward();
    rules::SymbolicBackward pass(g, f.id());
    std::vector<Value> out;
    out.reserve(xs.size());
    for (const Value& x : xs)
        out.push_back(pass.adjoint(x.id()));
    return out;
}

}  // namespace mgrad
