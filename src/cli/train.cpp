// `mgrad train`: options, progress display, JSON lines and pictures around mgrad::TrainingRun.
#include "train.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <mgrad/nn/dataset.hpp>
#include <mgrad/nn/train.hpp>
#include <mgrad/plot/plot.hpp>
#include <mgrad/support/divergence.hpp>
#include <mgrad/support/error.hpp>

namespace mgrad::cli {

namespace {

struct Options {
    TrainConfig config;
    std::string loss;
    bool constant_lr = false;
    bool rebuild = false;
    bool unfused = false;
    bool json = false;
    std::string plot_loss;
    std::string plot_boundary;
};

std::string progress_bar(std::size_t done, std::size_t total, std::size_t width) {
    const std::size_t filled = total == 0 ? width : done * width / total;
    std::string bar;
    for (std::size_t i = 0; i < width; ++i)
        bar += i < filled ? "█" : "·";
    return bar;
}

void save_curves(const std::vector<StepResult>& history, TrainingRun& run,
                 const std::string& file) {
    Series loss{"loss", {}, {}}, accuracy{"accuracy", {}, {}};
    for (const StepResult& r : history) {
        loss.x.push_back(static_cast<double>(r.step));
        loss.y.push_back(r.loss);
        accuracy.x.push_back(static_cast<double>(r.step));
        accuracy.y.push_back(100.0 * r.accuracy);
    }
    const std::string what =
        fmt::format("{} on {} {}", run.model().describe(), run.data().size(), run.data().name);
    std::vector<LineChart> charts{
        LineChart{
            fmt::format("{} — {} loss, {}", what, loss_name(run.loss()), run.optimizer().name()),
            "",
            "loss",
            {loss},
            0.0,
            0.0},
        LineChart{"Training accuracy", "step", "accuracy (%)", {accuracy}, 0.0, 102.0}};
    save_line_charts(charts, file);
}

void save_boundary(TrainingRun& run, double final_accuracy, const std::string& file) {
    const Dataset& d = run.data();
    double x0 = d.points[0][0], x1 = x0, y0 = d.points[0][1], y1 = y0;
    for (const auto& p : d.points) {
        x0 = std::min(x0, p[0]);
        x1 = std::max(x1, p[0]);
        y0 = std::min(y0, p[1]);
        y1 = std::max(y1, p[1]);
    }
    const double margin = 0.25 * std::max(x1 - x0, y1 - y0);
    BoundaryPlot plot;
    plot.classes = d.classes;
    plot.title = fmt::format("{}: {} — accuracy {:.0f}%", d.name, run.model().describe(),
                             100.0 * final_accuracy);
    ClassGrid& g = plot.grid;
    g.x_min = x0 - margin, g.x_max = x1 + margin, g.y_min = y0 - margin, g.y_max = y1 + margin;
    g.nx = 121, g.ny = 91;  // the lines follow interpolated scores, so this is smooth enough
    std::array<double, 2> in{};
    for (std::size_t iy = 0; iy < g.ny; ++iy) {
        for (std::size_t ix = 0; ix < g.nx; ++ix) {
            in[0] = g.x_min +
                    (g.x_max - g.x_min) * static_cast<double>(ix) / static_cast<double>(g.nx - 1);
            in[1] = g.y_min +
                    (g.y_max - g.y_min) * static_cast<double>(iy) / static_cast<double>(g.ny - 1);
            const std::vector<double> out = run.model().predict(in);
            g.classes.push_back(predicted_class(out));
            g.scores.insert(g.scores.end(), out.begin(), out.end());
        }
    }
    for (std::size_t i = 0; i < d.size(); ++i) {
        plot.x.push_back(d.points[i][0]);
        plot.y.push_back(d.points[i][1]);
        plot.labels.push_back(d.labels[i]);
    }
    save_decision_boundary(plot, file);
}

int train(Options& o) {
    TrainConfig& c = o.config;
    if (!o.loss.empty()) {
        c.loss = loss_from_name(o.loss);
        if (!c.loss) throw Error(fmt::format("unknown loss '{}'", o.loss));
    }
    c.decay = !o.constant_lr;
    c.replay = !o.rebuild;
    c.fused = !o.unfused;
    // Fail on a bad picture path before spending time on training.
    for (const std::string& f : {o.plot_loss, o.plot_boundary})
        if (!f.empty()) check_can_plot(f);

    TrainingRun run(c);
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    const std::size_t every = std::max<std::size_t>(1, c.steps / 10);
    if (!o.json)
        std::cout << fmt::format("training {} on {} {} points ({} loss, {}, {} steps)\n",
                                 run.model().describe(), run.data().size(), run.data().name,
                                 loss_name(run.loss()), run.optimizer().name(), c.steps);
    std::vector<StepResult> history;
    history.reserve(c.steps + 1);
    const auto start = std::chrono::steady_clock::now();
    auto last_draw = start - std::chrono::seconds(1);
    std::optional<DivergenceWatch> watch;  // from the first step's loss
    for (std::size_t k = 0; k < c.steps; ++k) {
        const StepResult r = run.step();
        if (!watch) watch.emplace(r.loss);
        if (const auto why = watch->check(r.loss)) {
            if (tty) std::cerr << '\n';
            throw Error(fmt::format("training diverged at step {} (the loss {}); try a smaller "
                                    "--lr",
                                    r.step, *why));
        }
        history.push_back(r);
        if (o.json) {
            std::cout << nlohmann::ordered_json{{"step", r.step},
                                                {"loss", r.loss},
                                                {"accuracy", r.accuracy}}
                             .dump()
                      << '\n';
        }
        // Redrawing costs more than a step: at most 25 times a second, and the last step.
        const auto now = std::chrono::steady_clock::now();
        if (tty && (now - last_draw >= std::chrono::milliseconds(40) || k + 1 == c.steps)) {
            last_draw = now;
            std::cerr << fmt::format("\r\033[K{} {:>{}}/{}  loss {:.6f}  accuracy {:5.1f}%",
                                     progress_bar(k + 1, c.steps, 30), k + 1,
                                     fmt::formatted_size("{}", c.steps), c.steps, r.loss,
                                     100.0 * r.accuracy)
                      << std::flush;
        } else if (!o.json && (k % every == 0 || k + 1 == c.steps)) {
            std::cerr << fmt::format("step {} loss {:.6f} accuracy {:.1f}%\n", r.step, r.loss,
                                     100.0 * r.accuracy);
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (tty && c.steps > 0) std::cerr << '\n';

    const StepResult final_result = run.evaluate();
    history.push_back(final_result);
    if (o.json) {
        std::cout << nlohmann::ordered_json{{"step", final_result.step},
                                            {"loss", final_result.loss},
                                            {"accuracy", final_result.accuracy},
                                            {"final", true}}
                         .dump()
                  << '\n';
    } else {
        std::cout << fmt::format(
            "after {} step{}: loss {:.6f}, accuracy {:.1f}% ({}/{})\n", final_result.step,
            final_result.step == 1 ? "" : "s", final_result.loss, 100.0 * final_result.accuracy,
            static_cast<std::size_t>(
                final_result.accuracy * static_cast<double>(run.data().size()) + 0.5),
            run.data().size());
        if (c.steps > 0)
            std::cerr << fmt::format("{:.3f} ms per step ({} graph nodes, {})\n",
                                     1e3 * seconds / static_cast<double>(c.steps),
                                     run.trainer().recorded_nodes(),
                                     c.replay ? "recorded once, replayed" : "rebuilt every step");
    }
    if (!o.plot_loss.empty()) save_curves(history, run, o.plot_loss);
    if (!o.plot_boundary.empty()) save_boundary(run, final_result.accuracy, o.plot_boundary);
    return 0;
}

}  // namespace

// CLI11's PositiveNumber reports its range up to the largest double; say it plainly.
const CLI::Validator positive(
    [](std::string& text) {
        double v = 0;
        if (!CLI::detail::lexical_cast(text, v) || !(v > 0.0) || !std::isfinite(v))
            return std::string("must be a positive number, not ") + text;
        return std::string();
    },
    "POSITIVE");

int run_train(int argc, char** argv) {
    CLI::App app{
        "Train a small MLP on a generated 2-D data set. The defaults are micrograd's demo: "
        "MLP(2, [16, 16, 1]) on 100 two-moons points, SVM loss + 1e-4 L2, SGD with "
        "lr = 1.0 − 0.9·k/100, 100 steps.",
        "mgrad train"};
    Options o;
    TrainConfig& c = o.config;
    std::optional<double> noise, lr;
    app.add_option("--dataset", c.dataset, "Data set")
        ->check(CLI::IsMember({"moons", "circles", "xor", "blobs"}))
        ->capture_default_str();
    app.add_option("--samples", c.samples, "Number of points")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
        ->capture_default_str();
    app.add_option("--noise", noise, "Noise (standard deviation); default 0.1, 0.4 for blobs")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--seed", c.seed, "Seed of the data set (the weights use seed + 1)")
        ->capture_default_str();
    app.add_option("--layers", c.hidden,
                   "Hidden layer sizes, comma-separated; the output layer (1, or one per class "
                   "for ce) is added")
        ->delimiter(',')
        ->expected(1, 64)
        ->default_str("16,16");
    app.add_option("--steps", c.steps, "Training steps")->capture_default_str();
    app.add_option("--lr", lr,
                   "Initial learning rate; default 1.0 for sgd (0.1 with mse), 0.05 for adam")
        ->check(positive);
    app.add_flag("--constant-lr", o.constant_lr,
                 "Keep the learning rate constant instead of lr·(1 − 0.9·k/steps)");
    app.add_option("--optimizer", c.optimizer, "Optimiser")
        ->check(CLI::IsMember({"sgd", "adam"}))
        ->capture_default_str();
    app.add_option("--loss", o.loss,
                   "Loss: svm, mse, bce (two classes) or ce; default svm, ce "
                   "for blobs")
        ->check(CLI::IsMember({"svm", "mse", "bce", "ce"}));
    app.add_option("--alpha", c.alpha, "L2 regularisation weight")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_flag("--unfused", o.unfused,
                 "Record a neuron's weighted sum as Mul and Add nodes instead of one MulAdd per "
                 "weight (the same numbers, twice the nodes)");
    app.add_flag("--rebuild", o.rebuild,
                 "Rebuild the graph every step instead of replaying the recorded one");
    app.add_flag("--json", o.json,
                 "Print one JSON object per step and a final one, {\"step\", \"loss\", "
                 "\"accuracy\"} (accuracy from 0 to 1)");
    app.add_option("--plot-loss", o.plot_loss,
                   "Write the loss and accuracy curves (.png, .svg, "
                   ".pdf)")
        ->type_name("FILE");
    app.add_option("--plot-boundary", o.plot_boundary,
                   "Write the decision boundary with the data (.png, .svg, .pdf)")
        ->type_name("FILE");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    c.noise = noise;
    c.lr = lr;
    try {
        return train(o);
    } catch (const Error& e) {
        std::cerr << "mgrad train: error: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace mgrad::cli
