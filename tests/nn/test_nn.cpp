// The neural-net library: losses, modules, optimisers, data sets, the replaying trainer, plots.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <mgrad/mgrad.hpp>
#include <mgrad/nn/dataset.hpp>
#include <mgrad/nn/loss.hpp>
#include <mgrad/nn/nn.hpp>
#include <mgrad/nn/optim.hpp>
#include <mgrad/nn/random.hpp>
#include <mgrad/nn/train.hpp>
#include <mgrad/plot/plot.hpp>

#include "engines.hpp"

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

using mgrad::Graph;
using mgrad::NodeId;
using mgrad::Value;

namespace {

using LossFn = std::function<Value(const std::vector<Value>&)>;

// Backprop gradient of every input against (f(x + h) − f(x − h)) / 2h, the loss re-evaluated
// through the engine's forward replay.
void check_loss_gradient(const char* what, const LossFn& f, const std::vector<double>& point) {
    Graph g;
    std::vector<Value> in;
    for (double p : point)
        in.emplace_back(g, p);
    Value out = f(in);
    REQUIRE(std::isfinite(out.data()));
    out.backward();
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double analytic = in[i].grad();
        const double h = 1e-6 * std::max(1.0, std::fabs(point[i]));
        in[i].set_data(point[i] + h);
        const double up = out.data();
        in[i].set_data(point[i] - h);
        const double down = out.data();
        in[i].set_data(point[i]);
        const double numeric = (up - down) / (2 * h);
        INFO(fmt::format("{}: input {} analytic {} numeric {}", what, i, analytic, numeric));
        CHECK(analytic == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
    }
}

std::vector<std::vector<Value>> rows(const std::vector<Value>& flat, std::size_t k) {
    std::vector<std::vector<Value>> out;
    for (std::size_t i = 0; i < flat.size(); i += k)
        out.emplace_back(flat.begin() + i, flat.begin() + i + k);
    return out;
}

long resident_pages() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident;
}

// Steps two runs side by side for 12 steps: the same loss and accuracy at every step, then
// the same parameters, bit for bit.
void check_same_training(mgrad::TrainingRun& x, mgrad::TrainingRun& y) {
    for (int k = 0; k < 12; ++k) {
        const auto a = x.step();
        const auto b = y.step();
        CHECK(a.loss == b.loss);
        CHECK(a.accuracy == b.accuracy);
    }
    CHECK(x.model().parameter_data() == y.model().parameter_data());
}

}  // namespace

TEST_CASE("rng: xoshiro256** seeded by splitmix64 gives the reference stream") {
    // Reference values from an independent implementation of the published algorithms.
    mgrad::Rng rng(42);
    CHECK(rng.next() == 0x15780b2e0c2ec716ull);
    CHECK(rng.next() == 0x6104d9866d113a7eull);
    CHECK(rng.next() == 0xae17533239e499a1ull);
    mgrad::Rng again(42);
    CHECK(again.uniform() == 0.08386297105988216);
    // uniform() stays in [0, 1); normal() has roughly mean 0 and variance 1.
    mgrad::Rng r(7);
    double sum = 0, sq = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        CHECK((u >= 0.0 && u < 1.0));
        const double z = r.normal();
        sum += z;
        sq += z * z;
    }
    CHECK(std::fabs(sum / n) < 0.05);
    CHECK(std::fabs(sq / n - 1.0) < 0.05);
    for (int i = 0; i < 1000; ++i)
        CHECK(r.below(3) < 3);
}

