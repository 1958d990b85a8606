// The gradient lab: grad(f, x), :check, :set, :nudge, :step, :minimize, :plot, :trace and
// :export torch (see explore.hpp and docs/commands.md).
#include "mgrad/explore.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_util.hpp"
#include "mgrad/derivative.hpp"
#include "mgrad/number.hpp"
#include "mgrad/plot.hpp"
#include "mgrad/render.hpp"
#include "mgrad/session.hpp"
#include "mgrad/value.hpp"

namespace mgrad {

namespace {

// --- small helpers ---------------------------------------------------------------------------

using detail::expect_args;
using detail::node_arg;
using detail::render_table;

/// A bound name whose node is a leaf (an input the user set), for commands that change data.
NodeId leaf_arg(Session& session, const Word& w) {
    const NodeId id = node_arg(session, w);
    const Op op = session.graph().op(id);
    if (!is_leaf(op))
        throw Error(fmt::format("'{}' is computed ({}), not a leaf: only a leaf's data can change",
                                w.text, op_info(op).name),
                    w.span);
    return id;
}

/// A number word (the language's literal rules) that must be finite.
double finite_arg(const Word& w, std::string_view what) {
    const double v = number_arg(w);
    if (!std::isfinite(v))
        throw Error(fmt::format("{} must be a finite number, not '{}'", what, w.text), w.span);
    return v;
}

/// A part of a word (e.g. the 0.1 of `lr=0.1`) as a number, with a span pointing at it.
double number_in(const Word& w, std::size_t offset, std::string_view what) {
    Word part{w.text.substr(offset), w.span};
    part.span.offset += static_cast<std::uint32_t>(offset);
    part.span.column += static_cast<std::uint32_t>(offset);
    part.span.length -= static_cast<std::uint32_t>(std::min<std::size_t>(offset, w.span.length));
    if (part.text.empty()) throw Error(fmt::format("{} needs a number", what), w.span);
    return finite_arg(part, what);
}

/// Everything `root` depends on (root included), by node id.
std::vector<bool> ancestors(const Graph& g, NodeId root) {
    std::vector<bool> wanted(static_cast<std::size_t>(root) + 1, false);
    wanted[root] = true;
    for (NodeId id = root + 1; id-- > 0;)
        if (wanted[id])
            for (NodeId p : g.parents(id))
                wanted[p] = true;
    return wanted;
}

/// The Leaf nodes (not constants) `root` depends on, in the order they were made.
std::vector<NodeId> leaves_of(const Graph& g, NodeId root) {
    const std::vector<bool> wanted = ancestors(g, root);
    std::vector<NodeId> out;
    for (NodeId id = 0; id <= root; ++id)
        if (wanted[id] && g.node(id).op == Op::Leaf) out.push_back(id);
    return out;
}

/// The most recently made node that has a name: what `L` usually is.
std::optional<NodeId> latest_named(const Session& session) {
    std::optional<NodeId> best;
    for (const auto& name : session.names()) {
        const NodeId id = *session.lookup(name);
        if (!best || id > *best) best = id;
    }
    return best;
}

/// Puts every gradient back as it was when constructed: the lab commands that only look
/// (:check, :nudge) leave the session's gradients alone.
class GradSnapshot {
  public:
    explicit GradSnapshot(Graph& g) : m_graph(g) {
        m_grads.reserve(g.size());
        for (const Node& n : g.nodes())
            m_grads.push_back(n.grad);
    }
    GradSnapshot(const GradSnapshot&) = delete;
    GradSnapshot& operator=(const GradSnapshot&) = delete;
    ~GradSnapshot() {
        const auto n = static_cast<NodeId>(std::min<std::size_t>(m_grads.size(), m_graph.size()));
        for (NodeId id = 0; id < n; ++id)
            m_graph.set_grad(id, m_grads[id]);
    }

  private:
    Graph& m_graph;
    std::vector<double> m_grads;
};

/// Puts a leaf's data back (and recomputes downstream) however the command ends.
class DataRestore {
  public:
    DataRestore(Graph& g, NodeId leaf) : m_graph(g), m_leaf(leaf), m_data(g.data(leaf)) {}
    DataRestore(const DataRestore&) = delete;
    DataRestore& operator=(const DataRestore&) = delete;
    ~DataRestore() {
        m_graph.set_data(m_leaf, m_data);
        m_graph.forward();
    }

