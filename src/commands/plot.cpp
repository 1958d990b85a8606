// :plot EXPR x=A..B [FILE]: a function of one variable beside its derivative, as a character
// plot or a chart.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include <tuple>
#include <utility>

#include <fmt/ranges.h>

#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/language/parser.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/plot/plot.hpp"
#include "mgrad/support/number.hpp"
#include "util.hpp"

namespace mgrad {

namespace {

using namespace detail;  // the helpers in util.hpp

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

/// How the two curves are called: `f(x) = 3*x**2 …` and `f'(x)` for an expression, `L` and
/// `dL/dx` for a node's name, `g(x)` and `g'(x)` for a function's.
struct Names {
    std::string f, df, title;
};

Names curve_names(Session& session, const std::string& expr, const std::string& var) {
    if (session.user_function(expr))
        return {fmt::format("{}({})", expr, var), fmt::format("{}'({})", expr, var),
                fmt::format("{}({}) and its derivative", expr, var)};
    if (session.lookup(expr))
        return {expr, fmt::format("d{}/d{}", expr, var),
                fmt::format("{} and d{}/d{}", expr, expr, var)};
    return {fmt::format("f({}) = {}", var, expr), fmt::format("f'({})", var),
            fmt::format("f({}) = {} and its derivative", var, expr)};
}

/// The names an expression (and the bodies of the session's functions) refers to.
std::vector<std::string> names_in(Session& session, const std::string& expr, SourceSpan span) {
    std::vector<std::string> out;
    auto collect = [&](std::string_view text) {
        Statement s;
        Parser parser(text);
        try {
            while (parser.next(s))
                for (const Expr& e : s.exprs)
                    if (e.kind == ExprKind::Name) out.emplace_back(e.name);
        } catch (const Error& e) {
            throw Error(fmt::format("cannot plot '{}': {}", expr, e.what()), span);
        }
    };
    collect(expr);
    for (const UserFunction* f : session.user_functions())
        collect(f->body);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// f and df/dvar at n points of the range, evaluated in a session of its own that holds a copy
/// of what `expr` refers to: the session's constants and functions, and the nodes its names
/// are bound to with everything they depend on. When `var` is a leaf of the session, the copy
/// of that leaf is what is swept, so `:plot f x=…` with f built from x draws f(x), as `:set`
/// would show it point by point.
Samples sample(Session& session, std::string expr, const Range& range, std::size_t n,
               SourceSpan span) {
    Graph& g = session.graph();
    g.forward();
    // `:plot f x=…` with a function f of one parameter plots f(x).
    if (const UserFunction* f = session.user_function(expr)) {
        if (f->params.size() != 1)
            throw Error(fmt::format("{}() takes {} arguments: plot a call of it in {} alone, "
                                    "such as {}({}, …)",
                                    f->name, f->params.size(), range.var, f->name, range.var),
                        span);
        expr = fmt::format("{}({})", f->name, range.var);
    }
    std::optional<NodeId> swept;  // the session's leaf named var, if there is one
    if (const auto id = session.lookup(range.var)) {
        if (g.op(*id) != Op::Leaf)
            throw Error(fmt::format("cannot plot over '{}': it is computed ({}), not a leaf; "
                                    "name a leaf, or a new name",
                                    range.var, op_info(g.op(*id)).name),
                        span);
        swept = *id;
    } else if (session.constant(range.var)) {
        throw Error(fmt::format("cannot plot over '{}': it is a constant; name a leaf, or a new "
                                "name",
                                range.var),
                    span);
    }

    CaptureOutput capture;
    // The session's node cap holds in the scratch session too (grad(grad(…)) grows fast).
    SessionOptions options;
    options.max_nodes = session.options().max_nodes;
    Session scratch(capture, options);
    add_standard_commands(scratch);  // the same functions as the session (grad, …)
    Graph& sg = scratch.graph();
    // The nodes the expression's names are bound to, and their ancestors, copied in tape order.
    const std::vector<std::string> names = names_in(session, expr, span);
    std::vector<bool> wanted(g.size(), false);
    for (const auto& name : names)
        if (const auto id = session.lookup(name); id && name != range.var) wanted[*id] = true;
    if (swept) wanted[*swept] = true;
    for (NodeId id = g.size(); id-- > 0;)
        if (wanted[id])
            for (NodeId p : g.parents(id))
                wanted[p] = true;
    std::vector<NodeId> copy(g.size(), no_node);
    for (NodeId id = 0; id < g.size(); ++id) {
        if (!wanted[id]) continue;
        const Node& node = g.node(id);
        const Parents p = g.parents(id);
        switch (node.op) {
            case Op::Leaf: copy[id] = sg.leaf(node.data); break;
            case Op::Const: copy[id] = sg.constant(node.data); break;
            case Op::PowConst: copy[id] = sg.pow_const(copy[p[0]], g.exponent(id)); break;
            case Op::MulAdd: copy[id] = sg.mul_add(copy[p[0]], copy[p[1]], copy[p[2]]); break;
            default:
                copy[id] = p.size() == 1 ? sg.unary(node.op, copy[p[0]])
                                         : sg.binary(node.op, copy[p[0]], copy[p[1]]);
                break;
        }
    }
    for (const auto& name : names)
        if (const auto id = session.lookup(name); id && name != range.var)
            scratch.bind(name, copy[*id]);
    const NodeId x = swept ? copy[*swept] : sg.leaf(range.lo);
    scratch.bind(range.var, x);
    for (const NamedConstant& k : session.constants())
        (void)scratch.run("<plot>", fmt::format("const {} = {}", k.name, format_number(k.value)));
    for (const UserFunction* f : session.user_functions())
        (void)scratch.run("<plot>",
                          fmt::format("{}({}) = {}", f->name, fmt::join(f->params, ", "), f->body));
    if (capture.error())
        throw Error(fmt::format("cannot plot '{}': {}", expr, *capture.error()), span);

    Operand value;
    try {
        value = scratch.evaluate(expr);
    } catch (const Error& e) {
        throw Error(fmt::format("cannot plot '{}': {}", expr, e.what()), span);
    }
    const auto* f = std::get_if<NodeId>(&value);
    const bool depends = f && (*f == x || (*f > x && ancestors(sg, *f)[x]));
    if (!depends)
        throw Error(
            fmt::format("'{}' does not depend on {}: there is nothing to plot (it is {} "
                        "for every {})",
                        expr, range.var, format_number(f ? sg.data(*f) : std::get<double>(value)),
                        range.var),
            span);
    Samples s;
    for (std::size_t i = 0; i < n; ++i) {
        // Each point is a backward pass over the scratch graph, which holds every name.
        if (session.interrupted())
            throw Error(fmt::format("interrupted after {} of {} points", i, n), span);
        const double xv = i + 1 == n ? range.hi
                                     : range.lo + (range.hi - range.lo) * static_cast<double>(i) /
                                                      static_cast<double>(n - 1);
        sg.set_data(x, xv);
        sg.zero_grad();
        sg.backward(*f);
        const double y = sg.data(*f);
        s.x.push_back(xv);
        s.y.push_back(y);
        // Where f is undefined, so is its derivative (1/x would say otherwise at log's NaN).
        s.dy.push_back(!std::isfinite(y) ? NAN : *f == x ? 1.0 : sg.grad(x));
    }
    return s;
}

/// A series whose line is broken (a NaN point) wherever it must not join two samples: across
/// a pole (1/x at 0, tan at π/2) or a jump (step), seen as a change that the derivative at both
/// ends cannot explain. NaN samples break it too, in the chart itself.
Series broken_series(std::string name, const Samples& s, const std::vector<double>& y,
                     const std::vector<double>& dy) {
    Series out{std::move(name), {}, {}};
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (i > 0 && std::isfinite(y[i - 1]) && std::isfinite(y[i])) {
            const double rise = y[i] - y[i - 1];
            const double run = s.x[i] - s.x[i - 1];
            const double d0 = dy[i - 1], d1 = dy[i];
            const bool against = (d0 > 0 && d1 > 0 && rise < 0) || (d0 < 0 && d1 < 0 && rise > 0);
            const double slope = std::max(std::fabs(d0), std::fabs(d1));
            const bool jump =
                std::isfinite(slope) && std::fabs(rise) > 10 * slope * run + 1e-9 * std::fabs(y[i]);
            if (against || jump) {
                out.x.push_back((s.x[i - 1] + s.x[i]) / 2);
                out.y.push_back(NAN);
            }
        }
        out.x.push_back(s.x[i]);
        out.y.push_back(y[i]);
    }
    return out;
}

/// The second derivative where the first is smooth enough to tell (for breaking f' itself):
/// the central difference of f', or NaN.
std::vector<double> slope_of(const Samples& s) {
    std::vector<double> out(s.dy.size(), NAN);
    for (std::size_t i = 1; i + 1 < s.dy.size(); ++i)
        out[i] = (s.dy[i + 1] - s.dy[i - 1]) / (s.x[i + 1] - s.x[i - 1]);
    return out;
}

/// The y range of the chart: all of both curves, unless a pole makes a few points so large
/// that the rest would be a flat line; then the range of the middle 90% of the points, with
/// room around it (what lies outside is clipped at the frame).
std::pair<double, double> chart_range(const Samples& s) {
    std::vector<double> v;
    for (const auto* series : {&s.y, &s.dy})
        for (double y : *series)
            if (std::isfinite(y)) v.push_back(y);
    if (v.size() < 20) return {0.0, 0.0};
    std::sort(v.begin(), v.end());
    const double lo = v[v.size() / 20], hi = v[v.size() - 1 - v.size() / 20];
    const double full = v.back() - v.front(), middle = hi - lo;
    if (!(middle > 0) || full <= 10 * middle) return {0.0, 0.0};  // fitted to the data
    return {lo - 0.5 * middle, hi + 0.5 * middle};
}

std::string axis_number(double v) { return fmt::format("{:.4g}", v); }

/// A character plot of f (`*`) and f' (`+`); `#` where they meet.
std::string text_plot(const Samples& s, const Range& range, const std::string& expr,
                      const Names& names) {
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
    bool clipped = false;
    if (const auto [clip_lo, clip_hi] = chart_range(s); clip_lo < clip_hi) {
        lo = std::max(lo, clip_lo);  // a pole's few huge points would flatten the rest
        hi = std::min(hi, clip_hi);
        clipped = true;
    }
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
    auto shown = [&](double v) { return std::isfinite(v) && v >= lo && v <= hi; };
    for (std::size_t c = 0; c < cols; ++c) {
        if (shown(s.dy[c])) grid[row_of(s.dy[c])][c] = '+';
        if (shown(s.y[c])) {
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
    out += fmt::format("* {}    + {} by backprop    # both\n", names.f, names.df);
    const auto missing = static_cast<std::size_t>(
        std::count_if(s.y.begin(), s.y.end(), [](double v) { return !std::isfinite(v); }));
    if (missing > 0)
        out += fmt::format(
            "(f is NaN or infinite at {} of {} points; neither f nor f' is drawn "
            "there)\n",
            missing, s.y.size());
    if (clipped) out += "(the largest values are beyond the frame and not drawn)\n";
    return out;
}

// The chart of f and f' for a file or a front end that shows pictures: no curve across a
// NaN or infinite gap, the frame kept to the bulk of the values.
LineChart function_chart(const Samples& s, const Range& range, const Names& names) {
    LineChart chart;
    chart.title = names.title;
    chart.x_label = range.var;
    chart.series.push_back(broken_series(names.f.substr(0, names.f.find(" = ")), s, s.y, s.dy));
    chart.series.push_back(
        broken_series(fmt::format("{} by backprop", names.df), s, s.dy, slope_of(s)));
    std::tie(chart.y_min, chart.y_max) = chart_range(s);
    return chart;
}

void cmd_plot(Session& session, const CommandArgs& args, Output& out) {
    // EXPR may contain blanks: it is every word before the range.
    const std::span<const Word> words = args.all("EXPR");
    const Word& range_word = *args.get("x=A..B");
    const std::optional<Range> range = parse_range(range_word);
    if (!range)
        throw Error(fmt::format("expected a range such as x=0..1, not '{}'", range_word.text),
                    range_word.span);
    std::string expr;
    for (std::size_t i = 0; i < words.size(); ++i)
        expr += (i ? " " : "") + words[i].text;
    SourceSpan expr_span = words.front().span;
    expr_span.length = words.back().span.offset + words.back().span.length - expr_span.offset;
    const Names names = curve_names(session, expr, range->var);
    if (const Word* file_word = args.get("FILE")) {
        const Word& file = *file_word;
        try {
            check_can_plot(file.text);  // a missing directory, a pipe: before any work
        } catch (const Error& e) {
            throw Error(e.what(), file.span);
        }
        const Samples s = sample(session, expr, *range, 401, expr_span);
        try {
            save_line_chart(function_chart(s, *range, names), file.text);
        } catch (const Error& e) {
            if (e.span()) throw;
            throw Error(e.what(), file.span);
        }
        out.text(fmt::format("wrote {}\n", file.text));
        detail::report_written(out, file.text);
        return;
    }
    if (out.shows_pictures()) {  // the chart instead of characters, where pictures are shown
        const Samples s = sample(session, expr, *range, 401, expr_span);
        LineChart chart = function_chart(s, *range, names);
        const std::string format = shown_plot_format();
        out.picture(Picture{format, line_chart_image(chart, format), chart.title});
        return;
    }
    const Samples s = sample(session, expr, *range, 61, expr_span);
    out.text(text_plot(s, *range, expr, names));
}

}  // namespace

void add_plot_command(Session& session) {
    session.add_command(
        {"plot", "", "a function of one variable and its derivative",
         "EXPR (blanks allowed) is evaluated for the variable named before '=' from A to B;\n"
         "f' comes from backpropagation, not from a formula. EXPR may be a node built from a\n"
         "leaf x (f = 3*x**2 - 4*x + 5; :plot f x=-2..3): x is swept and f recomputed, as\n"
         ":set would. It may be a function of one parameter (:plot g x=0..1 plots g(x)).\n"
         "Other names keep their current data. Without FILE, a character plot (61 points;\n"
         "* for f, + for f', # where they meet); with FILE (.png, .svg or .pdf) a chart of\n"
         "401 points (in a notebook, shown under the cell). Where f is undefined neither curve\n"
         "is drawn, and no line joins the two sides of a pole. The session is not changed.\n"
         "Example:\n  :plot 3*x**2 - 4*x + 5 x=-2..3\n",
         cmd_plot, false, false,
         CommandSpec{.args = {{.name = "EXPR",
                               .kind = ArgKind::Expression,
                               .help = "the function, a formula in x",
                               .repeated = true,
                               .what = "the expression"},
                              {.name = "x=A..B",
                               .kind = ArgKind::Range,
                               .help = "the variable and its range",
                               .what = "the range x=A..B"},
                              {.name = "FILE",
                               .kind = ArgKind::File,
                               .help = "a chart to write",
                               .optional = true,
                               .choices = {"png", "svg", "pdf"},
                               .strict_extension = true,
                               .what = "plot to"}}}});
}

}  // namespace mgrad
