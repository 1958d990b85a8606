// Gradient descent on a session's graph: :step and :minimize.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <array>
#include <optional>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/plot/plot.hpp"
#include "mgrad/support/divergence.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/options.hpp"
#include "mgrad/support/progress.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

struct Descent {
    NodeId root = 0;
    std::vector<NodeId> leaves;
};

Descent descent_target(Session& session, const Word& name, std::span<const Word> leaf_words) {
    Descent d;
    d.root = node_arg(session, name);
    Graph& g = session.graph();
    if (leaf_words.empty()) {
        d.leaves = leaves_of(g, d.root);
        if (d.leaves.empty())
            throw Error(
                fmt::format("'{}' depends on no leaf: there is nothing to change", name.text),
                name.span);
    } else {
        for (const Word& w : leaf_words) {
            const NodeId id = leaf_arg(session, w);
            if (std::find(d.leaves.begin(), d.leaves.end(), id) != d.leaves.end())
                throw Error(fmt::format("'{}' is given twice", w.text), w.span);
            d.leaves.push_back(id);
        }
    }
    return d;
}

/// One descent step: backward from root, then leaf -= lr * grad. Returns the loss before it.
double descend(Graph& g, const Descent& d, double lr) {
    g.zero_grad();
    g.backward(d.root);
    const double loss = g.data(d.root);
    for (NodeId leaf : d.leaves)
        g.set_data(leaf, g.data(leaf) - lr * g.grad(leaf));
    g.forward();
    return loss;
}

void cmd_step(Session& session, const CommandArgs& args, Output& out) {
    const double lr = args.number("lr", 0.0);
    const Descent d = descent_target(session, *args.get("NAME"), args.all("LEAF"));
    Graph& g = session.graph();
    std::vector<double> before;
    for (NodeId leaf : d.leaves)
        before.push_back(g.data(leaf));
    const double loss = descend(g, d, lr);
    std::vector<std::vector<std::string>> rows{{"leaf", "grad", "before", "after"}};
    for (std::size_t i = 0; i < d.leaves.size(); ++i)
        rows.push_back({session.node_name(d.leaves[i]), format_number(g.grad(d.leaves[i])),
                        format_number(before[i]), format_number(g.data(d.leaves[i]))});
    std::string table = render_table(rows, "lrrr");
    out.table(Table{std::move(rows), "lrrr", std::move(table)});
    out.text(fmt::format("{}: {} → {}\n", session.node_name(d.root), format_number(loss),
                         format_number(g.data(d.root))));
}

constexpr std::size_t max_minimize_steps = 10'000'000;
constexpr std::array<std::string_view, 3> plot_extensions{"png", "svg", "pdf"};
constexpr std::array<OptionSpec, 3> minimize_options{{
    {.key = "steps",
     .kind = ValueKind::Whole,
     .help = "how many steps (default 100)",
     .low = 1,
     .high = max_minimize_steps},
    {.key = "lr",
     .kind = ValueKind::Number,
     .help = "the learning rate (default 0.01)",
     .value_name = "X"},
    {.key = "plot",
     .kind = ValueKind::File,
     .help = "draw NAME over the steps (.png, .svg, .pdf); plot alone shows it in a notebook",
     .value_name = "FILE",
     .choices = plot_extensions,
     .value_optional = true,
     .what = "plot to"},
}};
constexpr std::array<OptionSpec, 1> step_options{{
    {.key = "lr", .kind = ValueKind::Number, .help = "the learning rate", .value_name = "X"},
}};

std::string minimize_replay(const Word& name, const std::vector<Word>& leaves, std::size_t done,
                            double lr) {
    std::string text = ":minimize " + name.text;
    for (const Word& w : leaves)
        text += " " + w.text;
    return text + fmt::format(" steps={} lr={}", done, format_number(lr));
}

