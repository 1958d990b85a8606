#include "mgrad/nn/loss.hpp"

#include <fmt/format.h>

#include "mgrad/support/error.hpp"

namespace mgrad {

namespace {

void check_pairs(const char* what, std::size_t n, std::size_t m) {
    if (n == 0) throw Error(fmt::format("{}: no samples", what));
    if (n != m) throw Error(fmt::format("{}: {} predictions but {} targets", what, n, m));
}

std::vector<Value> constants(const Value& like, std::span<const double> values) {
    std::vector<Value> out;
    out.reserve(values.size());
    for (double v : values)
        out.push_back(Value::constant(v, like.graph()));
    return out;
}

// micrograd: sum(losses) * (1.0 / len(losses)).
Value mean(std::span<const Value> terms) {
    return sum(terms) * (1.0 / static_cast<double>(terms.size()));
}

}  // namespace

Value sum(std::span<const Value> terms) {
    if (terms.empty()) throw Error("sum of no terms");
    Value total = terms[0];
    for (std::size_t i = 1; i < terms.size(); ++i)
        total = total + terms[i];
    return total;
}

Value max(const Value& a, const Value& b) { return b + relu(a - b); }

Value mse(std::span<const Value> predictions, std::span<const Value> targets, Reduction reduction) {
    check_pairs("mse", predictions.size(), targets.size());
    std::vector<Value> terms;
    terms.reserve(predictions.size());
    for (std::size_t i = 0; i < predictions.size(); ++i)
        terms.push_back(pow(predictions[i] - targets[i], 2.0));
    return reduction == Reduction::Sum ? sum(terms) : mean(terms);
}

Value mse(std::span<const Value> predictions, std::span<const double> targets,
          Reduction reduction) {
    check_pairs("mse", predictions.size(), targets.size());
    return mse(predictions, constants(predictions[0], targets), reduction);
}

Value svm_hinge(std::span<const Value> scores, std::span<const Value> labels) {
    check_pairs("svm_hinge", scores.size(), labels.size());
    std::vector<Value> terms;
    terms.reserve(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i)
        terms.push_back(relu(1.0 + -labels[i] * scores[i]));  // micrograd's exact form
    return mean(terms);
}

Value svm_hinge(std::span<const Value> scores, std::span<const double> labels) {
    check_pairs("svm_hinge", scores.size(), labels.size());
    return svm_hinge(scores, constants(scores[0], labels));
}

Value binary_cross_entropy(std::span<const Value> logits, std::span<const Value> targets) {
    check_pairs("binary_cross_entropy", logits.size(), targets.size());
    std::vector<Value> terms;
    terms.reserve(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const Value& s = logits[i];
        // exp(−|s|) ≤ 1 never overflows, and for large |s| the log term fades to 0 while
        // relu(s) − y s carries the linear part exactly.
        terms.push_back(relu(s) - targets[i] * s + log(1.0 + exp(-abs(s))));
    }
    return mean(terms);
}

Value binary_cross_entropy(std::span<const Value> logits, std::span<const double> targets) {
    check_pairs("binary_cross_entropy", logits.size(), targets.size());
    return binary_cross_entropy(logits, constants(logits[0], targets));
}

Value cross_entropy(std::span<const std::vector<Value>> logits,
                    std::span<const std::vector<Value>> one_hot) {
    check_pairs("cross_entropy", logits.size(), one_hot.size());
    std::vector<Value> terms;
    terms.reserve(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const auto& z = logits[i];
        if (z.empty()) throw Error("cross_entropy: a sample without logits");
        if (one_hot[i].size() != z.size())
            throw Error(fmt::format("cross_entropy: sample {} has {} logits but {} targets", i,
                                    z.size(), one_hot[i].size()));
        Value m = z[0];
        for (std::size_t j = 1; j < z.size(); ++j)
            m = max(z[j], m);
        std::vector<Value> shifted, e, picked;
        for (const Value& zj : z)
            shifted.push_back(zj - m);
        for (const Value& sj : shifted)
            e.push_back(exp(sj));
        // −Σⱼ yⱼ (zⱼ − m) is −(z_c − m) for a one-hot y, and also right for soft targets
        // that sum to 1.
        for (std::size_t j = 0; j < z.size(); ++j)
            picked.push_back(one_hot[i][j] * shifted[j]);
        terms.push_back(log(sum(e)) - sum(picked));
    }
    return mean(terms);
}

Value cross_entropy(std::span<const std::vector<Value>> logits,
                    std::span<const std::size_t> classes) {
    check_pairs("cross_entropy", logits.size(), classes.size());
    std::vector<std::vector<Value>> one_hot;
    one_hot.reserve(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const std::size_t k = logits[i].size();
        if (classes[i] >= k)
            throw Error(
                fmt::format("cross_entropy: sample {} is of class {} but there are {} "
                            "logits",
                            i, classes[i], k));
        std::vector<double> row(k, 0.0);
        row[classes[i]] = 1.0;
        one_hot.push_back(constants(logits[i][0], row));
    }
    return cross_entropy(logits, std::span<const std::vector<Value>>(one_hot));
}

Value l2(std::span<const Value> parameters, double alpha) {
    if (parameters.empty()) throw Error("l2: no parameters");
    std::vector<Value> squares;
    squares.reserve(parameters.size());
    for (const Value& p : parameters)
        squares.push_back(p * p);
    return alpha * sum(squares);  // micrograd: alpha * sum((p*p for p in model.parameters()))
}

}  // namespace mgrad