  private:
    Graph& m_graph;
    NodeId m_leaf;
    double m_data;
};

/// The gradient of `root` with respect to every node, without touching the session's.
std::vector<double> fresh_gradients(Graph& g, NodeId root) {
    GradSnapshot keep(g);
    g.zero_grad();
    g.backward(root);
    std::vector<double> out;
    out.reserve(g.size());
    for (const Node& n : g.nodes())
        out.push_back(n.grad);
    return out;
}

std::string short_sci(double v) {
    if (!std::isfinite(v)) return format_number(v);
    return fmt::format("{:.1e}", v);
}

// --- grad(f, x) --------------------------------------------------------------------------------

Operand fn_grad(Session& session, std::span<const Operand> args, SourceSpan span) {
    const auto* x = std::get_if<NodeId>(&args[1]);
    if (!x)
        throw Error("grad(f, x): x must be a node (a name such as x), not a plain number", span);
    const auto* f = std::get_if<NodeId>(&args[0]);
    if (!f) return 0.0;  // a plain number does not depend on anything
    Graph& g = session.graph();
    g.forward();
    return grad(Value::from_id(g, *f), Value::from_id(g, *x)).id();
}

// --- :check ----------------------------------------------------------------------------------

// The tolerance of torch.autograd.gradcheck: |backprop - numeric| <= atol + rtol * |numeric|.
constexpr double check_atol = 1e-5;
constexpr double check_rtol = 1e-3;
constexpr double check_h = 1e-6;

void cmd_check(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 1, 2, ":check NAME [h]");
    const NodeId root = node_arg(session, args[0]);
    double h = check_h;
    if (args.size() == 2) {
        h = finite_arg(args[1], "h");
        if (h <= 0)
            throw Error(fmt::format("h must be positive, not '{}'", args[1].text), args[1].span);
    }
    Graph& g = session.graph();
    g.forward();
    const std::vector<NodeId> leaves = leaves_of(g, root);
    if (leaves.empty()) {
        out.text(fmt::format("{} depends on no leaf: nothing to check\n", session.node_name(root)));
        return;
    }
    const std::vector<double> backprop = fresh_gradients(g, root);
    std::vector<std::vector<std::string>> rows{
        {"leaf", "backprop", "numeric", "abs error", "rel error", ""}};
    std::size_t failed = 0;
    for (NodeId leaf : leaves) {
        // Two forward passes per leaf: a large network can take a while.
        if (session.interrupted())
            throw Error(
                fmt::format("interrupted after {} of {} leaves", rows.size() - 1, leaves.size()));
        const double x0 = g.data(leaf);
        double plus = 0, minus = 0;
        {
            DataRestore restore(g, leaf);
            g.set_data(leaf, x0 + h);
            plus = g.data(root);
            g.set_data(leaf, x0 - h);
            minus = g.data(root);
        }
        const double numeric = (plus - minus) / (2 * h);
        const double bp = backprop[leaf];
        const double abs_err = std::fabs(bp - numeric);
        const double rel_err = abs_err / std::max({std::fabs(bp), std::fabs(numeric), 1e-300});
        const bool ok = abs_err <= check_atol + check_rtol * std::fabs(numeric);
        if (!ok) ++failed;
        rows.push_back({session.node_name(leaf), format_number(bp), format_number(numeric),
                        short_sci(abs_err), bp == numeric ? "0" : short_sci(rel_err),
                        ok ? "ok" : "FAIL"});
    }
    std::string text = render_table(rows, "lrrrrl");
    const std::string name = session.node_name(root);
    if (failed == 0) {
        text += fmt::format("{} gradient{} of {} match{} central differences (h = {})\n",
                            leaves.size() == 1 ? "the" : fmt::format("all {}", leaves.size()),
                            leaves.size() == 1 ? "" : "s", name, leaves.size() == 1 ? "es" : "",
                            format_number(h));
        out.text(text);
        return;
    }
    out.text(text);
    throw Error(fmt::format(
        "{} of {} gradient{} of {} differ{} from central differences (h = {}; allowed: "
        "{} + {} * |numeric|)",
        failed, leaves.size(), leaves.size() == 1 ? "" : "s", name, failed == 1 ? "s" : "",
        format_number(h), format_number(check_atol), format_number(check_rtol)));
}

// --- :set ------------------------------------------------------------------------------------

/// Sets a leaf and prints each named node whose data changed.
void set_and_show(Session& session, NodeId leaf, double value, Output& out) {
    Graph& g = session.graph();
    g.forward();
    std::vector<double> before;
    before.reserve(g.size());
    for (const Node& n : g.nodes())
        before.push_back(n.data);
    g.set_data(leaf, value);
    g.forward();
    std::vector<std::vector<std::string>> rows{{"node", "before", "after"}};
    bool stale_grads = false;
    for (NodeId id = leaf + 1; id < g.size(); ++id) {
        const double now = g.data(id);
        const double was = before[id];
        stale_grads = stale_grads || g.grad(id) != 0.0;
        if (g.label(id).empty() || now == was || (std::isnan(now) && std::isnan(was))) continue;
        rows.push_back({session.node_name(id), format_number(was), format_number(now)});
    }
    std::string text = fmt::format("{}: {} → {}\n", session.node_name(leaf),
                                   format_number(before[leaf]), format_number(value));
    if (rows.size() == 1)
        text += "no named node changed\n";
    else
        text += render_table(rows, "lrr");
    if (stale_grads) text += "(gradients are from before the change: run :backward again)\n";
    out.text(text);
}

void cmd_set(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 2, 2, ":set LEAF VALUE");
    const NodeId leaf = leaf_arg(session, args[0]);
    set_and_show(session, leaf, number_arg(args[1]), out);
}