TEST_CASE("loss: every loss's gradient matches central finite differences") {
    using mgrad::Reduction;
    const std::vector<double> y_pm{1.0, -1.0, 1.0, -1.0};
    const std::vector<double> y01{1.0, 0.0, 1.0, 0.0};
    const std::vector<double> scores{0.3, -0.2, -1.7, 0.6};  // none at a hinge or relu kink
    check_loss_gradient(
        "mse", [&](const auto& s) { return mgrad::mse(s, y_pm); }, scores);
    check_loss_gradient(
        "mse sum", [&](const auto& s) { return mgrad::mse(s, y_pm, Reduction::Sum); }, scores);
    check_loss_gradient(
        "svm", [&](const auto& s) { return mgrad::svm_hinge(s, y_pm); }, scores);
    check_loss_gradient(
        "bce", [&](const auto& s) { return mgrad::binary_cross_entropy(s, y01); }, scores);
    check_loss_gradient("bce large",
                        [&](const auto& s) { return mgrad::binary_cross_entropy(s, y01); },
                        {30.0, -25.0, -3.0, 4.0});
    const std::vector<std::size_t> classes{2, 0, 1};
    check_loss_gradient("ce",
                        [&](const auto& z) {
                            auto r = rows(z, 3);
                            return mgrad::cross_entropy(r, classes);
                        },
                        {0.1, -0.4, 0.9, 1.5, 0.2, -2.0, 0.0, 0.7, -0.3});
    check_loss_gradient("l2", [](const auto& p) { return mgrad::l2(p, 1e-2); }, {0.5, -1.25, 3.0});
}

TEST_CASE("loss: closed forms") {
    Graph g;
    std::vector<Value> s{Value(g, 0.5), Value(g, -2.0)};
    // svm: mean(relu(1 − y s)) with y = (1, 1): (0.5 + 3) / 2
    CHECK(mgrad::svm_hinge(s, std::vector<double>{1.0, 1.0}).data() == doctest::Approx(1.75));
    // mse: ((0.5 − 1)² + (−2 − 0)²) / 2
    CHECK(mgrad::mse(s, std::vector<double>{1.0, 0.0}).data() == doctest::Approx(2.125));
    // bce = −y log σ(s) − (1 − y) log(1 − σ(s))
    auto sig = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
    const double want = (-std::log(sig(0.5)) - std::log(1.0 - sig(-2.0))) / 2.0;
    CHECK(mgrad::binary_cross_entropy(s, std::vector<double>{1.0, 0.0}).data() ==
          doctest::Approx(want).epsilon(1e-14));
    // ce of one sample: −log softmax(z)_c
    std::vector<std::vector<Value>> z{{Value(g, 1.0), Value(g, 2.0), Value(g, 3.0)}};
    const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    CHECK(mgrad::cross_entropy(z, std::vector<std::size_t>{0}).data() ==
          doctest::Approx(lse - 1.0).epsilon(1e-14));
    CHECK(mgrad::l2(s, 0.5).data() == doctest::Approx(0.5 * (0.25 + 4.0)));
}

TEST_CASE("loss: cross-entropy stays finite for huge logits and has gradient softmax − onehot") {
    Graph g;
    std::vector<std::vector<Value>> z{{Value(g, 1000.0), Value(g, 0.0), Value(g, -1000.0)}};
    Value loss = mgrad::cross_entropy(z, std::vector<std::size_t>{1});
    CHECK(loss.data() == doctest::Approx(1000.0));  // −log softmax₁ = 1000 + log(1 + e⁻¹⁰⁰⁰ + …)
    loss.backward();
    CHECK(z[0][0].grad() == doctest::Approx(1.0));
    CHECK(z[0][1].grad() == doctest::Approx(-1.0));
    CHECK(std::fabs(z[0][2].grad()) < 1e-300);
    // The recorded max follows the logits when the graph is replayed.
    z[0][0].set_data(-500.0);
    z[0][1].set_data(800.0);
    CHECK(std::isfinite(loss.data()));
    CHECK(loss.data() == doctest::Approx(0.0).scale(1.0));
}

TEST_CASE("loss: bad arguments are errors") {
    Graph g;
    std::vector<Value> s{Value(g, 1.0)};
    CHECK_THROWS_AS(mgrad::mse(s, std::vector<double>{1.0, 2.0}), mgrad::Error);
    CHECK_THROWS_AS(mgrad::svm_hinge(std::vector<Value>{}, std::vector<double>{}), mgrad::Error);
    std::vector<std::vector<Value>> z{{Value(g, 1.0), Value(g, 2.0)}};
    CHECK_THROWS_AS(mgrad::cross_entropy(z, std::vector<std::size_t>{2}), mgrad::Error);
}

