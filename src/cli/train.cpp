// `mgrad train`: options, progress, Ctrl-C, JSON lines, pictures and model files around
// mgrad::TrainingRun.
#include "train.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <mgrad/nn/dataset.hpp>
#include <mgrad/nn/model_file.hpp>
#include <mgrad/nn/train.hpp>
#include <mgrad/plot/plot.hpp>
#include <mgrad/support/divergence.hpp>
#include <mgrad/support/error.hpp>
#include <mgrad/support/progress.hpp>

#include "cli_spec.hpp"
#include "help_text.hpp"
#include "interrupt.hpp"

namespace mgrad::cli {

namespace {

constexpr int exit_usage = 2;

struct Options {
    TrainConfig config;
    std::string loss;
    bool constant_lr = false;
    bool rebuild = false;
    bool unfused = false;
    bool json = false;
    bool quiet = false;
    std::string plot_loss;
    std::string plot_boundary;
    std::string save;
    std::string load;
};

/// Thrown for a bad command line found after parsing (exit status 2, like CLI11's errors).
struct UsageError : Error {
    using Error::Error;
};

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

/// `--load FILE`: the model's layers replace --layers, and the data set it was trained on is
/// the default for the data options the command line leaves out.
ModelFile apply_loaded_model(Options& o, const CLI::App& app) {
    ModelFile model = load_model(o.load);
    TrainConfig& c = o.config;
    if (model.inputs != 2)
        throw Error(fmt::format("'{}' has {} inputs; mgrad train's data sets have 2", o.load,
                                model.inputs));
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        const Nonlinearity want =
            i + 1 < model.layers.size() ? Nonlinearity::Relu : Nonlinearity::Linear;
        if (model.layers[i].activation != want)
            throw Error(fmt::format(
                "'{}': mgrad train trains relu hidden layers and a linear output, but layer {} "
                "is {}",
                o.load, i + 1, nonlinearity_name(model.layers[i].activation)));
    }
    // Another data set given on the command line brings its own defaults.
    if (model.training &&
        (app.count("--dataset") == 0 || c.dataset == model.training->config.dataset)) {
        const TrainConfig& was = model.training->config;
        c.dataset = was.dataset;
        if (app.count("--samples") == 0) c.samples = was.samples;
        if (app.count("--noise") == 0) c.noise = was.noise;
        if (app.count("--seed") == 0) c.seed = was.seed;
        if (o.loss.empty() && was.loss) c.loss = was.loss;
    }
    const std::vector<std::size_t> sizes = model.sizes();
    c.hidden.assign(sizes.begin(), sizes.end() - 1);
    const LossKind loss =
        c.loss.value_or(c.dataset == "blobs" ? LossKind::CrossEntropy : LossKind::Svm);
    const std::size_t classes = make_dataset(c.dataset, 1, c.noise, c.seed).classes;
    const std::size_t outputs = loss == LossKind::CrossEntropy ? classes : 1;
    if (sizes.back() != outputs)
        throw Error(fmt::format("'{}' has {} output{}, but the {} loss on {} needs {}", o.load,
                                sizes.back(), sizes.back() == 1 ? "" : "s", loss_name(loss),
                                c.dataset, outputs));
    c.initial_parameters = model.parameters();
    return model;
}

void check_can_write(const std::string& file) {
    // The model is written atomically next to the target; a missing directory would only be
    // found after training.
    const std::filesystem::path dir = std::filesystem::path(file).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
        throw Error(
            fmt::format("cannot write '{}': there is no directory '{}'", file, dir.string()));
    const auto status = std::filesystem::status(file, ec);  // follows a link
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw Error(fmt::format("cannot write '{}': {}", file,
                                std::filesystem::is_directory(status)
                                    ? "it is a directory"
                                    : "it is not a regular file"));
}

void say_wrote(const Options& o, const std::string& file) {
    if (o.json)
        std::cout << nlohmann::ordered_json{{"wrote", file}}.dump() << '\n';
    else if (!o.quiet)
        std::cout << fmt::format("wrote {}\n", file);
}

int train(Options& o, const CLI::App& app) {
    TrainConfig& c = o.config;
    if (!o.loss.empty()) c.loss = loss_from_name(o.loss);  // CLI11 checked the name
    c.decay = !o.constant_lr;
    c.replay = !o.rebuild;
    c.fused = !o.unfused;
    std::optional<ModelFile> loaded;
    if (!o.load.empty()) loaded = apply_loaded_model(o, app);
    try {
        check_train_config(c);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    // Fail on a bad output path before spending time on training.
    for (const std::string& f : {o.plot_loss, o.plot_boundary})
        if (!f.empty()) check_can_plot(f);
    if (!o.save.empty()) check_can_write(o.save);

    TrainingRun run(c);
    if (!o.json && !o.quiet)
        std::cout << fmt::format("training {} on {} {} points ({} loss, {}, {} steps{})\n",
                                 run.model().describe(), run.data().size(), run.data().name,
                                 loss_name(run.loss()), run.optimizer().name(), c.steps,
                                 loaded ? fmt::format(", from {}", o.load) : "")
                  << std::flush;
    std::vector<StepResult> history;
    history.reserve(c.steps + 1);
    const ProgressMeter::Mode mode =
        o.json || o.quiet ? ProgressMeter::Mode::Quiet : ProgressMeter::mode_for(STDERR_FILENO);
    ProgressMeter progress(c.steps, mode,
                           [](std::string_view text) { std::cerr << text << std::flush; });
    // Ctrl-C stops after the current step; what was trained so far is reported and saved.
    InterruptGuard interrupt;
    const auto start = std::chrono::steady_clock::now();
    std::size_t done = 0;
    std::optional<DivergenceWatch> watch;  // from the first step's loss
    for (std::size_t k = 0; k < c.steps && !interrupt.requested(); ++k) {
        const StepResult r = run.step();
        if (!watch) watch.emplace(r.loss);
        if (const auto why = watch->check(r.loss)) {
            progress.finish();
            throw Error(
                fmt::format("training diverged at step {} (the loss {}); try a smaller "
                            "--lr",
                            r.step, *why));
        }
        history.push_back(r);
        done = k + 1;
        if (o.json) {
            std::cout << nlohmann::ordered_json{{"step", r.step},
                                                {"loss", r.loss},
                                                {"accuracy", r.accuracy}}
                             .dump()
                      << '\n';
        }
        if (progress.due(done))
            progress.update(
                done, fmt::format("loss {:.6f}  accuracy {:.1f}%", r.loss, 100.0 * r.accuracy));
    }
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool interrupted = done < c.steps;
    if (interrupted)
        std::cerr << fmt::format("mgrad train: interrupted after {} of {} steps\n", done, c.steps);

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
        if (done > 0 && !o.quiet)
            std::cerr << fmt::format("{:.3f} ms per step ({} graph nodes, {})\n",
                                     1e3 * seconds / static_cast<double>(done),
                                     run.trainer().recorded_nodes(),
                                     c.replay ? "recorded once, replayed" : "rebuilt every step");
    }
    std::cout << std::flush;
    if (!o.plot_loss.empty()) {
        save_curves(history, run, o.plot_loss);
        say_wrote(o, o.plot_loss);
    }
    if (!o.plot_boundary.empty()) {
        save_boundary(run, final_result.accuracy, o.plot_boundary);
        say_wrote(o, o.plot_boundary);
    }
    if (!o.save.empty()) {
        ModelFile model = ModelFile::from(run.model());
        TrainingRecord record;
        record.config = c;
        record.config.initial_parameters.clear();
        record.config.loss = run.loss();  // the defaults made explicit
        record.config.noise = c.noise.value_or(default_noise(c.dataset));
        record.steps_done = done + (loaded && loaded->training ? loaded->training->steps_done : 0);
        record.loss = final_result.loss;
        record.accuracy = final_result.accuracy;
        model.training = record;
        save_model(model, o.save);
        say_wrote(o, o.save);
    }
    return interrupted ? exit_interrupted : 0;
}

// CLI11's validators, with the range and the offending text said plainly.
CLI::Validator whole_number(std::uint64_t low, std::uint64_t high) {
    return CLI::Validator(
        [low, high](std::string& text) {
            std::uint64_t v = 0;
            const bool digits = !text.empty() && text.size() <= 20 &&
                                text.find_first_not_of("0123456789") == std::string::npos;
            if (digits) {
                auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec == std::errc{} && v >= low && v <= high) return std::string();
            }
            return fmt::format("must be a whole number from {} to {}, not '{}'", low, high, text);
        },
        "", "whole number");
}