// --- :nudge ----------------------------------------------------------------------------------

void cmd_nudge(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 2, 3, ":nudge LEAF h [NAME]");
    const NodeId leaf = leaf_arg(session, args[0]);
    const double h = finite_arg(args[1], "h");
    Graph& g = session.graph();
    NodeId target = leaf;
    if (args.size() == 3) {
        target = node_arg(session, args[2]);
    } else {
        // The newest named node that depends on LEAF: one upward sweep marks them all.
        std::vector<bool> downstream(g.size(), false);
        downstream[leaf] = true;
        for (NodeId id = leaf + 1; id < g.size(); ++id)
            for (NodeId p : g.parents(id))
                if (downstream[p]) downstream[id] = true;
        for (const auto& name : session.names()) {
            const NodeId id = *session.lookup(name);
            if (id != leaf && downstream[id] && (target == leaf || id > target)) target = id;
        }
        if (target == leaf)
            throw Error(fmt::format("no named node depends on '{}'; name one: :nudge {} {} NAME",
                                    args[0].text, args[0].text, args[1].text),
                        args[0].span);
    }
    const std::vector<double> grads = fresh_gradients(g, target);
    const double slope = grads[leaf];
    const double x0 = g.data(leaf);
    const double y0 = g.data(target);
    double y1 = 0, x1 = 0;
    {
        DataRestore restore(g, leaf);
        g.set_data(leaf, x0 + h);
        x1 = g.data(leaf);
        y1 = g.data(target);
    }
    const std::string ln = session.node_name(leaf), tn = session.node_name(target);
    const double moved = y1 - y0;
    const double predicted = slope * h;
    std::string text = fmt::format("{}: {} → {}  (by {})\n", ln, format_number(x0),
                                   format_number(x1), format_number(h));
    text += fmt::format("{}: {} → {}  (moved {})\n", tn, format_number(y0), format_number(y1),
                        format_number(moved));
    text += fmt::format("the gradient predicted d{}/d{} * h = {} * {} = {}  (off by {})\n", tn, ln,
                        format_number(slope), format_number(h), format_number(predicted),
                        short_sci(moved - predicted));
    text += fmt::format("{} is back at {}\n", ln, format_number(x0));
    out.text(text);
}