TEST_CASE("nn: parameter counts, labels and scopes") {
    Graph g;
    mgrad::Rng rng(1);
    mgrad::Neuron n(3, mgrad::Nonlinearity::Tanh, rng, g);
    CHECK(n.parameter_count() == 4);
    mgrad::Layer layer(3, 4, mgrad::Nonlinearity::Relu, rng, g);
    CHECK(layer.parameter_count() == 16);
    mgrad::MLP lecture(3, {4, 4, 1}, {}, g);
    CHECK(lecture.parameter_count() == 41);  // the lecture's count
    mgrad::MLP demo(2, {16, 16, 1}, {}, g);
    CHECK(demo.parameter_count() == 337);  // 2·16+16 + 16·16+16 + 16+1
    CHECK(demo.describe() == "MLP(2 → 16 relu → 16 relu → 1 linear)");

    const auto params = demo.parameters();
    CHECK(params[0].label() == "l0.n0.w0");
    CHECK(params[2].label() == "l0.n0.b");
    CHECK(params[3 * 3 + 1].label() == "l0.n3.w1");
    CHECK(params.back().label() == "l2.n0.b");
    std::set<std::string> labels;
    for (const Value& p : params) {
        labels.insert(std::string(p.label()));
        CHECK(p.op() == mgrad::Op::Leaf);
        CHECK(p.data() >= -1.0);
        CHECK(p.data() < 1.0);
    }
    CHECK(labels.size() == params.size());
    // Biases start at 0.
    for (const auto& l : demo.layers())
        for (const auto& neuron : l.neurons())
            CHECK(neuron.parameters().back().data() == 0.0);

    // Forward: one scope per layer holding one per neuron.
    const auto scopes_before = g.scopes().size();
    auto out = demo(std::vector<double>{0.5, -0.25});
    REQUIRE(out.size() == 1);
    const auto& scopes = g.scopes();
    REQUIRE(scopes.size() == scopes_before + 3 + 33);
    const auto& l0 = scopes[scopes_before];
    CHECK(l0.name == "layer0");
    CHECK(scopes[scopes_before + 1].name == "l0.n0");
    CHECK(scopes[scopes_before + 1].parent == scopes_before);
    CHECK(l0.end != mgrad::no_node);
}

TEST_CASE("nn: predict() agrees with the recorded forward pass bit for bit") {
    Graph g;
    mgrad::MLP m(2, {8, 8, 3}, {mgrad::Nonlinearity::Tanh, mgrad::Nonlinearity::Linear, 5}, g);
    const std::vector<double> x{0.3, -1.1};
    const auto graph_out = m(x);
    const auto plain = m.predict(x);
    REQUIRE(plain.size() == 3);
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(graph_out[i].data() == plain[i]);
}

TEST_CASE("nn: the seed fixes the model; a different seed changes it") {
    Graph g;
    mgrad::MLP a(2, {16, 16, 1}, {.seed = 99}, g), b(2, {16, 16, 1}, {.seed = 99}, g),
        c(2, {16, 16, 1}, {.seed = 100}, g);
    CHECK(a.parameter_data() == b.parameter_data());
    CHECK(a.parameter_data() != c.parameter_data());
}

TEST_CASE("nn: attach() moves a model to a fresh graph with the same values") {
    Graph g1, g2;
    mgrad::MLP m(2, {4, 1}, {}, g1);
    const auto values = m.parameter_data();
    m.attach(g2, values);
    CHECK(&m.graph() == &g2);
    CHECK(m.parameter_data() == values);
    CHECK(g2.size() == values.size());
    CHECK_THROWS_AS(m.attach(g2, std::vector<double>{1.0}), mgrad::Error);
}

