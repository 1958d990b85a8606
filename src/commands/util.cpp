#include "util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "mgrad/commands/commands.hpp"
#include "mgrad/language/output.hpp"
#include "mgrad/support/number.hpp"

#include "mgrad/language/session.hpp"

namespace mgrad::detail {

namespace {

std::size_t width(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string pad_right(std::string_view s, std::size_t w) {
    std::string out(s);
    const std::size_t n = width(s);
    if (n < w) out.append(w - n, ' ');
    return out;
}

std::string pad_left(std::string_view s, std::size_t w) {
    const std::size_t n = width(s);
    return std::string(n < w ? w - n : 0, ' ') + std::string(s);
}

}  // namespace

namespace {

// Shows rows [m.next, m.next + page) of `m` (all that are left with no paging) and says what
// is left; true when rows remain.
bool show_page(MoreRows& m, Output& out) {
    const std::size_t page = out.page_rows();
    const std::size_t end = page == 0 ? m.total : std::min(m.total, m.next + page);
    std::vector<std::vector<std::string>> rows;
    rows.reserve(end - m.next + 1);
    rows.push_back(m.header);
    for (; m.next < end; ++m.next)
        rows.push_back(m.row(m.next));
    std::string text = render_table(rows, m.align);
    out.table(Table{std::move(rows), m.align, std::move(text)});
    if (m.next == m.total) return false;
    const std::size_t left = m.total - m.next;
    out.text(fmt::format("({} of {} rows; :more shows the next {})\n", m.next, m.total,
                         std::min(left, page)));
    return true;
}

}  // namespace

void show_rows(Session& session, Output& out, std::string_view command,
               std::vector<std::string> header, std::string align, std::size_t total,
               std::function<std::vector<std::string>(std::size_t)> row) {
    MoreRows m{std::string(command), std::move(header), std::move(align), 0, total, std::move(row)};
    if (show_page(m, out))
        session.set_more(std::move(m));
    else
        session.set_more(std::nullopt);
}

void show_more(Session& session, Output& out) {
    MoreRows* m = session.more();
    if (m == nullptr)
        throw Error(
            "nothing more to show: ':more' goes on with the table the previous command paged "
            "(:grad, :vars)");
    if (!show_page(*m, out)) session.set_more(std::nullopt);
}

void report_written(Output& out, const std::string& path) {
    std::string format = std::filesystem::path(path).extension().string();
    if (!format.empty()) format.erase(0, 1);
    for (char& c : format)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.wrote_file(WrittenFile{path, std::move(format)});
}

/// Column alignment for the tables: 'l' left, 'r' right.
std::string render_table(const std::vector<std::vector<std::string>>& rows,
                         std::string_view align) {
    std::vector<std::size_t> widths(align.size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], width(row[c]));
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) line += "  ";
            line += align[c] == 'r' ? pad_left(row[c], widths[c]) : pad_right(row[c], widths[c]);
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    return out;
}

NodeId node_arg(Session& session, const Word& w) { return session.require(w.text, w.span); }

NodeId leaf_arg(Session& session, const Word& w) {
    const NodeId id = node_arg(session, w);
    const Op op = session.graph().op(id);
    if (!is_leaf(op))
        throw Error(fmt::format("'{}' is computed ({}), not a leaf: only a leaf's data can change",
                                w.text, op_info(op).name),
                    w.span);
    return id;
}

double finite_arg(const Word& w, std::string_view what) {
    const double v = number_arg(w);
    if (!std::isfinite(v))
        throw Error(fmt::format("{} must be a finite number, not '{}'", what, w.text), w.span);
    return v;
}

double number_in(const Word& w, std::size_t offset, std::string_view what) {
    Word part{w.text.substr(offset), w.span};
    part.span.offset += static_cast<std::uint32_t>(offset);
    part.span.column += static_cast<std::uint32_t>(offset);
    part.span.length -= static_cast<std::uint32_t>(std::min<std::size_t>(offset, w.span.length));
    if (part.text.empty()) throw Error(fmt::format("{} needs a number", what), w.span);
    return finite_arg(part, what);
}

std::vector<bool> ancestors(const Graph& g, NodeId root) {
    std::vector<bool> wanted(static_cast<std::size_t>(root) + 1, false);
    wanted[root] = true;
    for (NodeId id = root + 1; id-- > 0;)
        if (wanted[id])
            for (NodeId p : g.parents(id))
                wanted[p] = true;
    return wanted;
}

std::vector<NodeId> leaves_of(const Graph& g, NodeId root) {
    const std::vector<bool> wanted = ancestors(g, root);
    std::vector<NodeId> out;
    for (NodeId id = 0; id <= root; ++id)
        if (wanted[id] && g.node(id).op == Op::Leaf) out.push_back(id);
    return out;
}

std::optional<NodeId> latest_named(const Session& session) {
    std::optional<NodeId> best;
    for (const auto& name : session.names()) {
        const NodeId id = *session.lookup(name);
        if (!best || id > *best) best = id;
    }
    return best;
}

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

}  // namespace mgrad::detail

namespace mgrad {

double number_arg(const Word& word) {
    std::string_view text = word.text;
    double sign = 1.0;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        sign = text.front() == '-' ? -1.0 : 1.0;
        text.remove_prefix(1);
    }
    Lexer lexer(text);
    Token t;
    try {
        t = lexer.next();
    } catch (const Error& e) {
        throw Error(e.what(), word.span);
    }
    if (t.kind != TokenKind::Number || lexer.next().kind != TokenKind::End)
        throw Error(fmt::format("expected a number, not '{}'", word.text), word.span);
    return sign * t.number;
}

}  // namespace mgrad