// --- :step and :minimize -----------------------------------------------------------------------

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
    std::vector<Word> leaf_words;
    for (const Word& w : args.subspan(1)) {
        const std::size_t eq = w.text.find('=');
        if (eq == std::string::npos) {
            leaf_words.push_back(w);
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
    if (!plot_file.empty()) {
        LineChart chart;
        chart.title = fmt::format("{} during gradient descent (lr {})", name, format_number(lr));
        chart.x_label = "step";
        chart.y_label = name;
        chart.series.push_back(Series{name, xs, losses});
        save_line_chart(chart, plot_file);
        text += fmt::format("wrote {}\n", plot_file);
    }
    out.text(text);
    if (interrupted)
        throw Error(
            fmt::format("interrupted after {} of {} steps (the leaves keep the values "
                        "reached)",
                        done, steps));
}

// --- :plot -----------------------------------------------------------------------------------

/// Collects the first error of a scratch session, as a plain message.
class CaptureOutput : public Output {
  public:
    void text(std::string_view) override {}
    void diagnostic(Severity severity, std::string_view formatted) override {
        if (severity != Severity::Error || m_error) return;
        std::string_view line = formatted.substr(0, formatted.find('\n'));
        constexpr std::string_view marker = ": error: ";
        if (const auto at = line.find(marker); at != std::string_view::npos)
            line.remove_prefix(at + marker.size());
        m_error = std::string(line);
    }
    void result(const Result&) override {}
    [[nodiscard]] const std::optional<std::string>& error() const { return m_error; }

  private:
    std::optional<std::string> m_error;
};

struct Range {
    std::string var;
    double lo = 0, hi = 1;
};

std::optional<Range> parse_range(const Word& w) {
    const std::size_t eq = w.text.find('=');
    const std::size_t dots = w.text.find("..");
    if (eq == std::string::npos || dots == std::string::npos || dots < eq || eq == 0)
        return std::nullopt;
    const std::string var = w.text.substr(0, eq);
    const bool ident =
        std::all_of(
            var.begin(), var.end(),
            [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) &&
        !std::isdigit(static_cast<unsigned char>(var[0]));
    if (!ident) return std::nullopt;
    Range r;
    r.var = var;
    Word lo{w.text.substr(eq + 1, dots - eq - 1), w.span};
    if (lo.text.empty()) throw Error("the range needs a start: x=A..B", w.span);
    r.lo = finite_arg(lo, "the start of the range");
    r.hi = number_in(w, dots + 2, "the end of the range");
    if (!(r.lo < r.hi))
        throw Error(fmt::format("the range {}={}..{} is empty: the start must be below the end",
                                var, format_number(r.lo), format_number(r.hi)),
                    w.span);
    return r;
}

struct Samples {
    std::vector<double> x, y, dy;
};

/// f and df/dvar at n points of the range, by evaluating `expr` in a session of its own. The
/// names of `session` are visible as leaves with their current data.
Samples sample(Session& session, const std::string& expr, const Range& range, std::size_t n,
               SourceSpan span) {
    CaptureOutput capture;
    Session scratch(capture);
    Graph& sg = scratch.graph();
    session.graph().forward();
    for (const auto& name : session.names())
        if (name != range.var)
            scratch.bind(name, sg.leaf(session.graph().data(*session.lookup(name))));
    const NodeId x = sg.leaf(range.lo);
    scratch.bind(range.var, x);
    // `f` may appear in expr: it is read before it is rebound, so any name would do.
    if (!scratch.run("<plot>", fmt::format("f = {}", expr)))
        throw Error(fmt::format("cannot plot '{}': {}", expr, capture.error().value_or("error")),
                    span);
    const NodeId f = *scratch.lookup("f");
    Samples s;
    for (std::size_t i = 0; i < n; ++i) {
        const double xv = i + 1 == n ? range.hi
                                     : range.lo + (range.hi - range.lo) * static_cast<double>(i) /
                                                      static_cast<double>(n - 1);
        sg.set_data(x, xv);
        sg.zero_grad();
        sg.backward(f);
        s.x.push_back(xv);
        s.y.push_back(sg.data(f));
        s.dy.push_back(f == x ? 1.0 : sg.grad(x));
    }
    return s;
}

std::string axis_number(double v) { return fmt::format("{:.4g}", v); }

/// A character plot of f (`*`) and f' (`+`); `#` where they meet.
std::string text_plot(const Samples& s, const Range& range, const std::string& expr) {
    constexpr std::size_t rows = 15;
    const std::size_t cols = s.x.size();
    double lo = INFINITY, hi = -INFINITY;
    for (const auto* series : {&s.y, &s.dy})
        for (double v : *series)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!(lo <= hi))
        throw Error(fmt::format("'{}' is not finite anywhere on {}={}..{}", expr, range.var,
                                format_number(range.lo), format_number(range.hi)));
    if (!std::isfinite(hi - lo))
        throw Error(fmt::format("'{}' spans {} to {} on this range: too wide to draw", expr,
                                format_number(lo), format_number(hi)));
    if (lo == hi) {
        lo -= 1;
        hi += 1;
    }
    std::vector<std::string> grid(rows, std::string(cols, ' '));
    auto row_of = [&](double v) {
        const double t = (hi - v) / (hi - lo) * static_cast<double>(rows - 1);
        return static_cast<std::size_t>(std::lround(t));
    };
    if (lo < 0 && hi > 0) grid[row_of(0.0)].assign(cols, '-');
    for (std::size_t c = 0; c < cols; ++c) {
        if (std::isfinite(s.dy[c])) grid[row_of(s.dy[c])][c] = '+';
        if (std::isfinite(s.y[c])) {
            char& cell = grid[row_of(s.y[c])][c];
            cell = cell == '+' ? '#' : '*';
        }
    }
    const std::string top = axis_number(hi), bottom = axis_number(lo);
    const std::size_t margin = std::max(top.size(), bottom.size());
    std::string out;
    for (std::size_t r = 0; r < rows; ++r) {
        std::string label = r == 0 ? top : r + 1 == rows ? bottom : "";
        std::string line = std::string(margin - label.size(), ' ') + label + " |" + grid[r];
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    const std::string left = axis_number(range.lo), right = axis_number(range.hi);
    out += std::string(margin + 1, ' ') + "+" + std::string(cols, '-') + "\n";
    std::string xs = std::string(margin + 2, ' ') + left;
    const std::size_t end = margin + 2 + cols;
    if (xs.size() + 2 + right.size() <= end)
        xs += std::string(end - xs.size() - right.size(), ' ');
    else
        xs += "  ";
    xs += right;
    out += xs + fmt::format("   {}\n", range.var);
    out +=
        fmt::format("* f({}) = {}    + f'({}) by backprop    # both\n", range.var, expr, range.var);
    const auto missing = static_cast<std::size_t>(
        std::count_if(s.y.begin(), s.y.end(), [](double v) { return !std::isfinite(v); }));
    if (missing > 0)
        out += fmt::format("(f is NaN or infinite at {} of {} points; they are not drawn)\n",
                           missing, s.y.size());
    return out;
}

void cmd_plot(Session& session, std::span<const Word> args, Output& out) {
    constexpr std::string_view usage = ":plot EXPR x=A..B [FILE]";
    expect_args(args, 1, 1000000, usage);
    // EXPR may contain blanks: it is every word before the range.
    std::size_t at = 0;
    std::optional<Range> range;
    for (; at < args.size(); ++at)
        if ((range = parse_range(args[at]))) break;
    if (!range) throw Error(fmt::format("missing the range x=A..B; usage: {}", usage));
    if (at == 0) throw Error(fmt::format("missing the expression; usage: {}", usage), args[0].span);
    if (args.size() > at + 2)
        throw Error(fmt::format("too many arguments; usage: {}", usage), args[at + 2].span);
    std::string expr;
    for (std::size_t i = 0; i < at; ++i)
        expr += (i ? " " : "") + args[i].text;
    SourceSpan expr_span = args[0].span;
    expr_span.length = args[at - 1].span.offset + args[at - 1].span.length - args[0].span.offset;
    if (args.size() == at + 2) {
        const Word& file = args[at + 1];
        if (!can_plot(file.text))
            throw Error(fmt::format("cannot plot to '{}': use .png, .svg or .pdf", file.text),
                        file.span);
        const Samples s = sample(session, expr, *range, 401, expr_span);
        LineChart chart;
        chart.title = fmt::format("f({}) = {} and its derivative", range->var, expr);
        chart.x_label = range->var;
        chart.series.push_back(Series{fmt::format("f({})", range->var), s.x, s.y});
        chart.series.push_back(Series{fmt::format("f'({}) by backprop", range->var), s.x, s.dy});
        save_line_chart(chart, file.text);
        out.text(fmt::format("wrote {}\n", file.text));
        return;
    }
    const Samples s = sample(session, expr, *range, 61, expr_span);
    out.text(text_plot(s, *range, expr));
}

// --- :trace ----------------------------------------------------------------------------------

/// One chain-rule update of a backward pass: `to.grad += formula = numbers = value`.
struct Update {
    NodeId to;
    std::string formula, numbers;
    double value;
};

/// The updates node `id` sends to its parents, computed as Graph::backward computes them.
std::vector<Update> updates_of(Session& session, NodeId id) {
    Graph& g = session.graph();
    const Node& n = g.node(id);
    const std::string N = session.node_name(id);
    const std::string A = n.a != no_node ? session.node_name(n.a) : "";
    const bool binary = op_info(n.op).arity == 2;
    const std::string B = binary ? session.node_name(n.b) : "";
    const double gr = n.grad;
    const double y = n.data;
    const double xa = n.a != no_node ? g.node(n.a).data : 0.0;
    const double xb = binary ? g.node(n.b).data : 0.0;
    const std::string G = format_number(gr);
    auto num = [](double v) { return format_number(v); };
    auto base = [](double v) {  // a negative base needs parentheses before **
        const std::string s = format_number(v);
        return v < 0 ? "(" + s + ")" : s;
    };
    std::vector<Update> u;
    switch (n.op) {
        case Op::Leaf:
        case Op::Const: break;
        case Op::Add:
            u.push_back({n.a, N + ".grad", G, gr});
            u.push_back({n.b, N + ".grad", G, gr});
            break;
        case Op::Sub:
            u.push_back({n.a, N + ".grad", G, gr});
            u.push_back({n.b, "-" + N + ".grad", "-" + num(gr), -gr});
            break;
        case Op::Mul:
            u.push_back({n.a, B + ".data * " + N + ".grad", num(xb) + " * " + num(gr), gr * xb});
            u.push_back({n.b, A + ".data * " + N + ".grad", num(xa) + " * " + num(gr), gr * xa});
            break;
        case Op::Div:
            u.push_back({n.a, N + ".grad / " + B + ".data", num(gr) + " / " + num(xb), gr / xb});
            u.push_back({n.b, "-" + N + ".grad * (" + N + ".data / " + B + ".data)",
                         "-" + num(gr) + " * (" + num(y) + " / " + num(xb) + ")", -gr * (y / xb)});
            break;
        case Op::Neg: u.push_back({n.a, "-" + N + ".grad", "-" + num(gr), -gr}); break;
        case Op::PowConst: {
            const double k = g.exponent(id);
            const std::string K = format_number(k), K1 = format_number(k - 1.0);
            u.push_back({n.a, fmt::format("{} * {}.data**{} * {}.grad", K, A, K1, N),
                         fmt::format("{} * {}**{} * {}", num(k), base(xa), num(k - 1.0), num(gr)),
                         k == 0.0 ? 0.0 : gr * (k * detail::pow_const(xa, k - 1.0))});
            break;
        }
        case Op::Pow:
            u.push_back({n.a,
                         fmt::format("{0}.data * {1}.data**({0}.data - 1) * {2}.grad", B, A, N),
                         fmt::format("{} * {}**({} - 1) * {}", num(xb), base(xa), num(xb), num(gr)),
                         xb == 0.0 ? 0.0 : gr * (xb * std::pow(xa, xb - 1.0))});
            u.push_back({n.b, fmt::format("{}.data * log({}.data) * {}.grad", N, A, N),
                         fmt::format("{} * log({}) * {}", num(y), num(xa), num(gr)),
                         (xa == 0.0 && xb >= 0.0) ? 0.0 : gr * (y * std::log(xa))});
            break;
        case Op::Tanh:
            u.push_back({n.a, fmt::format("(1 - {}.data**2) * {}.grad", N, N),
                         fmt::format("(1 - {}**2) * {}", base(y), num(gr)), gr * (1.0 - y * y)});
            break;
        case Op::Exp:
            u.push_back({n.a, fmt::format("{}.data * {}.grad", N, N),
                         fmt::format("{} * {}", num(y), num(gr)), gr * y});
            break;
        case Op::Log:
            u.push_back({n.a, fmt::format("{}.grad / {}.data", N, A),
                         fmt::format("{} / {}", num(gr), num(xa)), gr / xa});
            break;
        case Op::Relu:
            u.push_back({n.a, fmt::format("({}.data > 0) * {}.grad", N, N),
                         fmt::format("{} * {}", y > 0.0 ? 1 : 0, num(gr)), y > 0.0 ? gr : 0.0});
            break;
        case Op::Sigmoid:
            u.push_back({n.a, fmt::format("{0}.grad * (1 - {1}.data) * {1}.data", N, N),
                         fmt::format("{} * (1 - {}) * {}", num(gr), num(y), num(y)),
                         gr * (1.0 - y) * y});
            break;
        case Op::Sqrt:
            u.push_back({n.a, fmt::format("{}.grad / (2 * {}.data)", N, N),
                         fmt::format("{} / (2 * {})", num(gr), num(y)), gr / (2.0 * y)});
            break;
        case Op::Abs:
            u.push_back({n.a, fmt::format("sign({}.data) * {}.grad", A, N),
                         fmt::format("{} * {}",
                                     xa > 0.0   ? 1
                                     : xa < 0.0 ? -1
                                                : 0,
                                     num(gr)),
                         xa > 0.0   ? gr
                         : xa < 0.0 ? -gr
                                    : 0.0 * gr});
            break;
        case Op::Sin:
            u.push_back({n.a, fmt::format("cos({}.data) * {}.grad", A, N),
                         fmt::format("cos({}) * {}", num(xa), num(gr)), gr * std::cos(xa)});
            break;
        case Op::Cos:
            u.push_back({n.a, fmt::format("-sin({}.data) * {}.grad", A, N),
                         fmt::format("-sin({}) * {}", num(xa), num(gr)), gr * -std::sin(xa)});
            break;
        case Op::Step:
        case Op::Sign:
            u.push_back({n.a, fmt::format("0 * {}.grad", N), fmt::format("0 * {}", num(gr)), 0.0});
            break;
        case Op::MulAdd: {  // a*b + c: the Mul's two updates and the Add's
            const std::string MB = session.node_name(n.b);
            const double mb = g.node(n.b).data;
            u.push_back({n.a, MB + ".data * " + N + ".grad", num(mb) + " * " + num(gr), gr * mb});
            u.push_back({n.b, A + ".data * " + N + ".grad", num(xa) + " * " + num(gr), gr * xa});
            u.push_back({n.c, N + ".grad", G, gr});
            break;
        }
    }
    return u;
}

constexpr std::size_t max_trace_frames = 400;

void cmd_trace(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 1, 2, ":trace NAME [DIR]");
    const NodeId root = node_arg(session, args[0]);
    Graph& g = session.graph();
    g.forward();
    const std::vector<bool> wanted = ancestors(g, root);
    std::size_t total = 0;
    for (NodeId id = 0; id <= root; ++id)
        if (wanted[id]) total += g.parents(id).size();
    std::filesystem::path dir;
    if (args.size() == 2) {
        if (total + 1 > max_trace_frames)
            throw Error(
                fmt::format("the backward pass of '{}' has {} updates; :trace draws at most "
                            "{} frames (use :trace {} without DIR to list them)",
                            args[0].text, total, max_trace_frames - 1, args[0].text),
                args[1].span);
        dir = args[1].text;
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec || !std::filesystem::is_directory(dir))
            throw Error(fmt::format("cannot make the directory '{}': {}", args[1].text,
                                    ec ? ec.message() : "a file has that name"),
                        args[1].span);
    }
    // The pass itself, on the session's graph, so the frames show the gradients so far.
    g.zero_grad();
    g.set_grad(root, 1.0);
    std::size_t frame = 0;
    const std::string name = session.node_name(root);
    auto draw_frame = [&](NodeId current) {
        if (dir.empty()) return;
        DrawOptions options;
        options.highlight = current;
        options.highlight_legend = current == root ? "where the pass starts" : "grad just updated";
        draw(g, root, dir / fmt::format("{}-{:03}.svg", name, frame), options);
        ++frame;
    };
    std::string text = fmt::format("{}.grad = 1\n", name);
    draw_frame(root);
    for (NodeId id = root + 1; id-- > 0;) {
        if (!wanted[id]) continue;
        for (const Update& u : updates_of(session, id)) {
            const double before = g.grad(u.to);
            g.set_grad(u.to, before + u.value);
            const std::string to = session.node_name(u.to);
            std::string line = fmt::format("{}.grad += {} = {}", to, u.formula, u.numbers);
            if (u.numbers != format_number(u.value)) line += " = " + format_number(u.value);
            if (before != 0.0) line += fmt::format("  (now {})", format_number(g.grad(u.to)));
            text += line + "\n";
            draw_frame(u.to);
        }
    }
    // The real backward pass, so the session ends exactly as after :backward NAME.
    session.backward(root);
    if (!dir.empty())
        text += fmt::format("wrote {} frames to {}/{}-000.svg … {}-{:03}.svg\n", frame,
                            args[1].text, name, name, frame - 1);
    out.text(text);
}

