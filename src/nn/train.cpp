#include "mgrad/nn/train.hpp"

#include <fmt/format.h>

#include <limits>

#include <array>
#include <cmath>
#include <utility>

#include "mgrad/nn/loss.hpp"
#include "mgrad/support/error.hpp"

namespace mgrad {

std::string_view loss_name(LossKind loss) noexcept {
    switch (loss) {
        case LossKind::Svm: return "svm";
        case LossKind::Mse: return "mse";
        case LossKind::Bce: return "bce";
        case LossKind::CrossEntropy: break;
    }
    return "ce";
}

std::optional<LossKind> loss_from_name(std::string_view name) noexcept {
    for (LossKind k : {LossKind::Svm, LossKind::Mse, LossKind::Bce, LossKind::CrossEntropy})
        if (loss_name(k) == name) return k;
    return std::nullopt;
}

std::size_t predicted_class(std::span<const double> outputs) noexcept {
    if (outputs.size() == 1) return outputs[0] > 0.0 ? 1 : 0;
    std::size_t best = 0;
    for (std::size_t j = 1; j < outputs.size(); ++j)
        if (outputs[j] > outputs[best]) best = j;
    return best;
}

// --- Trainer ----------------------------------------------------------------------------------

Trainer::Trainer(MLP& model, const Dataset& data, Optimizer& optimizer, TrainerOptions options)
    : m_model(model), m_data(data), m_optimizer(optimizer), m_options(options) {
    if (data.size() == 0) throw Error("cannot train on an empty data set");
    if (model.nin() != 2)
        throw Error(fmt::format("the data set has 2 features but the model takes {}", model.nin()));
    const std::size_t want = options.loss == LossKind::CrossEntropy ? data.classes : 1;
    if (options.loss != LossKind::CrossEntropy && data.classes != 2)
        throw Error(fmt::format("the {} loss is for two classes; the '{}' set has {} (use ce)",
                                loss_name(options.loss), data.name, data.classes));
    if (model.nout() != want)
        throw Error(fmt::format("the {} loss on {} classes needs {} model output{}, not {}",
                                loss_name(options.loss), data.classes, want, want == 1 ? "" : "s",
                                model.nout()));
}

void Trainer::record() {
    Graph& g = graph();
    const std::size_t n = m_data.size();
    m_outputs.clear();
    m_outputs.reserve(n * m_model.nout());
    std::vector<Value> scores;
    std::vector<std::vector<Value>> logits;
    for (std::size_t i = 0; i < n; ++i) {
        ScopeGuard scope(g, fmt::format("sample{}", i));
        const std::array<Value, 2> x{Value(g, m_data.points[i][0]), Value(g, m_data.points[i][1])};
        std::vector<Value> out = m_model(x);
        for (const Value& o : out)
            m_outputs.push_back(o.id());
        if (m_options.loss == LossKind::CrossEntropy)
            logits.push_back(std::move(out));
        else
            scores.push_back(out[0]);
    }
    std::vector<double> targets(n);
    for (std::size_t i = 0; i < n; ++i)
        targets[i] = m_options.loss == LossKind::Bce ? static_cast<double>(m_data.labels[i])
                                                     : m_data.sign_label(i);
    Value loss;
    {
        ScopeGuard scope(g, "loss");
        switch (m_options.loss) {
            case LossKind::Svm: loss = svm_hinge(scores, targets); break;
            case LossKind::Mse: loss = mse(scores, targets); break;
            case LossKind::Bce: loss = binary_cross_entropy(scores, targets); break;
            case LossKind::CrossEntropy: loss = cross_entropy(logits, m_data.labels); break;
        }
        if (m_options.alpha != 0.0) loss = loss + l2(m_model.parameters(), m_options.alpha);
    }
    loss.set_label("loss");
    m_loss = loss.id();
    m_recorded = g.size();
    m_recorded_once = true;
    // Leaf gradients accumulate across backward passes; these are the ones to reset per step.
    m_leaves.clear();
    const auto nodes = g.nodes();
    for (NodeId id = 0; id < nodes.size(); ++id)
        if (is_leaf(nodes[id].op)) m_leaves.push_back(id);
}

void Trainer::prepare() {
    if (!m_recorded_once) {
        record();
        return;
    }
    if (m_options.replay) return;  // the parameters' set_data() is replayed on the next read
    // Rebuild, as micrograd does: drop the graph, re-create the parameters as fresh leaves
    // holding their current values, and record the forward pass and loss again.
    Graph& g = graph();
    const std::vector<double> values = m_model.parameter_data();
    g.clear();
    m_model.attach(g, values);
    m_optimizer.set_parameters(m_model.parameters());
    record();
}

StepResult Trainer::measure() {
    Graph& g = graph();
    StepResult r;
    r.step = m_optimizer.steps_taken();
    r.loss = g.data(m_loss);  // replays pending parameter changes
    const std::size_t nout = m_model.nout();
    m_scratch.resize(nout);
    std::size_t right = 0;
    for (std::size_t i = 0; i < m_data.size(); ++i) {
        for (std::size_t j = 0; j < nout; ++j)
            m_scratch[j] = g.node(m_outputs[i * nout + j]).data;
        if (predicted_class(m_scratch) == m_data.labels[i]) ++right;
    }
    r.accuracy = static_cast<double>(right) / static_cast<double>(m_data.size());
    return r;
}

StepResult Trainer::step() {
    prepare();
    StepResult r = measure();
    // Every leaf's gradient, not only the parameters': inputs and constants accumulate too, and
    // after a step the graph should show this step's gradients. (backward() itself resets the
    // computed nodes; clearing only the leaves spares a pass over the whole tape.)
    Graph& g = graph();
    for (NodeId id : m_leaves)
        g.set_grad(id, 0.0);
    g.backward(m_loss);
    m_optimizer.step();
    return r;
}

StepResult Trainer::evaluate() {
    prepare();
    return measure();
}

// --- TrainingRun ------------------------------------------------------------------------------

namespace {

// Saturating arithmetic for the estimate: absurd settings must not wrap around to small ones.
std::size_t add(std::size_t a, std::size_t b) {
    return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max()
                                                           : a + b;
}
std::size_t mul(std::size_t a, std::size_t b) {
    return b != 0 && a > std::numeric_limits<std::size_t>::max() / b
               ? std::numeric_limits<std::size_t>::max()
               : a * b;
}

const TrainConfig& checked(const TrainConfig& config) {
    check_train_config(config);
    return config;
}

}  // namespace

std::size_t estimate_training_nodes(const TrainConfig& config, std::size_t classes) {
    constexpr std::size_t nin = 2;
    const bool ce =
        config.loss ? *config.loss == LossKind::CrossEntropy : config.dataset == "blobs";
    std::vector<std::size_t> sizes = config.hidden;
    sizes.push_back(ce ? classes : 1);
    // Per sample: its inputs; per neuron one node per weight (two unfused), the bias and the
    // activation; the loss's few nodes per output. Per parameter: the leaf and its L2 term.
    std::size_t per_sample = nin + 8, params = 0, in = nin;
    for (std::size_t out : sizes) {
        per_sample = add(per_sample, mul(out, add(mul(in, config.fused ? 1 : 2), 3)));
        per_sample = add(per_sample, mul(out, ce ? 4 : 0));
        params = add(params, mul(out, in + 1));
        in = out;
    }
    per_sample = add(per_sample, 4);
    return add(mul(per_sample, config.samples), add(mul(params, 3), 16));
}

void check_train_config(const TrainConfig& config) {
    if (config.samples == 0 || config.samples > max_training_samples)
        throw Error(fmt::format("the number of samples must be from 1 to {}, not {}",
                                max_training_samples, config.samples));
    if (config.hidden.size() > max_hidden_layers)
        throw Error(fmt::format("at most {} hidden layers, not {}", max_hidden_layers,
                                config.hidden.size()));
    for (std::size_t h : config.hidden)
        if (h == 0 || h > max_layer_width)
            throw Error(
                fmt::format("a hidden layer has from 1 to {} neurons, not {}", max_layer_width, h));
    if (config.steps > max_training_steps)
        throw Error(fmt::format("the number of steps must be from 0 to {}, not {}",
                                max_training_steps, config.steps));
    if (config.noise && (!(*config.noise >= 0.0) || !std::isfinite(*config.noise)))
        throw Error(fmt::format("the noise must be a finite number >= 0, not {}", *config.noise));
    const std::size_t nodes = estimate_training_nodes(config, 3);  // blobs has 3 classes
    if (nodes > max_training_nodes)
        throw Error(fmt::format(
            "this model and data set would need about {:.1f} million graph nodes (about {} MB); "
            "the limit is {} million: use fewer samples or smaller hidden layers",
            static_cast<double>(nodes) / 1e6, nodes / 1'000'000 * 35,
            max_training_nodes / 1'000'000));
}

TrainingRun::TrainingRun(const TrainConfig& config)
    : m_config(checked(config)),
      m_loss(
          config.loss.value_or(config.dataset == "blobs" ? LossKind::CrossEntropy : LossKind::Svm)),
      m_data(make_dataset(config.dataset, config.samples, config.noise, config.seed)),
      m_graph(std::make_unique<Graph>()) {
    if (config.optimizer != "sgd" && config.optimizer != "adam")
        throw Error(fmt::format("unknown optimizer '{}' (known: sgd, adam)", config.optimizer));
    // MSE's gradient grows with the error, so plain SGD needs a smaller step than the hinge's.
    const double lr = config.lr.value_or(config.optimizer == "adam" ? 0.05
                                         : m_loss == LossKind::Mse  ? 0.1
                                                                    : 1.0);
    if (!(lr > 0.0) || !std::isfinite(lr))
        throw Error(fmt::format("the learning rate must be a positive number, not {}", lr));
    if (!(config.alpha >= 0.0) || !std::isfinite(config.alpha))
        throw Error(fmt::format("alpha must be a finite number >= 0, not {}", config.alpha));

    std::vector<std::size_t> sizes = config.hidden;
    sizes.push_back(m_loss == LossKind::CrossEntropy ? m_data.classes : 1);
    MlpOptions options;
    options.seed = config.seed + 1;
    options.fused = config.fused;
    m_model = std::make_unique<MLP>(2, sizes, options, *m_graph);
    if (!config.initial_parameters.empty()) {
        const std::vector<Value> params = m_model->parameters();
        if (params.size() != config.initial_parameters.size())
            throw Error(fmt::format("{} has {} parameters, but {} initial values were given",
                                    m_model->describe(), params.size(),
                                    config.initial_parameters.size()));
        for (std::size_t i = 0; i < params.size(); ++i)
            params[i].set_data(config.initial_parameters[i]);
    }

    Schedule schedule = config.decay && config.steps > 0 ? linear_schedule(lr, 0.1, config.steps)
                                                         : constant_schedule(lr);
    if (config.optimizer == "adam")
        m_optimizer = std::make_unique<Adam>(m_model->parameters(), std::move(schedule));
    else
        m_optimizer = std::make_unique<SGD>(m_model->parameters(), std::move(schedule));
    m_trainer = std::make_unique<Trainer>(*m_model, m_data, *m_optimizer,
                                          TrainerOptions{m_loss, config.alpha, config.replay});
}

TrainingRun::~TrainingRun() = default;

}  // namespace mgrad