TEST_CASE("optim: SGD and Adam follow their update rules exactly") {
    Graph g;
    Value p(g, 0.5), q(g, -2.0);
    // loss = 3p² + q: grads 6p and 1.
    auto grads = [&] {
        g.zero_grad();
        Value loss = 3.0 * p * p + q;
        loss.backward();
        return std::pair{p.grad(), q.grad()};
    };
    SUBCASE("sgd with the demo's linear schedule") {
        mgrad::SGD sgd({p, q}, mgrad::linear_schedule(1.0, 0.1, 100));
        CHECK(sgd.learning_rate() == 1.0);
        double pv = 0.5, qv = -2.0;
        for (std::size_t k = 0; k < 3; ++k) {
            const auto [gp, gq] = grads();
            const double lr = 1.0 - 0.9 * static_cast<double>(k) / 100.0;
            sgd.step();
            pv -= lr * gp;
            qv -= lr * gq;
            CHECK(p.data() == pv);
            CHECK(q.data() == qv);
        }
        CHECK(sgd.steps_taken() == 3);
        CHECK(mgrad::linear_schedule(1.0, 0.1, 100)(50) == doctest::Approx(0.55));
        CHECK(mgrad::linear_schedule(1.0, 0.1, 100)(100) == doctest::Approx(0.1));
        CHECK(mgrad::linear_schedule(1.0, 0.1, 100)(500) == doctest::Approx(0.1));  // stays
    }
    SUBCASE("adam") {
        mgrad::Adam adam({p, q}, 0.1);
        double pv = 0.5, m = 0, v = 0;
        for (int t = 1; t <= 3; ++t) {
            const auto [gp, gq] = grads();
            (void)gq;
            adam.step();
            m = 0.9 * m + (1 - 0.9) * gp;
            v = 0.999 * v + (1 - 0.999) * gp * gp;
            const double m_hat = m / (1 - std::pow(0.9, t));
            const double v_hat = v / (1 - std::pow(0.999, t));
            pv = pv - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8);
            CHECK(p.data() == pv);
        }
        // Adam's first step moves every parameter by about lr, whatever its gradient's size.
        Graph h;
        Value r(h, 1.0);
        mgrad::Adam one({r}, 0.1);
        Value l = 1000.0 * r;
        l.backward();
        one.step();
        CHECK(r.data() == doctest::Approx(0.9));
    }
}

TEST_CASE("dataset: moons like make_moons, and every set reproducible from its seed") {
    const auto clean = mgrad::make_moons(100, 0.0, 3);
    REQUIRE(clean.size() == 100);
    std::size_t ones = 0;
    for (std::size_t i = 0; i < clean.size(); ++i) {
        const auto [x, y] = clean.points[i];
        if (clean.labels[i] == 0) {
            CHECK(x * x + y * y == doctest::Approx(1.0));
            CHECK(y >= -1e-12);
        } else {
            ++ones;
            CHECK((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5) == doctest::Approx(1.0));
            CHECK(y <= 0.5 + 1e-12);
        }
    }
    CHECK(ones == 50);
    CHECK(clean.labels != std::vector<std::size_t>(clean.labels.size(), clean.labels[0]));

    for (auto name : mgrad::dataset_names()) {
        const auto a = mgrad::make_dataset(name, 60, std::nullopt, 5);
        const auto b = mgrad::make_dataset(name, 60, std::nullopt, 5);
        const auto c = mgrad::make_dataset(name, 60, std::nullopt, 6);
        CHECK(a.points == b.points);
        CHECK(a.labels == b.labels);
        CHECK(a.points != c.points);
        CHECK(a.size() == 60);
        CHECK(a.classes == (name == "blobs" ? 3u : 2u));
        for (auto l : a.labels)
            CHECK(l < a.classes);
    }
    CHECK_THROWS_AS(mgrad::make_dataset("spirals", 10, std::nullopt, 1), mgrad::Error);
    CHECK_THROWS_AS(mgrad::make_moons(0, 0.1, 1), mgrad::Error);
}

TEST_CASE("train: micrograd's demo reaches 100% training accuracy with the default seed") {
    mgrad::TrainingRun run(mgrad::TrainConfig{});
    CHECK(run.data().size() == 100);
    CHECK(run.model().parameter_count() == 337);
    mgrad::StepResult first = run.step();
    for (int k = 1; k < 100; ++k)
        run.step();
    const mgrad::StepResult last = run.evaluate();
    CHECK(last.step == 100);
    CHECK(last.accuracy == 1.0);
    CHECK(last.loss < first.loss / 10);
}