// --- :export torch ------------------------------------------------------------------------------

std::string py_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string py_number(double v) { return "float(\"" + format_number(v) + "\")"; }

void cmd_export(Session& session, std::span<const Word> args, Output& out) {
    expect_args(args, 2, 3, ":export torch FILE [NAME]");
    if (args[0].text != "torch")
        throw Error(
            fmt::format("unknown export format '{}' (the one format is 'torch')", args[0].text),
            args[0].span);
    NodeId root = 0;
    if (args.size() == 3) {
        root = node_arg(session, args[2]);
    } else {
        const auto latest = latest_named(session);
        if (!latest) throw Error("nothing to export yet: bind a name first (a = 2)");
        root = *latest;
    }
    const std::string script = torch_script(session, root);
    const std::string& path = args[1].text;
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file)
        throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)), args[1].span);
    file << script;
    file.flush();
    if (!file) throw Error(fmt::format("cannot write '{}'", path), args[1].span);
    out.text(fmt::format("wrote {} (run it with python3 {})\n", path, path));
}

}  // namespace

std::string torch_script(Session& session, NodeId root) {
    Graph& g = session.graph();
    g.forward();
    const std::vector<bool> wanted = ancestors(g, root);
    const std::string name = session.node_name(root);
    std::string s = fmt::format(
        "#!/usr/bin/env python3\n"
        "# The mgrad graph of {0}, rebuilt in PyTorch (float64) by mgrad's ':export torch'.\n"
        "# It backpropagates from {0} and prints the named nodes as ':grad {0}' prints them\n"
        "# after ':backward {0}', in the same number format, so the two can be compared.\n"
        "import sys\n\n"
        "try:\n"
        "    import torch\n"
        "except ImportError:\n"
        "    sys.exit(\"this script needs PyTorch (Debian package python3-torch)\")\n\n\n"
        "def leaf(x):\n"
        "    return torch.tensor(x, dtype=torch.float64, requires_grad=True)\n\n\n"
        "def keep(t):\n"
        "    # gradients of intermediate tensors are kept only when asked for\n"
        "    if t.requires_grad and t.grad_fn is not None:\n"
        "        t.retain_grad()\n"
        "    return t\n\n\n"
        "def number(x):\n"
        "    # mgrad's format: Python's repr of a float, without the .0 of integral values\n"
        "    text = repr(float(x))\n"
        "    return text[:-2] if text.endswith(\".0\") else text\n\n\n",
        name);
    std::vector<std::pair<std::string, NodeId>> named;
    for (NodeId id = 0; id <= root; ++id) {
        if (!wanted[id]) continue;
        const Node& n = g.node(id);
        const std::string a = fmt::format("n{}", n.a), b = fmt::format("n{}", n.b);
        std::string e;
        switch (n.op) {
            case Op::Leaf:
            case Op::Const: e = fmt::format("leaf({})", py_number(n.data)); break;
            case Op::Add: e = a + " + " + b; break;
            case Op::Sub: e = a + " - " + b; break;
            case Op::Mul: e = a + " * " + b; break;
            case Op::Div: e = a + " / " + b; break;
            case Op::Neg: e = "-" + a; break;
            case Op::PowConst: e = fmt::format("{} ** {}", a, py_number(g.exponent(id))); break;
            case Op::Pow: e = fmt::format("torch.pow({}, {})", a, b); break;
            case Op::Step: e = fmt::format("torch.relu(torch.sign({}))", a); break;
            case Op::MulAdd: e = fmt::format("{} * {} + n{}", a, b, n.c); break;
            default: e = fmt::format("torch.{}({})", op_info(n.op).name, a); break;
        }
        if (!is_leaf(n.op)) e = "keep(" + e + ")";
        std::string comment;
        if (!g.label(id).empty()) {
            comment = "  # " + std::string(g.label(id));
            named.emplace_back(g.label(id), id);
        }
        s += fmt::format("n{} = {}{}\n", id, e, comment);
    }
    s += fmt::format("\nn{}.backward()\n\nnamed = [\n", root);
    for (const auto& [label, id] : named)
        s += fmt::format("    ({}, n{}),\n", py_string(label), id);
    s += "]\n"
         "rows = [(\"node\", \"data\", \"grad\")]\n"
         "for name, t in named:\n"
         "    grad = 0.0 if t.grad is None else t.grad.item()\n"
         "    rows.append((name, number(t.item()), number(grad)))\n"
         "widths = [max(len(row[c]) for row in rows) for c in range(3)]\n"
         "for row in rows:\n"
         "    line = row[0].ljust(widths[0]) + \"  \" + row[1].rjust(widths[1])\n"
         "    print((line + \"  \" + row[2].rjust(widths[2])).rstrip())\n";
    return s;
}

