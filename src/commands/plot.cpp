// :plot EXPR x=A..B [FILE]: a function of one variable beside its derivative, as a character
// plot or a chart.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include <optional>
#include "families.hpp"
#include "mgrad/commands/commands.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/language/session.hpp"
#include "mgrad/plot/plot.hpp"
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

/// f and df/dvar at n points of the range, by evaluating `expr` in a session of its own. The
/// names of `session` are visible as leaves with their current data.
Samples sample(Session& session, const std::string& expr, const Range& range, std::size_t n,
               SourceSpan span) {
    CaptureOutput capture;
    Session scratch(capture);
    add_standard_commands(scratch);  // the same functions as the session (grad, …)
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

LineChart function_chart(const Samples& s, const Range& range, const std::string& expr) {
    LineChart chart;
    chart.title = fmt::format("f({}) = {} and its derivative", range.var, expr);
    chart.x_label = range.var;
    chart.series.push_back(Series{fmt::format("f({})", range.var), s.x, s.y});
    chart.series.push_back(Series{fmt::format("f'({}) by backprop", range.var), s.x, s.dy});
    return chart;
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
        save_line_chart(function_chart(s, *range, expr), file.text);
        out.text(fmt::format("wrote {}\n", file.text));
        detail::report_written(out, file.text);
        return;
    }
    if (out.shows_pictures()) {  // the chart instead of characters, where pictures are shown
        const Samples s = sample(session, expr, *range, 401, expr_span);
        LineChart chart = function_chart(s, *range, expr);
        out.picture(Picture{"png", line_chart_image(chart, "png"), chart.title});
        return;
    }
    const Samples s = sample(session, expr, *range, 61, expr_span);
    out.text(text_plot(s, *range, expr));
}

}  // namespace

void add_plot_command(Session& session) {
    session.add_command(
        {"plot", ":plot EXPR x=A..B [FILE]", "a function of one variable and its derivative",
         "EXPR (blanks allowed) is evaluated for the variable named before '=' from A to B;\n"
         "f' comes from backpropagation, not from a formula. Other names of the session may\n"
         "appear in EXPR with their current data. Without FILE, a character plot (61 points;\n"
         "* for f, + for f', # where they meet); with FILE (.png, .svg or .pdf) a chart of\n"
         "401 points (in a notebook, shown under the cell). The session is not changed.\n"
         "Example:\n  :plot 3*x**2 - 4*x + 5 x=-2..3\n",
         cmd_plot});
}

}  // namespace mgrad
