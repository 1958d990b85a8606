// Gradient descent on a session's graph: :step and :minimize.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <charconv>
#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/plot/plot.hpp"
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

double lr_word(const Word& w) {
    if (w.text.starts_with("lr=")) return number_in(w, 3, "lr");
    return finite_arg(w, "lr");
}

void cmd_step(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 2, 1000000, ":step NAME lr [LEAF…]");
    const double lr = lr_word(args[1]);
    const Descent d = descent_target(session, args[0], args.subspan(2));
    Graph& g = session.graph();
    std::vector<double> before;
    for (NodeId leaf : d.leaves)
        before.push_back(g.data(leaf));
    const double loss = descend(g, d, lr);
    std::vector<std::vector<std::string>> rows{{"leaf", "grad", "before", "after"}};
    for (std::size_t i = 0; i < d.leaves.size(); ++i)
        rows.push_back({session.node_name(d.leaves[i]), format_number(g.grad(d.leaves[i])),
                        format_number(before[i]), format_number(g.data(d.leaves[i]))});
    out.text(render_table(rows, "lrrr") + fmt::format("{}: {} → {}\n", session.node_name(d.root),
                                                      format_number(loss),
                                                      format_number(g.data(d.root))));
}

std::string progress_bar(std::size_t done, std::size_t total) {
    constexpr std::size_t cells = 20;
    const std::size_t full = total == 0 ? cells : done * cells / total;
    return "[" + std::string(full, '#') + std::string(cells - full, '.') + "]";
}

void cmd_minimize(Session& session, std::span<const Word> args, Output& out) {
    constexpr std::string_view usage = ":minimize NAME [LEAF…] [steps=N] [lr=X] [plot=FILE]";
    expect_args(args, 1, 1000000, usage);
    std::size_t steps = 100;
    double lr = 0.01;
    std::string plot_file;
    bool plot_inline = false;  // `plot` alone: the chart is shown, where pictures are shown
    std::vector<Word> leaf_words;
    for (const Word& w : args.subspan(1)) {
        const std::size_t eq = w.text.find('=');
        if (eq == std::string::npos) {
            if (w.text == "plot" && out.shows_pictures()) {
                plot_inline = true;
            } else if (w.text == "plot" && !session.lookup("plot")) {
                throw Error("plot needs a file here: plot=FILE (.png, .svg or .pdf)", w.span);
            } else {
                leaf_words.push_back(w);
            }
            continue;
        }
        const std::string_view key = std::string_view(w.text).substr(0, eq);
        if (key == "steps") {
            const std::string_view v = std::string_view(w.text).substr(eq + 1);
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), steps);
            if (ec != std::errc{} || p != v.data() + v.size() || steps == 0 || steps > 10000000)
                throw Error(fmt::format("steps must be a whole number from 1 to 10000000, not "
                                        "'{}'",
                                        v),
                            w.span);
        } else if (key == "lr") {
            lr = number_in(w, eq + 1, "lr");
        } else if (key == "plot") {
            plot_file = w.text.substr(eq + 1);
            if (plot_file.empty()) throw Error("plot= needs a file name", w.span);
            if (!can_plot(plot_file))
                throw Error(fmt::format("cannot plot to '{}': use .png, .svg or .pdf", plot_file),
                            w.span);
        } else {
            throw Error(fmt::format("unknown option '{}'; usage: {}", key, usage), w.span);
        }
    }
    const Descent d = descent_target(session, args[0], leaf_words);
    Graph& g = session.graph();
    std::vector<double> start;
    for (NodeId leaf : d.leaves)
        start.push_back(g.data(leaf));
    const std::string name = session.node_name(d.root);
    const double first = g.data(d.root);
    std::vector<double> xs, losses;
    const std::size_t every = std::max<std::size_t>(1, (steps + 9) / 10);
    std::size_t done = 0;
    bool interrupted = false;
    for (; done < steps; ++done) {
        if (session.interrupted()) {
            interrupted = true;
            break;
        }
        const double loss = descend(g, d, lr);
        xs.push_back(static_cast<double>(done));
        losses.push_back(loss);
        if (!std::isfinite(loss) || !std::isfinite(g.data(d.root))) {
            const double bad = std::isfinite(loss) ? g.data(d.root) : loss;
            // A diverged run is of no use: the leaves go back to where they started.
            for (std::size_t i = 0; i < d.leaves.size(); ++i)
                g.set_data(d.leaves[i], start[i]);
            g.forward();
            throw Error(
                fmt::format("{} became {} at step {}: try a smaller lr than {} (the "
                            "leaves are back at their start values)",
                            name, format_number(bad), done + 1, format_number(lr)));
        }
        session.progress();  // a live view follows the descent
        if ((done + 1) % every == 0 || done + 1 == steps)
            out.text(fmt::format("{} {:>{}}/{}  {} = {}\n", progress_bar(done + 1, steps), done + 1,
                                 fmt::formatted_size("{}", steps), steps, name,
                                 format_number(g.data(d.root))));
    }
    xs.push_back(static_cast<double>(done));
    losses.push_back(g.data(d.root));
    std::vector<std::vector<std::string>> rows{{"leaf", "start", "end"}};
    for (std::size_t i = 0; i < d.leaves.size(); ++i)
        rows.push_back({session.node_name(d.leaves[i]), format_number(start[i]),
                        format_number(g.data(d.leaves[i]))});
    std::string text = render_table(rows, "lrr");
    text +=
        fmt::format("{}: {} → {} after {} step{} (lr {})\n", name, format_number(first),
                    format_number(g.data(d.root)), done, done == 1 ? "" : "s", format_number(lr));
    LineChart chart;
    chart.title = fmt::format("{} during gradient descent (lr {})", name, format_number(lr));
    chart.x_label = "step";
    chart.y_label = name;
    chart.series.push_back(Series{name, xs, losses});
    if (!plot_file.empty()) {
        save_line_chart(chart, plot_file);
        text += fmt::format("wrote {}\n", plot_file);
    }
    out.text(text);
    if (!plot_file.empty()) detail::report_written(out, plot_file);
    if (plot_inline) out.picture(Picture{"png", line_chart_image(chart, "png"), chart.title});
    if (interrupted)
        throw Error(
            fmt::format("interrupted after {} of {} steps (the leaves keep the values "
                        "reached)",
                        done, steps));
}

}  // namespace

void add_descent_commands(Session& session) {
    session.add_command(
        {"step", ":step NAME lr [LEAF…]", "one gradient-descent step on NAME",
         "Backpropagates from NAME, then moves each LEAF (default: every leaf NAME depends on)\n"
         "against its gradient: LEAF.data -= lr * LEAF.grad, and recomputes. Prints each\n"
         "leaf's gradient, data before and after, and NAME before and after. The gradients\n"
         "stay those of the point before the step. lr may be written lr=X.\n",
         cmd_step, true});
    session.add_command(
        {"minimize", ":minimize NAME [LEAF…] steps=N lr=X", "gradient descent on NAME for N steps",
         ":step repeated N times (default steps=100, lr=0.01), with a progress line every\n"
         "tenth of the way, then each leaf's start and end and NAME's first and last value.\n"
         "plot=FILE (.png, .svg or .pdf) draws NAME over the steps (in a notebook, plot alone\n"
         "shows the chart under the cell). Ctrl-C stops after the current step; the leaves\n"
         "keep the values reached. A NaN or infinite NAME stops it with an error.\n"
         "Example:\n  x = 3; L = (x - 1)**2\n  :minimize L steps=50 lr=0.1\n",
         cmd_minimize, true});
}

}  // namespace mgrad
