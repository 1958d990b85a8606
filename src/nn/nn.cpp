#include "mgrad/nn/nn.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "mgrad/support/error.hpp"

namespace mgrad {

namespace {

Value activate(Nonlinearity n, const Value& x) {
    switch (n) {
        case Nonlinearity::Tanh: return tanh(x);
        case Nonlinearity::Relu: return relu(x);
        case Nonlinearity::Linear: break;
    }
    return x;
}

// The same formulas as the graph's nodes (detail::apply), so predict() agrees with a forward pass
// bit for bit.
double activate(Nonlinearity n, double x) {
    switch (n) {
        case Nonlinearity::Tanh: return detail::apply(Op::Tanh, x, 0.0);
        case Nonlinearity::Relu: return detail::apply(Op::Relu, x, 0.0);
        case Nonlinearity::Linear: break;
    }
    return x;
}

// Parameters are leaves: their stored data is current even while nodes downstream of them wait
// to be recomputed, so predict() reads the tape directly and never triggers a replay.
double leaf_data(const Value& v) { return v.graph().node(v.id()).data; }

Module& as_module(Module& m) { return m; }

}  // namespace

std::string_view nonlinearity_name(Nonlinearity n) noexcept {
    switch (n) {
        case Nonlinearity::Tanh: return "tanh";
        case Nonlinearity::Relu: return "relu";
        case Nonlinearity::Linear: break;
    }
    return "linear";
}

// --- Module -----------------------------------------------------------------------------------

std::vector<double> Module::parameter_data() const {
    std::vector<double> out;
    for (const Value& p : parameters())
        out.push_back(leaf_data(p));
    return out;
}

void Module::zero_grad() const {
    for (const Value& p : parameters())
        p.set_grad(0.0);
}

void Module::attach(Graph& graph, std::span<const double> values) {
    const std::size_t expected = parameter_count();
    if (values.size() != expected)
        throw Error(fmt::format("attach: the model has {} parameters but {} values were given",
                                expected, values.size()));
    attach_from(graph, values);
}

// --- Neuron -----------------------------------------------------------------------------------

Neuron::Neuron(std::size_t nin, Nonlinearity nonlinearity, Rng& rng, Graph& graph, std::string name)
    : m_nonlinearity(nonlinearity), m_graph(&graph), m_name(std::move(name)) {
    if (nin == 0) throw Error("a neuron needs at least one input");
    m_w.reserve(nin);
    for (std::size_t i = 0; i < nin; ++i)
        m_w.emplace_back(graph, rng.uniform(-1.0, 1.0), fmt::format("{}.w{}", m_name, i));
    m_b = Value(graph, 0.0, fmt::format("{}.b", m_name));
}

Value Neuron::operator()(std::span<const Value> x) const {
    if (x.size() != m_w.size())
        throw Error(fmt::format("neuron {} takes {} inputs, not {}", m_name, m_w.size(), x.size()));
    ScopeGuard scope(*m_graph, m_name);
    Value act = m_b;  // micrograd: sum((wi*xi for ...), self.b)
    for (std::size_t i = 0; i < x.size(); ++i)
        act = m_fused ? mul_add(m_w[i], x[i], act) : act + m_w[i] * x[i];
    return activate(m_nonlinearity, act);
}

double Neuron::predict(std::span<const double> x) const {
    if (x.size() != m_w.size())
        throw Error(fmt::format("neuron {} takes {} inputs, not {}", m_name, m_w.size(), x.size()));
    double act = leaf_data(m_b);
    for (std::size_t i = 0; i < x.size(); ++i)
        act = act + leaf_data(m_w[i]) * x[i];
    return activate(m_nonlinearity, act);
}

std::vector<Value> Neuron::parameters() const {
    std::vector<Value> out(m_w);
    out.push_back(m_b);
    return out;
}

void Neuron::attach_from(Graph& graph, std::span<const double>& values) {
    for (std::size_t i = 0; i < m_w.size(); ++i)
        m_w[i] = Value(graph, values[i], fmt::format("{}.w{}", m_name, i));
    m_b = Value(graph, values[m_w.size()], fmt::format("{}.b", m_name));
    values = values.subspan(m_w.size() + 1);
    m_graph = &graph;
}

// --- Layer ------------------------------------------------------------------------------------

Layer::Layer(std::size_t nin, std::size_t nout, Nonlinearity nonlinearity, Rng& rng, Graph& graph,
             std::size_t index)
    : m_graph(&graph), m_scope(fmt::format("layer{}", index)) {
    if (nout == 0) throw Error("a layer needs at least one neuron");
    m_neurons.reserve(nout);
    for (std::size_t j = 0; j < nout; ++j)
        m_neurons.emplace_back(nin, nonlinearity, rng, graph, fmt::format("l{}.n{}", index, j));
}

std::vector<Value> Layer::operator()(std::span<const Value> x) const {
    ScopeGuard scope(*m_graph, m_scope);
    std::vector<Value> out;
    out.reserve(m_neurons.size());
    if (!m_neurons.front().fused()) {
        for (const Neuron& n : m_neurons)
            out.push_back(n(x));
        return out;
    }
    const std::size_t n_in = x.size(), n_out = m_neurons.size();
    if (n_in != nin()) throw Error(fmt::format("{} takes {} inputs, not {}", m_scope, nin(), n_in));
    for (const Neuron& n : m_neurons)
        out.push_back(n.m_b);
    // Wavefront order: step t records w[j][i] * x[i] for every i + j == t. Each neuron still
    // adds its inputs in order i = 0, 1, … and each input still receives its gradients from
    // neuron j = …, 1, 0, exactly as neuron after neuron would, so every number is the same.
    // But consecutive nodes now share neither a running sum nor an input, so replaying the
    // tape forward or backward is not one long chain of dependent additions.
    for (std::size_t t = 0; t + 1 < n_in + n_out; ++t) {
        const std::size_t first = t < n_out ? 0 : t + 1 - n_out;
        const std::size_t last = std::min(t, n_in - 1);
        for (std::size_t i = first; i <= last; ++i) {
            const std::size_t j = t - i;
            out[j] = mul_add(m_neurons[j].m_w[i], x[i], out[j]);
        }
    }
    for (std::size_t j = 0; j < m_neurons.size(); ++j)
        out[j] = activate(m_neurons[j].m_nonlinearity, out[j]);
    return out;
}

std::vector<double> Layer::predict(std::span<const double> x) const {
    std::vector<double> out;
    out.reserve(m_neurons.size());
    for (const Neuron& n : m_neurons)
        out.push_back(n.predict(x));
    return out;
}

std::vector<Value> Layer::parameters() const {
    std::vector<Value> out;
    for (const Neuron& n : m_neurons) {
        auto p = n.parameters();
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

void Layer::attach_from(Graph& graph, std::span<const double>& values) {
    for (Neuron& n : m_neurons)
        as_module(n).attach_from(graph, values);
    m_graph = &graph;
}

// --- MLP --------------------------------------------------------------------------------------

MLP::MLP(std::size_t nin, std::vector<std::size_t> sizes, MlpOptions options, Graph& graph)
    : m_graph(&graph) {
    if (sizes.empty()) throw Error("an MLP needs at least one layer");
    Rng rng(options.seed);
    m_layers.reserve(sizes.size());
    std::size_t in = nin;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const bool last = i + 1 == sizes.size();
        m_layers.emplace_back(in, sizes[i], last ? options.output : options.hidden, rng, graph, i);
        in = sizes[i];
    }
    set_fused(options.fused);
}

void MLP::set_fused(bool fused) noexcept {
    for (Layer& layer : m_layers)
        layer.set_fused(fused);
}

std::vector<Value> MLP::operator()(std::span<const Value> x) const {
    std::vector<Value> h(x.begin(), x.end());
    for (const Layer& layer : m_layers)
        h = layer(h);
    return h;
}

std::vector<Value> MLP::operator()(std::span<const double> x) const {
    std::vector<Value> in;
    in.reserve(x.size());
    for (double v : x)
        in.emplace_back(*m_graph, v);
    return (*this)(std::span<const Value>(in));
}

std::vector<double> MLP::predict(std::span<const double> x) const {
    std::vector<double> h(x.begin(), x.end());
    for (const Layer& layer : m_layers)
        h = layer.predict(h);
    return h;
}

std::vector<Value> MLP::parameters() const {
    std::vector<Value> out;
    for (const Layer& layer : m_layers) {
        auto p = layer.parameters();
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

std::string MLP::describe() const {
    std::string s = fmt::format("MLP({}", nin());
    for (const Layer& layer : m_layers)
        s += fmt::format(" → {} {}", layer.nout(),
                         nonlinearity_name(layer.neurons().front().nonlinearity()));
    return s + ")";
}

void MLP::attach_from(Graph& graph, std::span<const double>& values) {
    for (Layer& layer : m_layers)
        as_module(layer).attach_from(graph, values);
    m_graph = &graph;
}

}  // namespace mgrad
