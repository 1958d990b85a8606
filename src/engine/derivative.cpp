#include "mgrad/engine/derivative.hpp"

#include <fmt/format.h>

namespace mgrad {

namespace {

// The symbolic twin of Graph::backward: the same reverse sweep, but each adjoint is a Value
// (a node id on the tape) and every product or sum is a new node, so the result can itself be
// differentiated. The derivative rules must match those in graph.cpp case for case.
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
    Value node(NodeId id) const { return Value::from_id(m_graph, id); }

    void flow(NodeId to, const Value& contribution) {
        NodeId& slot = m_adjoint[to];
        slot = slot == no_node ? contribution.id() : (node(slot) + contribution).id();
    }

    void visit(NodeId i) {
        if (m_adjoint[i] == no_node) return;  // the root does not depend on this node
        const Node n = m_graph.node(i);
        if (is_leaf(n.op)) return;
        const Value g = node(m_adjoint[i]);
        const Value out = node(i);
        const Value a = node(n.a);
        switch (n.op) {
            case Op::Leaf:
            case Op::Const: break;
            case Op::Add:
                flow(n.a, g);
                flow(n.b, g);
                break;
            case Op::Sub:
                flow(n.a, g);
                flow(n.b, -g);
                break;
            case Op::Mul:
                flow(n.a, g * node(n.b));
                flow(n.b, g * a);
                break;
            case Op::Div: {
                const Value b = node(n.b);
                flow(n.a, g / b);
                flow(n.b, -g * (out / b));
                break;
            }
            case Op::Neg: flow(n.a, -g); break;
            case Op::PowConst: {
                const double k = m_graph.exponent(i);
                if (k != 0.0) flow(n.a, g * (k * pow(a, k - 1.0)));
                break;
            }
            case Op::Pow: {
                const Value b = node(n.b);
                flow(n.a, g * (b * pow(a, b - 1.0)));
                flow(n.b, g * (out * log(a)));
                break;
            }
            case Op::Tanh: flow(n.a, g * (1.0 - out * out)); break;
            case Op::Exp: flow(n.a, g * out); break;
            case Op::Log: flow(n.a, g / a); break;
            case Op::Relu: flow(n.a, g * step(out)); break;
            case Op::Sigmoid: flow(n.a, g * (1.0 - out) * out); break;
            case Op::Sqrt: flow(n.a, g / (2.0 * out)); break;
            case Op::Abs: flow(n.a, g * sign(a)); break;
            case Op::Sin: flow(n.a, g * cos(a)); break;
            case Op::Cos: flow(n.a, g * -sin(a)); break;
            case Op::MulAdd:
                flow(n.a, g * node(n.b));
                flow(n.b, g * a);
                flow(n.c, g);
                break;
            case Op::Step:
            case Op::Sign: break;  // derivative 0 everywhere it exists
        }
    }

    Graph& m_graph;
    std::vector<NodeId> m_adjoint;  ///< adjoint node of each tape node, or no_node for zero
};

}  // namespace

Value grad(const Value& f, const Value& x) {
    const Value xs[] = {x};
    return grad(f, xs).front();
}

std::vector<Value> grad(const Value& f, std::span<const Value> xs) {
    Graph& g = f.graph();
    for (const Value& x : xs)
        if (&x.graph() != &g) throw Error("grad(f, x): f and x live on different graphs");
    g.forward();
    SymbolicBackward pass(g, f.id());
    std::vector<Value> out;
    out.reserve(xs.size());
    for (const Value& x : xs)
        out.push_back(pass.adjoint(x.id()));
    return out;
}

}  // namespace mgrad