TEST_CASE("train: replaying the recorded graph gives the same numbers as rebuilding it") {
    mgrad::TrainConfig c;
    c.steps = 100;
    mgrad::TrainingRun replay(c);
    c.replay = false;
    mgrad::TrainingRun rebuild(c);
    check_same_training(replay, rebuild);
}

TEST_CASE("train: fused neurons give the same numbers as Mul and Add nodes, with fewer nodes") {
    mgrad::TrainConfig c;
    mgrad::TrainingRun fused(c);
    c.fused = false;
    mgrad::TrainingRun unfused(c);
    check_same_training(fused, unfused);
    CHECK(fused.trainer().recorded_nodes() * 3 < unfused.trainer().recorded_nodes() * 2);
}

TEST_CASE("train: after a step the graph holds that step's gradients, not a sum") {
    // At a learning rate of 1e-300 the parameters stay put, so two steps see the same
    // gradients; an input leaf must hold one step's worth, not two.
    mgrad::TrainConfig c;
    c.lr = 1e-300;
    c.decay = false;
    mgrad::TrainingRun run(c);
    run.step();
    Graph& g = run.graph();
    NodeId input = mgrad::no_node;
    for (auto id = static_cast<NodeId>(run.model().parameter_count()); id < g.size(); ++id)
        if (g.op(id) == mgrad::Op::Leaf && g.grad(id) != 0.0) {
            input = id;
            break;
        }
    REQUIRE(input != mgrad::no_node);
    const double once = g.grad(input);
    run.step();
    CHECK(g.grad(input) == once);
}

TEST_CASE("train: memory after step 100 equals memory after step 10") {
    mgrad::TrainingRun run(mgrad::TrainConfig{});
    for (int k = 0; k < 10; ++k)
        run.step();
    const auto nodes10 = run.graph().size();
    const auto scopes10 = run.graph().scopes().size();
    const long pages10 = resident_pages();
    for (int k = 10; k < 100; ++k)
        run.step();
    const long pages100 = resident_pages();
    CHECK(run.graph().size() == nodes10);
    CHECK(run.graph().scopes().size() == scopes10);
    const long page = ::sysconf(_SC_PAGESIZE);
    INFO(fmt::format("resident {} KiB after step 10, {} KiB after step 100", pages10 * page / 1024,
                     pages100 * page / 1024));
    // A Release build measures exactly 0 here. Under AddressSanitizer its own bookkeeping warms
    // up over the first steps (about 100 KiB). A loop that recorded a new forward pass on the
    // same graph every step would grow it by about 2 MiB per step.
    CHECK(std::labs(pages100 - pages10) * page <= 256 * 1024);
}

TEST_CASE("train: other data sets, losses and optimisers learn") {
    struct Case {
        const char* dataset;
        std::optional<mgrad::LossKind> loss;
        const char* optimizer;
        double min_accuracy;
    };
    for (const Case& k :
         {Case{"moons", mgrad::LossKind::Bce, "adam", 0.95},
          Case{"moons", mgrad::LossKind::Mse, "sgd", 0.9},
          Case{"circles", std::nullopt, "adam", 0.95}, Case{"xor", std::nullopt, "adam", 0.9},
          Case{"blobs", std::nullopt, "adam", 0.95},
          Case{"moons", mgrad::LossKind::CrossEntropy, "adam", 0.85}}) {
        mgrad::TrainConfig c;
        c.dataset = k.dataset;
        c.loss = k.loss;
        c.optimizer = k.optimizer;
        c.samples = 60;
        c.hidden = {8, 8};
        c.steps = 60;
        mgrad::TrainingRun run(c);
        const double before = run.evaluate().loss;
        for (std::size_t s = 0; s < c.steps; ++s)
            run.step();
        const auto end = run.evaluate();
        INFO(fmt::format("{} {} {}: loss {} → {}, accuracy {}", k.dataset,
                         mgrad::loss_name(run.loss()), k.optimizer, before, end.loss,
                         end.accuracy));
        CHECK(end.loss < before);
        CHECK(end.accuracy >= k.min_accuracy);
    }
}