CLI::Validator number(bool zero_allowed) {
    return CLI::Validator(
        [zero_allowed](std::string& text) {
            double v = 0;
            if (CLI::detail::lexical_cast(text, v) && std::isfinite(v) &&
                (v > 0.0 || (zero_allowed && v == 0.0)))
                return std::string();
            return fmt::format("must be a {} number, not '{}'",
                               zero_allowed ? "finite, non-negative" : "finite, positive", text);
        },
        "", "number");
}

void report_usage_error(std::string_view message) {
    std::cerr << fmt::format(
        "mgrad train: error: {}\nTry 'mgrad train --help' for more information.\n", message);
}

/// The command line of `mgrad train`, its values bound to the fields.
struct CommandLine {
    CLI::App app{
        "Train a small MLP on a generated 2-D data set. The defaults are micrograd's demo: "
        "MLP(2, [16, 16, 1]) on 100 two-moons points, SVM loss + 1e-4 L2, SGD with "
        "lr = 1.0 − 0.9·k/100, 100 steps.",
        "mgrad train"};
    Options o;
    std::optional<double> noise, lr;

    CommandLine() {
        TrainConfig& c = o.config;
        with_choices(app.add_option("--dataset", c.dataset, "Data set")->type_name("NAME"),
                     {"moons", "circles", "xor", "blobs"})
            ->capture_default_str();
        app.add_option("--samples", c.samples,
                       fmt::format("Number of points, 1 to {}", max_training_samples))
            ->type_name("N")
            ->check(whole_number(1, max_training_samples))
            ->capture_default_str();
        app.add_option("--noise", noise, "Noise (standard deviation); default 0.1, 0.4 for blobs")
            ->type_name("X")
            ->check(number(true));
        app.add_option("--seed", c.seed, "Seed of the data set (the weights use seed + 1)")
            ->type_name("N")
            ->check(whole_number(0, std::numeric_limits<std::uint64_t>::max() - 1))
            ->capture_default_str();
        auto* layers =
            app.add_option(
                   "--layers", c.hidden,
                   fmt::format("Hidden layer sizes, comma-separated (at most {} layers of 1 "
                               "to {}); the output layer (1, or one per class for ce) is "
                               "added",
                               max_hidden_layers, max_layer_width))
                ->type_name("N,N…")
                ->delimiter(',')
                ->expected(1, static_cast<int>(max_hidden_layers))
                ->check(whole_number(1, max_layer_width))
                ->default_str("16,16");
        app.add_option("--steps", c.steps,
                       fmt::format("Training steps, 0 to {}", max_training_steps))
            ->type_name("N")
            ->check(whole_number(0, max_training_steps))
            ->capture_default_str();
        app.add_option("--lr", lr,
                       "Initial learning rate; default 1.0 for sgd (0.1 with mse), 0.05 for adam")
            ->type_name("X")
            ->check(number(false));
        app.add_flag("--constant-lr", o.constant_lr,
                     "Keep the learning rate constant instead of lr·(1 − 0.9·k/steps)");
        with_choices(app.add_option("--optimizer", c.optimizer, "Optimiser")->type_name("NAME"),
                     {"sgd", "adam"})
            ->capture_default_str();
        app.add_option("--loss", o.loss,
                       "Loss: svm, mse, bce (two classes) or ce; default svm, ce "
                       "for blobs")
            ->type_name("NAME");
        with_choices(app.get_option("--loss"), {"svm", "mse", "bce", "ce"});
        app.add_option("--alpha", c.alpha, "L2 regularisation weight")
            ->type_name("X")
            ->check(number(true))
            ->capture_default_str();
        app.add_flag(
            "--unfused", o.unfused,
            "Record a neuron's weighted sum as Mul and Add nodes instead of one MulAdd per "
            "weight (the same numbers, twice the nodes)");
        app.add_flag("--rebuild", o.rebuild,
                     "Rebuild the graph every step instead of replaying the recorded one");
        app.add_flag("--json", o.json,
                     "Print one JSON object per step and a final one, {\"step\", \"loss\", "
                     "\"accuracy\"} (accuracy from 0 to 1)");
        app.add_flag("-q,--quiet", o.quiet,
                     "Print only the result line and errors: no progress, no timing, no 'wrote'");
        with_files(app.add_option("--plot-loss", o.plot_loss,
                                  "Write the loss and accuracy curves (.png, .svg, .pdf)")
                       ->type_name("FILE"),
                   {"png", "svg", "pdf"});
        with_files(app.add_option("--plot-boundary", o.plot_boundary,
                                  "Write the decision boundary with the data (.png, .svg, .pdf)")
                       ->type_name("FILE"),
                   {"png", "svg", "pdf"});
        app.add_option("--save", o.save,
                       "Write the trained model (its weights and how it was trained) as JSON; "
                       "`:model FILE` loads it into the REPL")
            ->type_name("FILE");
        app.add_option("--load", o.load,
                       "Start from a saved model instead of random weights; its layers replace "
                       "--layers, and its data set is the default")
            ->type_name("FILE")
            ->excludes(layers);
        with_files(app.get_option("--save"), {"json"});
        with_files(app.get_option("--load"), {"json"});
        app.set_help_flag("-h,--help", "Print this help and exit");
        app.footer(
            "Progress goes to standard error: one line redrawn in place on a terminal, a line\n"
            "every tenth of the way otherwise. Ctrl-C stops after the current step, then prints\n"
            "the result and writes the plots and the model as asked.\n\n"
            "Exit status: 0 on success, 1 on an error (a bad file, training that diverged), 2 for\n"
            "a usage error, 130 when interrupted.\n\n"
            "Examples:\n"
            "  mgrad train                                  micrograd's demo\n"
            "  mgrad train --dataset blobs --optimizer adam three classes, cross-entropy\n"
            "  mgrad train --save moons.json --plot-boundary moons.png\n"
            "  mgrad train --load moons.json --steps 0 --plot-boundary again.png");
    }
};

}  // namespace

void describe_train(std::ostream& out) {
    const CommandLine line;
    describe_app(out, "mgrad train", line.app);
}

int run_train(int argc, char** argv) {
    CommandLine line;
    Options& o = line.o;
    CLI::App& app = line.app;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << wrap_help(app.help(), terminal_width());
        return 0;
    } catch (const CLI::ParseError& e) {
        report_usage_error(e.what());
        return exit_usage;
    }
    o.config.noise = line.noise;
    o.config.lr = line.lr;
    try {
        return train(o, app);
    } catch (const UsageError& e) {
        report_usage_error(e.what());
        return exit_usage;
    } catch (const Error& e) {
        std::cerr << "mgrad train: error: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace mgrad::cli
