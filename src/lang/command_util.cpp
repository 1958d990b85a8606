#include "command_util.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mgrad/session.hpp"

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

// A missing argument is reported under the command itself (the caller adds that span).
void expect_args(std::span<const Word> args, std::size_t min, std::size_t max,
                 std::string_view usage) {
    if (args.size() < min) throw Error(fmt::format("missing argument; usage: {}", usage));
    if (args.size() > max)
        throw Error(fmt::format("too many arguments; usage: {}", usage), args[max].span);
}

NodeId node_arg(Session& session, const Word& w) { return session.require(w.text, w.span); }

}  // namespace mgrad::detail
