// Banded optimal-string-alignment distance and the nearest candidate (see suggest.hpp).
#include "mgrad/support/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mgrad {

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
    const std::size_t n = a.size(), m = b.size();
    const std::size_t over = limit + 1;
    if ((n > m ? n - m : m - n) > limit) return over;
    // Three rows of the (n+1) x (m+1) table; cells further than `limit` from the diagonal
    // cannot be within the limit, so they stay `over` and are never computed.
    std::vector<std::size_t> before(m + 1, over), prev(m + 1, over), cur(m + 1, over);
    for (std::size_t j = 0; j <= std::min(m, limit); ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        const std::size_t lo = i > limit ? i - limit : 0;
        const std::size_t hi = std::min(m, i + limit);
        // Only the band and the cell on each side of it are ever read again: clearing the
        // whole row would make the distance quadratic after all (4 s for 100 000 letters).
        if (lo > 0) cur[lo - 1] = over;
        if (hi < m) cur[hi + 1] = over;
        if (lo == 0) cur[0] = i;
        std::size_t row_best = lo == 0 ? i : over;
        for (std::size_t j = std::max<std::size_t>(lo, 1); j <= hi; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d = std::min(d, before[j - 2] + 1);
            cur[j] = std::min(d, over);
            row_best = std::min(row_best, cur[j]);
        }
        if (row_best > limit) return over;  // every path from here is too long already
        std::swap(before, prev);
        std::swap(prev, cur);
    }
    return std::min(prev[m], over);
}

std::optional<std::string> nearest_name(std::string_view word,
                                        const std::vector<std::string>& candidates,
                                        std::optional<std::size_t> limit) {
    // Close enough: at most a third of the word's letters wrong (at least 1, at most 3).
    const std::size_t most = limit.value_or(std::clamp<std::size_t>(word.size() / 3, 1, 3));
    std::optional<std::string> best;
    std::size_t best_distance = most + 1;
    bool best_same_length = false;
    for (const auto& c : candidates) {
        if (c == word) continue;
        const std::size_t dist = edit_distance(word, c, most);
        if (dist > most) continue;
        const bool same_length = c.size() == word.size();
        if (dist < best_distance || (dist == best_distance && same_length && !best_same_length)) {
            best_distance = dist;
            best_same_length = same_length;
            best = c;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto best = nearest_name(word, candidates);
    return best ? fmt::format("; did you mean '{}'?", *best) : std::string{};
}

}  // namespace mgrad