void cmd_minimize(Session& session, const CommandArgs& args, Output& out) {
    const auto steps = static_cast<std::size_t>(args.number("steps", 100));
    const double lr = args.number("lr", 0.01);
    std::string plot_file;
    SourceSpan plot_span;
    bool plot_inline = false;  // `plot` alone: the chart is shown, where pictures are shown
    const Word& name_word = *args.get("NAME");
    const std::span<const Word> leaves = args.all("LEAF");
    std::vector<Word> leaf_words(leaves.begin(), leaves.end());
    for (const OptionArg& o : args.options()) {
        if (o.spec->key != "plot") continue;
        if (!o.has_value) {  // `plot` alone: shown inline, or a leaf called plot
            if (out.shows_pictures()) {
                plot_inline = true;
                continue;
            }
            if (!session.lookup("plot"))
                throw Error("plot needs a file here: plot=FILE (.png, .svg or .pdf)", o.word.span);
            leaf_words.push_back(o.word);
            continue;
        }
        plot_file = o.value;
        plot_span = o.word.span;
        try {
            check_can_plot(plot_file);  // no directory, a pipe: before any step is taken
        } catch (const Error& e) {
            throw Error(e.what(), o.word.span);
        }
    }
    const Descent d = descent_target(session, name_word, leaf_words);
    Graph& g = session.graph();
    std::vector<double> start;
    for (NodeId leaf : d.leaves)
        start.push_back(g.data(leaf));
    std::vector<double> start_grads;  // a diverged run puts them back too
    start_grads.reserve(g.size());
    for (const Node& n : g.nodes())
        start_grads.push_back(n.grad);
    const std::string name = session.node_name(d.root);
    const double first = g.data(d.root);
    std::vector<double> xs, losses;
    std::size_t done = 0;
    double watched = first;  // the loss the meter's line shows
    // Lines in the transcript, without timing: a script's output stays reproducible. A front
    // end that shows progress its own way gets the numbers with each line.
    ProgressMeter meter(
        steps, ProgressMeter::Mode::Lines,
        [&](std::string_view line) {
            out.progress(Progress{"minimize", done + 1, steps, name, watched, line});
        },
        false);
    bool interrupted = false;
    const DivergenceWatch watch(first);
    for (; done < steps; ++done) {
        if (session.interrupted()) {
            interrupted = true;
            break;
        }
        const double loss = descend(g, d, lr);
        xs.push_back(static_cast<double>(done));
        losses.push_back(loss);
        const double now = g.data(d.root);
        if (const auto why = watch.check(std::isfinite(loss) ? now : loss)) {
            // A diverged run is of no use: the leaves and gradients go back to where they were,
            // so the session is as before the command.
            for (std::size_t i = 0; i < d.leaves.size(); ++i)
                g.set_data(d.leaves[i], start[i]);
            g.forward();
            for (NodeId id = 0; id < start_grads.size(); ++id)
                g.set_grad(id, start_grads[id]);
            throw Error(fmt::format(
                "{} {} by step {}: gradient descent is diverging (try a smaller lr than {}{}); "
                "the leaves are back at their start values",
                name, *why, done + 1, format_number(lr),
                std::isfinite(now) ? fmt::format(", or check that {} has a minimum", name) : ""));
        }
        session.progress();  // a live view follows the descent
        if (meter.due(done + 1)) {
            watched = now;
            meter.update(done + 1, fmt::format("{} = {}", name, format_number(now)));
        }
    }
    xs.push_back(static_cast<double>(done));
    losses.push_back(g.data(d.root));
    std::vector<std::vector<std::string>> rows{{"leaf", "start", "end"}};
    for (std::size_t i = 0; i < d.leaves.size(); ++i)
        rows.push_back({session.node_name(d.leaves[i]), format_number(start[i]),
                        format_number(g.data(d.leaves[i]))});
    std::string table = render_table(rows, "lrr");
    out.table(Table{std::move(rows), "lrr", std::move(table)});
    std::string text =
        fmt::format("{}: {} → {} after {} step{} (lr {})\n", name, format_number(first),
                    format_number(g.data(d.root)), done, done == 1 ? "" : "s", format_number(lr));
    out.text(text);
    // Stopped early, or the plot fails below: the leaves have moved, so the transcript records
    // the steps taken (without the plot) for :save to rebuild the same state.
    if (interrupted && done > 0)
        session.replay_as(minimize_replay(name_word, leaf_words, done, lr));
    if (interrupted)
        throw Error(
            fmt::format("interrupted after {} of {} steps (the leaves keep the values "
                        "reached)",
                        done, steps));
    LineChart chart;
    chart.title = fmt::format("{} during gradient descent (lr {})", name, format_number(lr));
    chart.x_label = "step";
    chart.y_label = name;
    chart.series.push_back(Series{name, xs, losses});
    if (!plot_file.empty()) {
        try {
            save_line_chart(chart, plot_file);
        } catch (const Error& e) {
            session.replay_as(minimize_replay(name_word, leaf_words, done, lr));
            throw Error(fmt::format("{} (the descent is done: the leaves keep the values reached)",
                                    e.what()),
                        plot_span);
        }
        out.text(fmt::format("wrote {}\n", plot_file));
        detail::report_written(out, plot_file);
    }
    if (plot_inline) {
        const std::string format = shown_plot_format();
        out.picture(Picture{format, line_chart_image(chart, format), chart.title});
    }
}

}  // namespace

void add_descent_commands(Session& session) {
    const ArgSpec name{.name = "NAME", .kind = ArgKind::Node, .help = "the value to lower"};
    const ArgSpec leaves{.name = "LEAF",
                         .kind = ArgKind::Leaf,
                         .help = "the leaves to move (default: every leaf NAME depends on)",
                         .optional = true,
                         .repeated = true};
    session.add_command(
        {.name = "step",
         .summary = "one gradient-descent step on NAME",
         .help = "Backpropagates from NAME, then moves each LEAF (default: every leaf NAME depends "
                 "on)\n"
                 "against its gradient: LEAF.data -= lr * LEAF.grad, and recomputes. Prints each\n"
                 "leaf's gradient, data before and after, and NAME before and after. The "
                 "gradients\n"
                 "stay those of the point before the step. lr may be written lr=X.\n",
         .handler = cmd_step,
         .replay = true,
         .spec = CommandSpec{.args = {name,
                                      {.name = "lr",
                                       .kind = ArgKind::Number,
                                       .help = "the learning rate",
                                       .option = "lr"},
                                      leaves},
                             .options = step_options,
                             .option_noun = ":step option"}});
    session.add_command(
        {.name = "minimize",
         .summary = "gradient descent on NAME for N steps",
         .help = ":step repeated N times (default steps=100, lr=0.01), with a progress line every\n"
                 "tenth of the way, then each leaf's start and end and NAME's first and last "
                 "value.\n"
                 "plot=FILE (.png, .svg or .pdf) draws NAME over the steps (in a notebook, plot "
                 "alone\n"
                 "shows the chart under the cell). Ctrl-C stops after the current step; the "
                 "leaves\n"
                 "keep the values reached. When NAME grows a thousandfold or becomes NaN or\n"
                 "infinite, gradient descent is diverging: it stops with an error and the leaves "
                 "go\n"
                 "back to their start values.\n"
                 "Example:\n  x = 3; L = (x - 1)**2\n  :minimize L steps=50 lr=0.1\n",
         .handler = cmd_minimize,
         .replay = true,
         .spec = CommandSpec{.args = {name, leaves},
                             .options = minimize_options,
                             .option_noun = ":minimize option"}});
}

}  // namespace mgrad