TEST_CASE("train: bad configurations are errors") {
    mgrad::TrainConfig c;
    c.dataset = "blobs";
    c.loss = mgrad::LossKind::Svm;
    CHECK_THROWS_AS(mgrad::TrainingRun{c}, mgrad::Error);
    c = {};
    c.optimizer = "rmsprop";
    CHECK_THROWS_AS(mgrad::TrainingRun{c}, mgrad::Error);
    c = {};
    c.hidden = {16, 0};
    CHECK_THROWS_AS(mgrad::TrainingRun{c}, mgrad::Error);
    CHECK(mgrad::loss_from_name("ce") == mgrad::LossKind::CrossEntropy);
    CHECK_FALSE(mgrad::loss_from_name("hinge").has_value());
}

TEST_CASE("plot: PNG and SVG files from PLplot, and errors for bad targets" * MGRAD_NEEDS_PLOTS) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / fmt::format("mgrad-plot-{}", ::getpid());
    fs::create_directories(dir);
    REQUIRE_MESSAGE(mgrad::can_plot(dir / "x.png"),
                    "PLplot's cairo device is missing (Debian: plplot-driver-cairo)");
    mgrad::LineChart chart{"f(x) = 3x² − 4x + 5", "x", "y", {}, 0.0, 0.0};
    mgrad::Series f{"f", {}, {}}, df{"df/dx", {}, {}};
    for (int i = 0; i <= 40; ++i) {
        const double x = -5.0 + 0.25 * i;
        f.x.push_back(x);
        f.y.push_back(3 * x * x - 4 * x + 5);
        df.x.push_back(x);
        df.y.push_back(6 * x - 4);
    }
    chart.series = {f, df};
    mgrad::save_line_chart(chart, dir / "f.png");
    mgrad::save_line_chart(chart, dir / "f.svg");
    std::ifstream png(dir / "f.png", std::ios::binary);
    std::string head(8, '\0');
    png.read(head.data(), 8);
    CHECK(head == "\x89PNG\r\n\x1a\n");
    std::ifstream svg(dir / "f.svg");
    const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
    CHECK(text.find("<svg") != std::string::npos);

    mgrad::BoundaryPlot b;
    b.title = "two classes";
    b.grid = {-1.0, 1.0, -1.0, 1.0, 3, 3, {0, 0, 1, 0, 1, 1, 1, 1, 1}, {}};
    b.x = {0.5};
    b.y = {-0.5};
    b.labels = {1};
    mgrad::save_decision_boundary(b, dir / "b.png");
    CHECK(fs::file_size(dir / "b.png") > 1000);
    // Logits for three classes: one value per class and grid point.
    mgrad::BoundaryPlot three = b;
    three.classes = 3;
    three.grid.classes = {0, 0, 1, 0, 2, 1, 2, 2, 1};
    three.grid.scores.clear();
    for (std::size_t p = 0; p < 9; ++p)
        for (std::size_t c = 0; c < 3; ++c)
            three.grid.scores.push_back(c == three.grid.classes[p] ? 1.0 : 0.0);
    mgrad::save_decision_boundary(three, dir / "three.svg");
    CHECK(fs::file_size(dir / "three.svg") > 1000);
    three.grid.scores.pop_back();
    CHECK_THROWS_AS(mgrad::save_decision_boundary(three, dir / "three.svg"), mgrad::Error);

    CHECK_THROWS_AS(mgrad::save_line_chart(chart, dir / "f.bmp"), mgrad::Error);
    CHECK_THROWS_AS(mgrad::save_line_chart(chart, dir / "missing-dir" / "f.png"), mgrad::Error);
    b.labels = {7};
    CHECK_THROWS_AS(mgrad::save_decision_boundary(b, dir / "b.png"), mgrad::Error);
    fs::remove_all(dir);
}
