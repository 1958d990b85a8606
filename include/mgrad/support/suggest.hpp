// Suggestions for typos — "did you mean 'tanh'?" for names, functions, commands and options.
//
// One distance for the whole program: optimal string alignment (insertions, deletions,
// substitutions and transpositions of neighbours each cost 1), computed only as far as it
// matters: a word is a plausible typo of another when at most a few letters are wrong, so only
// a narrow band around the diagonal is filled and words whose lengths differ by more than that
// are not compared at all. A 100,000-character name costs a few hundred kilobytes, not gigabytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/support/export.hpp"

namespace mgrad {

/// The distance between `a` and `b` when it is at most `limit`; otherwise any number above
/// `limit`. Memory and time grow with the words' length times the limit.
[[nodiscard]] MGRAD_API std::size_t edit_distance(std::string_view a, std::string_view b,
                                                  std::size_t limit = 3);

/// The candidate closest to `word` within `limit` edits (a third of the word's letters, from 1
/// to 3, by default); of equally close ones, one of the word's own length (a transposition) and
/// then the first.
[[nodiscard]] MGRAD_API std::optional<std::string> nearest_name(
    std::string_view word, const std::vector<std::string>& candidates,
    std::optional<std::size_t> limit = {});

/// "; did you mean 'x'?" for the nearest candidate, or an empty string.
[[nodiscard]] MGRAD_API std::string did_you_mean(std::string_view word,
                                                 const std::vector<std::string>& candidates);

}  // namespace mgrad
