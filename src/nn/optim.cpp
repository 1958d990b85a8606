#include "mgrad/nn/optim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "mgrad/support/error.hpp"

namespace mgrad {

Schedule constant_schedule(double lr) {
    return [lr](std::size_t) { return lr; };
}

Schedule linear_schedule(double lr, double final_fraction, std::size_t steps) {
    if (steps == 0) throw Error("linear_schedule: steps must be positive");
    return [lr, final_fraction, steps](std::size_t k) {
        k = std::min(k, steps);  // past the last step the rate stays at its final value
        return lr *
               (1.0 - (1.0 - final_fraction) * static_cast<double>(k) / static_cast<double>(steps));
    };
}

Optimizer::Optimizer(std::vector<Value> parameters, Schedule schedule)
    : m_parameters(std::move(parameters)), m_schedule(std::move(schedule)) {
    if (!m_schedule) throw Error("optimizer: no learning-rate schedule");
}

void Optimizer::step() {
    const double lr = m_schedule(m_k);
    begin_step(m_k);
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const Value& p = m_parameters[i];
        Graph& g = p.graph();
        const NodeId id = p.id();
        // A parameter is a leaf, so its stored data is current even while nodes downstream
        // wait to be recomputed.
        const double value = g.node(id).data;
        g.set_data(id, update(i, value, g.grad(id), lr));
    }
    ++m_k;
}

void Optimizer::zero_grad() const {
    for (const Value& p : m_parameters)
        p.set_grad(0.0);
}

void Optimizer::set_parameters(std::vector<Value> parameters) {
    if (parameters.size() != m_parameters.size())
        throw Error(fmt::format("optimizer: {} parameters given where it has {}", parameters.size(),
                                m_parameters.size()));
    m_parameters = std::move(parameters);
}

double SGD::update(std::size_t, double value, double grad, double lr) { return value - lr * grad; }

Adam::Adam(std::vector<Value> parameters, Schedule schedule, AdamOptions options)
    : Optimizer(std::move(parameters), std::move(schedule)), m_options(options) {
    m_m.assign(this->parameters().size(), 0.0);
    m_v.assign(this->parameters().size(), 0.0);
}

void Adam::begin_step(std::size_t k) {
    const double t = static_cast<double>(k + 1);
    m_correction1 = 1.0 - std::pow(m_options.beta1, t);
    m_correction2 = 1.0 - std::pow(m_options.beta2, t);
}

double Adam::update(std::size_t i, double value, double grad, double lr) {
    m_m[i] = m_options.beta1 * m_m[i] + (1.0 - m_options.beta1) * grad;
    m_v[i] = m_options.beta2 * m_v[i] + (1.0 - m_options.beta2) * grad * grad;
    const double m_hat = m_m[i] / m_correction1;
    const double v_hat = m_v[i] / m_correction2;
    return value - lr * m_hat / (std::sqrt(v_hat) + m_options.eps);
}

}  // namespace mgrad