void add_explore_commands(Session& session) {
    session.add_function(
        {"grad", 2, "grad(f, x)",
         "∂f/∂x as a node that is itself differentiable: grad(grad(f, x), x) is f''", fn_grad});
    session.add_command(
        {"check", ":check NAME [h]", "backprop gradients against finite differences",
         "For every leaf NAME depends on: the gradient by backpropagation, the central\n"
         "difference (f(x+h) - f(x-h)) / 2h (h defaults to 1e-06), their absolute and relative\n"
         "error and ok or FAIL. A gradient passes when |backprop - numeric| <= 1e-05 + 0.001 *\n"
         "|numeric| (the tolerance of torch.autograd.gradcheck). A failure is an error, so a\n"
         "script stops there with exit status 1. Data and gradients are left as they were.\n"
         "Example:\n  x = 0.5; y = tanh(x) * x\n  :check y\n",
         cmd_check});
    session.add_command(
        {"set", ":set LEAF VALUE", "change a leaf's data, show what changed",
         "Like LEAF.data = VALUE, but prints the leaf and every named node whose data changed,\n"
         "before and after. Nothing is rebuilt: the nodes downstream are recomputed. Gradients\n"
         "are not (run :backward again).\n"
         "Example:\n  a = 2; b = -3; L = a*b\n  :set a 3      # L: -6 → -9\n",
         cmd_set, true});
    session.add_command(
        {"nudge", ":nudge LEAF h [NAME]", "how much NAME moves when LEAF moves by h",
         "Moves LEAF by h, shows how NAME (default: the newest named node that depends on\n"
         "LEAF) changed, next to what the gradient predicted (dNAME/dLEAF * h), then puts\n"
         "LEAF back. The two agree more closely the smaller h is. Data and gradients are left\n"
         "as they were.\n"
         "Example:\n  a = 2; b = -3; L = a*b\n  :nudge a 0.001 L\n",
         cmd_nudge});
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
         "plot=FILE (.png, .svg or .pdf) draws NAME over the steps. Ctrl-C stops after the\n"
         "current step; the leaves keep the values reached. A NaN or infinite NAME stops it\n"
         "with an error.\n"
         "Example:\n  x = 3; L = (x - 1)**2\n  :minimize L steps=50 lr=0.1\n",
         cmd_minimize, true});
    session.add_command(
        {"plot", ":plot EXPR x=A..B [FILE]", "a function of one variable and its derivative",
         "EXPR (blanks allowed) is evaluated for the variable named before '=' from A to B;\n"
         "f' comes from backpropagation, not from a formula. Other names of the session may\n"
         "appear in EXPR with their current data. Without FILE, a character plot (61 points;\n"
         "* for f, + for f', # where they meet); with FILE (.png, .svg or .pdf) a chart of\n"
         "401 points. The session is not changed.\n"
         "Example:\n  :plot 3*x**2 - 4*x + 5 x=-2..3\n",
         cmd_plot});
    session.add_command(
        {"trace", ":trace NAME [DIR]", "the backward pass, one chain-rule step a line",
         "Runs :backward NAME and prints every gradient update in the order backpropagation\n"
         "makes it, with the local derivative written out:\n"
         "  a.grad += b.data * e.grad = -3 * -2 = 6\n"
         "'(now X)' follows when a node's gradient accumulates from several uses. With DIR,\n"
         "also one SVG per update (DIR/NAME-000.svg, -001 …) with the updated node highlighted,\n"
         "showing the gradients so far; at most 399 updates.\n",
         cmd_trace, true});
    session.add_command(
        {"export", ":export torch FILE [NAME]", "a PyTorch script that checks NAME's graph",
         "FILE rebuilds everything NAME (default: the newest named node) depends on in PyTorch\n"
         "with float64 tensors, runs backward from NAME and prints the named nodes as\n"
         "':backward NAME' then ':grad NAME' print them, in the same number format, so mgrad\n"
         "can be confirmed against PyTorch: python3 FILE. The session is not changed.\n",
         cmd_export});
}

}  // namespace mgrad
